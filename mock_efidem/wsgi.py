"""What the WSGI layers share: the types of PEP 3333, and the environ keys the mock
leaves for itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WSGIEnvironment = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]

BODY_KEY = "mock_efidem.body"
"""The request body, read once by the recorder for every endpoint."""
RECORD_KEY = "mock_efidem.record"
"""The call's ``recording.CallRecord``, which the adapters tell what they learnt."""
