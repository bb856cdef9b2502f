"""What the inbox uses besides its pages, over real HTTP: live events (GET /_mock/events),
search and filters on GET /_mock/messages, and DELETE /_mock/messages/{id}.

``Listener`` reads an event stream as a browser's EventSource does, on a thread of
its own, so that a test can wait for the event it expects (and fail listing the
others it heard instead)."""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from mock_efidem.server import MockServer
from mock_efidem.settings import Settings

CREDENTIALS = ("UTILISATEUR", "MOT_DE_PASSE", "AppID")


@dataclass(frozen=True)
class Heard:
    name: str
    data: Any
    id: str | None


class Listener:
    """One open event stream. ``next`` waits for an event; ``lines`` is everything the
    stream sent, comments and ``retry:`` included; ``ended`` is set at its end."""

    def __init__(self, base_url: str, timeout: float = 60.0, **headers: str) -> None:
        address = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(
            address.hostname or "127.0.0.1", address.port, timeout=timeout
        )
        self.connection.request("GET", "/_mock/events", headers=headers)
        self._socket = self.connection.sock  # the response takes it over from the connection
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.lines: list[str] = []
        self.heard: list[Heard] = []
        self.ended = threading.Event()
        self._events: queue.Queue[Heard] = queue.Queue()
        self.body = b""
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = self.response.read()
            self.ended.set()
            self.close()

    def json(self) -> Any:
        """The body of an answer other than a stream."""
        return json.loads(self.body)

    def next(self, name: str, timeout: float = 5.0, **expected: Any) -> Heard:
        """The next event called ``name`` whose data holds ``expected``, others skipped."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self._events.get(timeout=left)
            except queue.Empty:
                break
            if event.name == name and all(event.data.get(k) == v for k, v in expected.items()):
                return event
        raise AssertionError(f"no {name} event with {expected} in {timeout} s; heard {self.heard}")

    def quiet_for(self, seconds: float, name: str, **expected: Any) -> None:
        """No event ``name`` with ``expected`` comes within ``seconds``."""
        with pytest.raises(AssertionError):
            found = self.next(name, seconds, **expected)
            pytest.fail(f"heard {found}")

    def close(self) -> None:
        """As a closed tab does: the stream's thread at the server may notice only later."""
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
        self.ended.wait(5)  # the reader ends at once, the socket shut
        self.response.close()
        self.connection.close()
        if self._socket is not None:
            self._socket.close()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\r\n")
                self.lines.append(line)
                if line:
                    key, _, value = line.partition(":")
                    fields[key] = value.removeprefix(" ")
                elif "data" in fields:
                    self._dispatch(fields)
                    fields = {}
        except (OSError, ValueError, http.client.HTTPException):
            pass  # closed by the test, or by the server
        finally:
            self.ended.set()

    def _dispatch(self, fields: dict[str, str]) -> None:
        event = Heard(fields.get("event", "message"), json.loads(fields["data"]), fields.get("id"))
        self.heard.append(event)
        self._events.put(event)


@pytest.fixture(scope="session")
def server(server_on_each_store: MockServer) -> MockServer:
    """The live events and the inbox's API hold on both stores (on Redis, every
    process's events come through its channel)."""
    return server_on_each_store


@pytest.fixture
def private() -> Iterator[MockServer]:
    """A mock of the test's own (its scenario may change, its streams stay open)."""
    with MockServer(Settings(port=0)) as running:
        yield running


@pytest.fixture
def listen(server: MockServer) -> Iterator[Callable[[], Listener]]:
    """Opens event streams on the session's server; each is closed after the test."""
    opened: list[Listener] = []

    def open_one() -> Listener:
        listener = Listener(server.base_url)
        opened.append(listener)
        assert listener.status == 200
        return listener

    yield open_one
    for listener in opened:
        listener.close()


Served = MockServer | str
"""A mock in this process, or the base URL of one."""


def base_url(served: Served) -> str:
    return served if isinstance(served, str) else served.base_url


def soap(server: Served, operation: str, body: str, account: str = "demo") -> requests.Response:
    """A SOAP 1.1 call of ``operation`` whose fields (XML, without credentials) are
    ``body``, by ``account`` (its password and AppID are its name); answered 200."""
    credentials = "".join(f"<{k}>{account}</{k}>" for k in CREDENTIALS)
    envelope = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        f'<{operation} xmlns="http://www.efidem.com/">{credentials}{body}</{operation}>'
        "</s:Body></s:Envelope>"
    )
    answer = requests.post(
        f"{base_url(server)}/soap",
        data=envelope.encode("utf-8"),
        headers={"Content-Type": "text/xml; charset=utf-8"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer


def sent_id(answer: requests.Response) -> str:
    """The message id a send answered."""
    text = answer.text
    start = text.index("Result>") + len("Result>")
    found = text[start : text.index("<", start)]
    assert len(found) == 32, text
    return found


def send_sms(
    server: Served, number: str = "0601020304", text: str = "Bonjour", account: str = "demo"
) -> str:
    body = f"<DESTINATION>{number}</DESTINATION><TEXTE>{text}</TEXTE>"
    return sent_id(soap(server, "ENVOYER_SMS", body, account))


def send_email(server: Served, recipient: str = "jean@example.fr", **fields: str) -> str:
    given = {"SUJET": "Bonjour", "TEXTE": "Texte", "EMETTEUR": "app@example.com", **fields}
    body = f"<DESTINATION>{recipient}</DESTINATION>"
    body += "".join(f"<{name}>{_escaped(value)}</{name}>" for name, value in given.items())
    return sent_id(soap(server, "ENVOYER_EMAIL", body))


def _escaped(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def control(server: Served, method: str, path: str, **options: Any) -> requests.Response:
    return requests.request(method, f"{base_url(server)}/_mock{path}", timeout=10, **options)
