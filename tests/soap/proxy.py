"""A reverse proxy for tests, as a user's docker-compose or nginx puts in front of the mock.

It listens on another loopback address, so the only way to it is the address a client
was given; it counts what it forwarded, so a test can tell the client followed the WSDL.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Proxy:
    url: str
    forwarded: list[str] = field(default_factory=list)
    """"METHOD PATH" of each request forwarded, as the client sent it."""
    turns: list[int] = field(default_factory=list)
    """Which upstream each one went to (their index), in the same order."""


@contextmanager
def reverse_proxy(
    upstream: str, *more: str, prefix: str = "", forwarded_headers: bool = True
) -> Iterator[Proxy]:
    """Serve ``prefix/...`` as ``upstream/...`` on 127.0.0.2; with ``more`` upstreams,
    each request goes to the next one in turn (round-robin, as nginx.conf's does).

    With ``forwarded_headers`` it says where the client was (X-Forwarded-Host, -Proto,
    -Prefix), as a proxy does; without, it passes the Host on, as a port mapping does.
    """
    proxy = Proxy("")
    upstreams = (upstream, *more)
    turns = itertools.cycle(range(len(upstreams)))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            with lock:
                turn = next(turns)
                proxy.forwarded.append(f"{self.command} {self.path}")
                proxy.turns.append(turn)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            if forwarded_headers:
                headers |= {
                    "X-Forwarded-Host": self.headers["Host"],
                    "X-Forwarded-Proto": "http",
                    "X-Forwarded-Prefix": prefix,
                }
            else:
                headers["Host"] = self.headers["Host"]
            answer = requests.request(
                self.command,
                upstreams[turn] + self.path.removeprefix(prefix),
                data=body,
                headers=headers,
                timeout=10,
            )
            self.send_response(answer.status_code)
            for key, value in answer.headers.items():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = _forward

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    proxy.url = f"http://127.0.0.2:{server.server_address[1]}{prefix}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
