"""DQE's email lookup (/DQEEMAILLOOKUP/) and user-name suggestions (/MAILSUGGEST/), offline.

``verdicts`` and ``suggest`` are plain Python; ``http`` turns them into DQE's
HTTP answers; ``config`` holds what a scenario can change.
"""

from mock_efidem.dqe.config import ACTIVITY_CODES, DEFAULT_DQE_CONFIG, ID_ERRORS, DqeConfig
from mock_efidem.dqe.http import DQE_PATHS, DqeEndpoints, is_dqe_path
from mock_efidem.dqe.verdicts import LookupOptions, Verdict, lookup

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
