"""``serve --workers N``: N processes serving one port, and the parent that keeps them.

The parent binds the address (without listening: it holds the port) and runs N children
(``python -m mock_efidem serve ... --listen-fd FD --parent-fd FD``) that inherit that
socket, each listening on a socket of its own bound to the same address with
SO_REUSEPORT: the kernel spreads the connections over them. Each child also holds one end of a
socket pair whose other end only the parent holds: the child writes a byte there once it
serves, and stops (drains) when it reads the end of it, the parent being gone, even
killed by SIGKILL.

The parent announces the address once each child serves, so that the listening line
still means "it answers"; a child that exits before then fails the start, as one server
would. It serves nothing and imports no spyne: it forwards SIGTERM and SIGINT to the
children as SIGTERM (each drains, as one server does), restarts a child that dies on its
own, within bounds, and exits 0 when every child has drained.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from types import FrameType

from mock_efidem.settings import Settings

MAX_RESTARTS = 5
RESTART_WINDOW = 60.0
"""More than ``MAX_RESTARTS`` deaths within this many seconds: a crash loop, not bad luck."""
STOP_SECONDS = 60.0
"""A child's drain (server.DRAIN_SECONDS, 30) and flush, with room to spare; killed after."""
POLL_SECONDS = 0.1
USAGE_ERROR = 2
"""A child's exit status for a configuration it cannot serve: restarting cannot help."""
SERVING = b"."

log = logging.getLogger(__name__)


def supervise(settings: Settings, command: Sequence[str], announce: Callable[[int], None]) -> int:
    """Bind ``settings.host:settings.port``, run ``settings.workers`` children of
    ``command``, ``announce(port)`` once they serve, and keep them until SIGTERM or
    SIGINT. The exit status: 0 after a clean drain, 2 if the address cannot be bound or a
    child refuses its configuration, 1 otherwise."""
    try:
        listener = listen(settings.host, settings.port)
    except OSError as error:
        print(
            f"mock-efidem: cannot listen on {settings.host}:{settings.port}: {error}",
            file=sys.stderr,
        )
        return USAGE_ERROR
    with listener:
        port = listener.getsockname()[1]
        return Supervisor(command, listener.fileno(), settings.workers).run(lambda: announce(port))


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound (with SO_REUSEPORT, not listening) to the first address
    ``host`` resolves to (port 0: a free one). It holds the port; each child listens on
    a socket of its own bound to the same address, and the kernel spreads connections
    evenly over the children's sockets (one shared listening socket let the first
    child to wake take every kept-alive connection of a load test)."""
    family, _, _, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    bound = socket.socket(family, socket.SOCK_STREAM)
    try:
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        bound.bind(address)
    except OSError:
        bound.close()
        raise
    return bound


class Supervisor:
    """Keeps ``count`` children of ``command`` serving the socket ``fd`` (``run``)."""

    def __init__(self, command: Sequence[str], fd: int, count: int) -> None:
        self.command = [*command, "--listen-fd", str(fd)]
        self.fd = fd
        self.count = count
        self.children: list[subprocess.Popen[bytes]] = []
        self.channels: dict[int, socket.socket] = {}
        """The parent's end of each child's socket pair, by the child's pid."""
        self.deaths: deque[float] = deque()
        self.stopping = False

    def run(self, on_ready: Callable[[], None]) -> int:
        """Start the children, ``on_ready()`` once each serves, keep them until a stop is
        requested or one cannot be replaced, stop them all: the exit status."""
        signals = (signal.SIGTERM, signal.SIGINT)
        previous = {number: signal.signal(number, self._stop_requested) for number in signals}
        try:
            for _ in range(self.count):
                self.children.append(self._spawn())
            status = self._await_ready()
            if not status and not self.stopping:
                on_ready()
                status = self._watch()
        finally:
            drained = self._stop_all()
            for number, handler in previous.items():
                signal.signal(number, handler)
        return status or (0 if drained else 1)

    def _stop_requested(self, number: int, frame: FrameType | None) -> None:
        # Only a flag: the loop forwards it, never a handler that interrupts the loop.
        self.stopping = True

    def _spawn(self) -> subprocess.Popen[bytes]:
        mine, theirs = socket.socketpair()
        with theirs:  # the child's copy only, from now on
            # In the parent's process group, so that kill -9 of the group ends them all;
            # a terminal's Ctrl-C reaches them too, and they ignore it (cli._serve): the
            # parent stops them, by SIGTERM.
            child = subprocess.Popen(
                [*self.command, "--parent-fd", str(theirs.fileno())],
                stdin=subprocess.DEVNULL,
                pass_fds=(self.fd, theirs.fileno()),
            )
        self.channels[child.pid] = mine
        log.info("worker %d started", child.pid)
        return child

    def _await_ready(self) -> int:
        """Until each child has said it serves (0), a stop is requested (0), or one exits
        first (the status to exit with)."""
        waiting = {self.channels[child.pid]: child for child in self.children}
        while waiting and not self.stopping:
            for channel in select.select(list(waiting), [], [], POLL_SECONDS)[0]:
                child = waiting.pop(channel)
                if channel.recv(1) != SERVING:  # the end: the child is gone
                    status = child.wait()
                    log.error("worker %d exited before serving (%s)", child.pid, _told(status))
                    return USAGE_ERROR if status == USAGE_ERROR else 1
        return 0

    def _watch(self) -> int:
        """Until a stop is requested (0), or a child cannot be replaced (its status)."""
        while not self.stopping:
            for index, child in enumerate(self.children):
                status = child.poll()
                if status is not None and not self.stopping:
                    refusal = self._replace(index, status)
                    if refusal:
                        return refusal
            time.sleep(POLL_SECONDS)
        return 0

    def _replace(self, index: int, status: int) -> int:
        """Restart the child at ``index``, which exited with ``status``; or give up (the
        status to exit with)."""
        pid = self.children[index].pid
        self.channels.pop(pid).close()
        if status == USAGE_ERROR:
            log.error("worker %d refused its configuration (exit status 2): stopping", pid)
            return USAGE_ERROR
        now = time.monotonic()
        self.deaths.append(now)
        while self.deaths[0] < now - RESTART_WINDOW:
            self.deaths.popleft()
        if len(self.deaths) > MAX_RESTARTS:
            log.error(
                "worker %d died (%s), %d deaths in %d s: giving up, stopping every worker",
                pid,
                _told(status),
                len(self.deaths),
                RESTART_WINDOW,
            )
            return 1
        log.warning("worker %d died (%s): restarting it", pid, _told(status))
        self.children[index] = self._spawn()
        return 0

    def _stop_all(self) -> bool:
        """SIGTERM to every child, then wait for their drains: whether each ended well
        (a child stopped before it could install its handler had nothing to drain)."""
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for child in self.children:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("worker %d did not drain in %d s: killed", child.pid, STOP_SECONDS)
                child.kill()
                child.wait()
        for channel in self.channels.values():
            channel.close()
        return all(child.returncode in (0, -signal.SIGTERM) for child in self.children)


def _told(status: int) -> str:
    if status < 0:
        return f"signal {signal.Signals(-status).name}"
    return f"exit status {status}"


def serving(parent_fd: int) -> None:
    """In a child, once it serves: tell the parent, and from then on drain (SIGTERM to
    itself) when the parent is gone, so that no worker keeps the port forever."""
    channel = socket.socket(fileno=parent_fd)

    def watch() -> None:
        try:
            channel.sendall(SERVING)
            while channel.recv(1):  # the parent never writes: this waits for the end
                pass
        except OSError:  # the parent is gone
            pass
        log.warning("the parent process is gone: stopping")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="mock-efidem parent watch", daemon=True).start()
