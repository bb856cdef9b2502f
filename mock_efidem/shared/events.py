"""Live events across processes: each process's events go to one Redis channel, and
each process that has listeners hears every event on it, its own included.

The store's and the journal's scripts publish their events themselves (no round trip
more per call); the clock's and the resets' go through ``publish``. A process starts
listening to the channel at its first listener and keeps listening until its hub closes,
so that a listener never misses an event for want of a subscription.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from typing import Any

import redis

from mock_efidem.events import EventHub
from mock_efidem.shared.connection import Keys, guarded

SUBSCRIBE_SECONDS = 2.0
RETRY_SECONDS = 1.0

logger = logging.getLogger(__name__)


class EventRelay:
    def __init__(self, client: redis.Redis, url: str, prefix: str, hub: EventHub) -> None:
        self.client: Any = client
        self.url = url
        self.channel = Keys(prefix)("events")
        self.hub = hub
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._subscribed = threading.Event()
        self._pause = threading.Event()
        """Never set: waited on between attempts (an interruptible sleep)."""

    @guarded
    def publish(self, name: str, data: Mapping[str, Any]) -> None:
        self.client.publish(self.channel, json.dumps({"name": name, "data": data}))

    def listen(self) -> None:
        """Start hearing the channel (once), and wait until the subscription holds."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="mock-efidem event relay", daemon=True
                )
                self._thread.start()
        self._subscribed.wait(SUBSCRIBE_SECONDS)

    def _run(self) -> None:
        while not self.hub.closed:
            try:
                self._relay()
            except (redis.ConnectionError, redis.TimeoutError) as error:
                self._subscribed.clear()
                logger.warning("live events: Redis unreachable (%s); trying again", error)
                self._pause.wait(RETRY_SECONDS)

    def _relay(self) -> None:
        with self.client.pubsub(ignore_subscribe_messages=True) as subscription:
            subscription.subscribe(self.channel)
            subscription.get_message(timeout=SUBSCRIBE_SECONDS)  # the confirmation
            self._subscribed.set()
            while not self.hub.closed:
                heard = subscription.get_message(timeout=RETRY_SECONDS)
                if heard is not None and heard.get("type") == "message":
                    self._deliver(heard["data"])

    def _deliver(self, raw: bytes) -> None:
        try:
            event = json.loads(raw)
            self.hub.publish(str(event["name"]), dict(event["data"]))
        except (ValueError, KeyError, TypeError):
            logger.warning("live events: not an event on %s: %r", self.channel, raw[:200])
