"""``GET /_mock/events``: the world's live events as Server-Sent Events.

Each stream is a subscription to the world's hub (mock_efidem/events.py) that holds
a server thread while it is open; a room like the long polls' lends the server one
more thread meanwhile, so that open inbox tabs never take the workers that calls
need. Everything about a stream is bounded: how many are open (the room), what waits
for a slow reader (the subscription's queue: past it, a last ``event: overflow`` and
the end, and the client reloads), and how long it lasts (then it ends and the
browser's EventSource reconnects a second later, as ``retry:`` tells it).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack

from mock_efidem.control.waiting import WaitingRoom
from mock_efidem.events import Event, EventHub, Subscription
from mock_efidem.traffic import SOCKET_KEY
from mock_efidem.wsgi import WSGIEnvironment

KEEP_ALIVE_SECONDS = 15.0
"""A comment line after this long without an event, so that proxies keep the line."""
PEER_CHECK_SECONDS = 1.0
"""How often a quiet stream looks whether its client has gone (a closed tab)."""
RETRY_MS = 1000
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
MEDIA_TYPE = "text/event-stream"

RETRY = f"retry: {RETRY_MS}\n\n".encode()
KEEP_ALIVE = b": keep-alive\n\n"


def encode(event: Event) -> bytes:
    data = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event.name}\ndata: {data}\nid: {event.id}\n\n".encode()


def overflow(capacity: int) -> bytes:
    reason = f"more than {capacity} events waited for this stream: reload, then listen again"
    return f"event: overflow\ndata: {json.dumps({'reason': reason})}\n\n".encode()


class EventStream:
    """The body of one stream. It ends by itself (lifetime, overflow, the hub closed,
    the client gone); its ``close``, which the server always calls, even on a body it
    never read, gives back the subscription and the thread."""

    def __init__(
        self,
        subscription: Subscription,
        lifetime: float,
        release: Callable[[], None],
        peer_gone: Callable[[], bool],
    ) -> None:
        self.subscription, self.lifetime = subscription, lifetime
        self._release, self._peer_gone = release, peer_gone
        self._released = False

    def __iter__(self) -> Iterator[bytes]:
        yield RETRY
        deadline = time.monotonic() + self.lifetime
        sent_at = time.monotonic()
        while (now := time.monotonic()) < deadline:
            wait = min(deadline, sent_at + KEEP_ALIVE_SECONDS, now + PEER_CHECK_SECONDS) - now
            events = self.subscription.take(wait)
            if events:
                yield b"".join(encode(e) for e in events)
                sent_at = time.monotonic()
            elif self.subscription.overflowed:
                yield overflow(self.subscription.capacity)
                return
            elif self.subscription.ended or self._peer_gone():
                return
            elif time.monotonic() - sent_at >= KEEP_ALIVE_SECONDS:
                yield KEEP_ALIVE
                sent_at = time.monotonic()

    def close(self) -> None:
        if not self._released:
            self._released = True
            self._release()


def open_stream(
    hub: EventHub, room: WaitingRoom, lifetime: float, environ: WSGIEnvironment
) -> EventStream | str:
    """A stream seated in ``room`` and subscribed to ``hub``; or why not, to retry."""
    peer = environ.get(SOCKET_KEY)
    seat = ExitStack()
    if not seat.enter_context(room.seat()):
        seat.close()
        return f"{room.capacity} event streams are open already; retry later"
    subscription = hub.subscribe()
    if subscription is None:
        seat.close()
        return "the mock is stopping; retry later"

    def release() -> None:
        hub.unsubscribe(subscription)
        seat.close()

    return EventStream(subscription, lifetime, release, lambda: _gone(peer))


def _gone(peer: object) -> bool:
    """Whether the client closed its end. The server reads no more of a connection while
    it answers on it, so a peek is the only way to know before a write fails."""
    if not isinstance(peer, socket.socket):
        return False
    try:
        return peer.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
