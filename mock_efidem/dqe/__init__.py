"""DQE's email lookup (/DQEEMAILLOOKUP/) and user-name suggestions (/MAILSUGGEST/), offline.

``verdicts`` and ``suggest`` are plain Python; ``http`` turns them into DQE's
HTTP answers; ``config`` holds what a scenario can change.
"""

from importlib import import_module
from typing import Any

from mock_efidem.dqe.config import ACTIVITY_CODES, DEFAULT_DQE_CONFIG, ID_ERRORS, DqeConfig
from mock_efidem.dqe.paths import DQE_PATHS, is_dqe_path

_LATER = {
    "DqeEndpoints": "mock_efidem.dqe.http",
    "LookupOptions": "mock_efidem.dqe.verdicts",
    "Verdict": "mock_efidem.dqe.verdicts",
    "lookup": "mock_efidem.dqe.verdicts",
}
"""Names whose modules (and their libraries) load at first use, not at start-up."""


def __getattr__(name: str) -> Any:
    if name in _LATER:
        return getattr(import_module(_LATER[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ACTIVITY_CODES",
    "DEFAULT_DQE_CONFIG",
    "DQE_PATHS",
    "ID_ERRORS",
    "DqeConfig",
    "DqeEndpoints",
    "LookupOptions",
    "Verdict",
    "is_dqe_path",
    "lookup",
]
