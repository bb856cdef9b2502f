"""A mock server whose store bench/compare.py fills in-process, then measures over HTTP.

    .venv/bin/python bench/filled_mock.py

Builds ``MockServer(Settings(port=0))``, starts it as ``mock-efidem serve`` does, prints
``filled-mock listening on http://HOST:PORT``. Then reads commands on stdin:

- ``fill N``: stores N more accepted ENVOYER_EMAILs (300-byte, single-recipient
  emails, the same every run), and prints ``filled N SECONDS ID STORED PATH``: the
  time it took, the id of the middle message, how many messages the store holds now
  (fewer than sent if it evicts) and the path used.
- ``quit``, or the end of stdin: stops the server.

Filling over HTTP would take hours for a million messages. The fill asks the domain
backend directly: the first message through ``EfidemBackend.call`` (the whole error
table, so the body is known to be valid), the others through the operation's handler,
which stores exactly what ``call`` would store, without re-checking the same valid
fields a million times. The collector is paused during the fill (it only sees new
objects, none of them garbage) and run once at its end.
"""

from __future__ import annotations

import gc
import inspect
import sys
import time
from collections.abc import Callable
from typing import Any

from mock_efidem import cli
from mock_efidem.domain.backend import EfidemBackend
from mock_efidem.server import MockServer
from mock_efidem.settings import Settings

MESSAGE_BYTES = 300
SENDER = "app@example.com"


def email_fields(number: int) -> dict[str, Any]:
    """The fields of the ``number``-th email: sender, recipient, subject and text add up
    to ``MESSAGE_BYTES``."""
    recipient = f"client{number}@example.fr"
    subject = f"Facture {number}"
    padding = MESSAGE_BYTES - len(SENDER) - len(recipient) - len(subject)
    text = ("Bonjour, voici votre facture du mois. " * 10)[:padding]
    return {
        "user": "demo",
        "password": "demo",
        "app_id": "demo",
        "recipient": recipient,
        "subject": subject,
        "text": text,
        "sender": SENDER,
    }


def fast_sender(backend: EfidemBackend) -> tuple[str, Callable[[dict[str, Any]], str]]:
    """The quickest honest way to store one email, and its name."""
    try:
        from mock_efidem.domain.backend import HANDLERS, ValidCall
    except ImportError:
        return "EfidemBackend.call", lambda fields: _checked(backend, fields)
    account = backend.accounts.named("demo")
    handler = HANDLERS["send_email"]
    if account is None:
        return "EfidemBackend.call", lambda fields: _checked(backend, fields)
    return "send_email handler", lambda fields: handler(
        backend, ValidCall("send_email", account, fields)
    )


def _checked(backend: EfidemBackend, fields: dict[str, Any]) -> str:
    outcome = backend.call("send_email", fields)
    if not outcome.ok:
        raise RuntimeError(f"send_email refused the bench's email: {outcome}")
    return str(outcome.value)


def fill(backend: EfidemBackend, count: int) -> tuple[float, str, str]:
    """Store ``count`` emails; the seconds it took, the path and the middle one's id."""
    started = time.perf_counter()
    start = len(backend.store)
    middle = _checked(backend, email_fields(start))
    path, send = fast_sender(backend)
    gc.disable()
    try:
        for number in range(start + 1, start + count):
            message_id = send(email_fields(number))
            if number == start + count // 2:
                middle = message_id
    finally:
        gc.enable()
    gc.collect()
    return time.perf_counter() - started, path, middle


def start_as_served() -> MockServer:
    """``MockServer(Settings(port=0))`` started, then what ``mock-efidem serve`` does
    beyond it before serving: ``gc.freeze()`` of what start-up made, if the CLI does it
    (read from its source, so that this follows the CLI as it changes)."""
    server = MockServer(Settings(port=0)).start()
    if "gc.freeze()" in inspect.getsource(cli):
        gc.freeze()
    return server


def main() -> None:
    server = start_as_served()
    print(f"filled-mock listening on {server.base_url}", flush=True)
    try:
        for line in sys.stdin:
            command = line.split()
            if command[:1] == ["fill"]:
                count = int(command[1])
                seconds, path, middle = fill(server.world.backend, count)
                stored = len(server.world.backend.store)
                print(f"filled {count} {seconds:.3f} {middle} {stored} {path}", flush=True)
            elif command[:1] == ["quit"]:
                break
    finally:
        server.stop()


if __name__ == "__main__":
    main()
