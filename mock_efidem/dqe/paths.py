"""Where DQE answers, without the lookup itself: the router and the traffic layer need
only this, so the lookup's libraries load at the first DQE call, not at start-up."""

from __future__ import annotations

LOOKUP = "DQEEMAILLOOKUP"
SUGGEST = "MAILSUGGEST"
DQE_OPERATIONS = {f"/{name}{slash}": name for name in (LOOKUP, SUGGEST) for slash in ("", "/")}
DQE_PATHS = frozenset(DQE_OPERATIONS)
DQE_PARAMETERS: dict[str, tuple[str, ...]] = {
    LOOKUP: ("Email", "Licence", "Rectify", "checkuser", "extendedsyntax", "TimeOut", "callback"),
    SUGGEST: ("Email", "Licence", "Prenom", "Nom", "Instance", "callback"),
}
"""The request parameters each operation reads (dqe/http.py): what a scenario rule's
``when`` may test on a DQE call."""

FAULT_LATENCY_KEY = "mock_efidem.fault_latency"
"""WSGI environ key: a scenario fault's latency, which DQE weighs against TimeOut."""


def is_dqe_path(path: str) -> bool:
    return path in DQE_PATHS
