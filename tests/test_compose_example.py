"""examples/compose/: the client container knows the mock only as http://efidem:8080.

No Docker engine runs here, so the file is checked for what makes it work, and its
client script runs against a live mock reached through another address, as a
container reaches the mock through the compose network: the WSDL it fetches must send
its calls back that way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from mock_efidem.server import MockServer

from .soap.proxy import reverse_proxy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "compose"


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((EXAMPLE / "docker-compose.yml").read_text())
    return document


def test_the_client_reaches_the_mock_by_its_service_name_and_port() -> None:
    services = compose()["services"]
    wsdl = urlsplit(services["app"]["environment"]["EFIDEM_WSDL"])
    assert (wsdl.hostname, wsdl.port, wsdl.path, wsdl.query) == ("efidem", 8080, "/soap", "wsdl")
    exposed = (ROOT / "Dockerfile").read_text().split("\nEXPOSE ", 1)[1].split()[0]
    assert str(wsdl.port) == exposed
    assert services["app"]["depends_on"]["efidem"]["condition"] == "service_healthy"


def test_the_mock_is_built_from_this_repository_with_a_shipped_scenario() -> None:
    efidem = compose()["services"]["efidem"]
    assert (EXAMPLE / efidem["build"]).resolve() == ROOT
    scenario = Path(efidem["environment"]["SCENARIO"])
    assert scenario.parent == Path("/scenarios")  # where the image copies scenarios/
    assert (ROOT / "scenarios" / scenario.name).is_file()
    assert "PUBLIC_URL" not in efidem["environment"]


def test_the_client_script_follows_the_wsdl_through_the_address_it_was_given(
    server: MockServer,
) -> None:
    with reverse_proxy(server.base_url, forwarded_headers=False) as network:
        result = subprocess.run(
            [sys.executable, str(EXAMPLE / "send_sms.py")],
            env={**os.environ, "EFIDEM_WSDL": f"{network.url}/soap?wsdl"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split()[1:] == ["1", "SMS", "accepté"]
    assert network.forwarded.count("POST /soap") == 2
