"""Event streams are bounded: how many are open, how long each lasts, what waits for a
slow reader; and open ones never starve the calls, nor stop a server from stopping."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from mock_efidem.control import stream
from mock_efidem.events import QUEUE_SIZE
from mock_efidem.server import MockServer
from mock_efidem.settings import Settings
from tests.inbox_api.conftest import Listener, send_sms
from tests.processes import served


def test_the_33rd_stream_is_told_to_retry_and_a_closed_one_frees_its_place(
    private: MockServer,
) -> None:
    open_ones = [Listener(private.base_url) for _ in range(32)]
    try:
        assert [s.status for s in open_ones] == [200] * 32
        refused = Listener(private.base_url)
        assert refused.status == 503
        assert "32 event streams are open already; retry later" in refused.json()["error"]

        open_ones.pop().close()  # a tab closed: its place is free within a second or so
        deadline = time.monotonic() + 5
        while (again := Listener(private.base_url)).status != 200:
            assert time.monotonic() < deadline, "the closed stream's place stayed taken"
            time.sleep(0.2)
        open_ones.append(again)
    finally:
        for listener in open_ones:
            listener.close()


def test_32_open_streams_leave_a_send_answered_at_once(private: MockServer) -> None:
    open_ones = [Listener(private.base_url) for _ in range(32)]
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            sent = list(pool.map(lambda _: send_sms(private), range(16)))
        took = time.monotonic() - started
        assert len(sent) == 16 and took < 2.0, f"16 sends took {took:.2f} s"
        for listener in open_ones:
            listener.next("message", id=sent[-1], change="created")
    finally:
        for listener in open_ones:
            listener.close()


def test_a_stream_ends_after_its_lifetime() -> None:
    with MockServer(Settings(port=0, event_stream_seconds=1.0)) as running:
        listener = Listener(running.base_url)
        started = time.monotonic()
        assert listener.ended.wait(5)
        assert 0.9 < time.monotonic() - started < 3.0
        assert listener.lines[:2] == ["retry: 1000", ""]


def test_a_quiet_stream_says_it_is_alive(
    private: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "KEEP_ALIVE_SECONDS", 0.3)
    listener = Listener(private.base_url)
    time.sleep(1.0)
    listener.close()
    assert listener.lines.count(": keep-alive") >= 2


def test_a_reader_too_slow_is_told_overflow_and_the_stream_ends(private: MockServer) -> None:
    address = private.base_url.removeprefix("http://").split(":")
    reader = socket.create_connection((address[0], int(address[1])), timeout=30)
    reader.sendall(b"GET /_mock/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    hub = private.world.events
    deadline = time.monotonic() + 5
    while hub.listeners == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)

    # Unread, 40 MiB fill the server's output buffer (16 MiB) and both sockets' (a few
    # MiB): the stream's thread then waits to write, and its queue fills behind it.
    for _ in range(400):
        hub.publish("call", {"padding": "x" * 100 * 1024})
    time.sleep(0.5)
    for _ in range(2 * QUEUE_SIZE):
        hub.publish("call", {"small": True})
    assert hub.listeners == 0  # dropped: its queue no longer holds the mock's memory

    received = _read_to_end(reader)  # reading again, it hears overflow, then the end
    last = received.rindex(b"event: ")
    assert received[last:].startswith(b"event: overflow\ndata: ")
    assert b"reload, then listen again" in received[last:]
    assert received.count(b"event: call") < 400 + 2 * QUEUE_SIZE


def _read_to_end(reader: socket.socket) -> bytes:
    chunks = []
    while chunk := reader.recv(1024 * 1024):
        chunks.append(chunk)
    reader.close()
    return b"".join(chunks)


def test_a_sigterm_with_a_stream_open_drains_in_time() -> None:
    with served(stderr=subprocess.PIPE) as (process, base):
        listener = Listener(base)
        send_sms(base)
        listener.next("message", change="created")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert listener.ended.wait(5), "the stream stayed open"
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
