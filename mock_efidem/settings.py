"""How one mock instance is configured: the CLI flags of the contract, as data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mock_efidem.domain.store import DEFAULT_MAX_MESSAGES
from mock_efidem.journal import DEFAULT_BODY_LIMIT, DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_NAMESPACE = "http://www.efidem.com/"
SOAP_PATH = "/soap"
DEFAULT_MAX_CONNECTIONS = 4096
DEFAULT_IDLE_TIMEOUT = 10.0
MEMORY_STORE = "memory"
DEFAULT_STORE_PREFIX = "mock-efidem"


@dataclass(frozen=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    scenario: Path | None = None
    namespace: str = DEFAULT_NAMESPACE
    public_url: str | None = None
    seed: int | None = None
    max_messages: int = DEFAULT_MAX_MESSAGES
    """Beyond it the oldest finished messages are evicted (never one still on its way)."""
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    """Open connections served at once; more wait in the listen backlog."""
    max_long_polls: int = 64
    """Long polls waiting at once, each on a thread of its own; one more is a 503."""
    max_event_streams: int = 32
    """Event streams (GET /_mock/events) open at once, each on a thread of its own; one
    more is a 503."""
    event_stream_seconds: float = 300.0
    """An event stream ends after this long; the browser's EventSource reconnects."""
    admin_token: str | None = None
    """Required as ``Authorization: Bearer`` on /_mock/ (but its health check) when set."""
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    """Seconds a kept-alive connection may sit idle (no call in progress) before closing."""
    journal_size: int = DEFAULT_MAX_ENTRIES
    """Calls the journal keeps; the oldest go first."""
    journal_bytes: int = DEFAULT_MAX_BYTES
    """What the journal's entries may weigh in all (bodies, headers, fields)."""
    journal_body_limit: int = DEFAULT_BODY_LIMIT
    """Each request and response body is kept up to this size (the full size is noted)."""
    store: str = MEMORY_STORE
    """Where the world lives: ``memory`` (this process), or a ``redis://HOST:PORT/DB``
    URL shared by every worker and replica that names it."""
    store_prefix: str = DEFAULT_STORE_PREFIX
    """Every Redis key starts with it: mocks with different prefixes share one Redis
    without seeing each other."""
    workers: int = 1
    """Processes serving one port (more than one needs a shared store)."""
    listen_fd: int | None = None
    """The socket the parent of ``--workers`` bound (not listening) and handed down: the
    worker listens on the same address with a socket of its own (SO_REUSEPORT)."""

    @property
    def shared(self) -> bool:
        return self.store != MEMORY_STORE

    @property
    def public_host(self) -> str:
        """The host clients on this machine reach the server at, as a URL writes it."""
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        return f"[{host}]" if ":" in host else host

    def soap_url(self, bound_port: int) -> str:
        """The service address: the public URL, else this machine's."""
        if self.public_url:
            return self.public_url
        return f"http://{self.public_host}:{bound_port}{SOAP_PATH}"
