"""How one mock instance is configured: the CLI flags of the contract, as data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_NAMESPACE = "http://www.efidem.com/"
SOAP_PATH = "/soap"


@dataclass(frozen=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    scenario: Path | None = None
    namespace: str = DEFAULT_NAMESPACE
    public_url: str | None = None
    seed: int | None = None

    def soap_url(self, bound_port: int) -> str:
        """The service address the WSDL announces."""
        if self.public_url:
            return self.public_url
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{bound_port}{SOAP_PATH}"
