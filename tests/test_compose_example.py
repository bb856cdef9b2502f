"""examples/compose/: two replicas of the mock on one Redis, behind a round-robin proxy
that the client container knows as http://efidem:8080.

No Docker engine runs here, so the files are checked for what makes them work: the
compose file's services and environment, the proxy's configuration (nginx.conf), the
image's environment. Then the client script runs against the mock through another
address, as a container reaches it through the compose network: once against one
mock, and once against two replicas started with the compose file's own environment
on a live Redis, behind a round-robin proxy, where each call goes to the other replica.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import yaml

from mock_efidem.cli import build_parser
from mock_efidem.control.api import MAX_WAIT_SECONDS
from mock_efidem.server import MockServer
from mock_efidem.settings import MEMORY_STORE, Settings
from mock_efidem.soap.endpoint import MAX_BODY_BYTES

from .processes import run_cli, served
from .redis_server import RedisServer
from .soap.proxy import reverse_proxy

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "compose"
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
REPLICAS = ("mock-a", "mock-b")
STORE_VARIABLES = ("MOCK_EFIDEM_STORE", "MOCK_EFIDEM_STORE_PREFIX", "MOCK_EFIDEM_WORKERS")


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((EXAMPLE / "docker-compose.yml").read_text())
    return document


def services() -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"]
    return found


def exposed_port() -> int:
    return int(DOCKERFILE.split("\nEXPOSE ", 1)[1].split()[0])


def nginx() -> list[list[str]]:
    """nginx.conf's directives in order, each as its words, comments left out; a block's
    opening ends with "{" (``["upstream", "mock_efidem", "{"]``), its end is ``["}"]``."""
    text = re.sub(r"#[^\n]*", "", (EXAMPLE / "nginx.conf").read_text(encoding="utf-8"))
    assert not re.sub(r"[^;{}]*[;{}]", "", text).strip(), "nginx.conf ends mid-directive"
    directives, depth = [], 0
    for statement, end in re.findall(r"([^;{}]*)([;{}])", text):
        words = statement.split()
        depth += {"{": 1, "}": -1, ";": 0}[end]
        assert depth >= 0 and (end == "}") == (not words), f"nginx.conf: {statement}{end}"
        directives.append([*words, "{"] if end == "{" else words or ["}"])
    assert depth == 0, "nginx.conf leaves a block open"
    return directives


def directive(name: str) -> list[str]:
    """The arguments of the one directive ``name`` in nginx.conf."""
    (found,) = [words[1:] for words in nginx() if words[0] == name]
    return found


def block(kind: str) -> list[list[str]]:
    """The directives inside nginx.conf's ``kind`` block (upstream, server, location)."""
    directives = nginx()
    start = next(i for i, words in enumerate(directives) if words[0] == kind)
    depth, inside = 0, []
    for words in directives[start:]:
        depth += 1 if words[-1:] == ["{"] else -1 if words == ["}"] else 0
        if depth == 0:
            return inside[1:]
        inside.append(words)
    raise AssertionError(f"no closed {kind} block")


def size(text: str) -> int:
    """An nginx size in bytes: ``40m``, ``64k``, ``1024``."""
    found = re.fullmatch(r"([0-9]+)([kKmMgG]?)", text)
    assert found, text
    return int(found.group(1)) * 1024 ** " kmg".index(found.group(2).lower() or " ")


def seconds(text: str) -> float:
    """An nginx time in seconds: ``5s``, ``330``, ``500ms``, ``5m``."""
    found = re.fullmatch(r"([0-9]+)(ms|s|m)?", text)
    assert found, text
    return int(found.group(1)) * {"ms": 0.001, "s": 1.0, "m": 60.0}[found.group(2) or "s"]


# --- the compose file -----------------------------------------------------------------


def test_one_redis_two_replicas_a_proxy_and_the_application() -> None:
    assert set(services()) == {"redis", *REPLICAS, "proxy", "app"}


def test_redis_is_the_official_image_with_append_only_on() -> None:
    redis = services()["redis"]
    assert redis["image"] == "redis:7"
    command = redis["command"]
    assert command[0] == "redis-server"
    assert command[command.index("--appendonly") + 1] == "yes"
    volume, target = redis["volumes"][0].split(":")[:2]
    assert target == "/data"  # where the image keeps its append-only file
    assert volume in compose()["volumes"]  # a named volume: the world outlives containers
    assert "redis-cli" in redis["healthcheck"]["test"]


def test_the_replicas_are_this_repository_s_image_on_the_one_redis() -> None:
    environments = [services()[name]["environment"] for name in REPLICAS]
    assert environments[0] == environments[1]  # one world: the same store and prefix
    for name in REPLICAS:
        replica = services()[name]
        assert (EXAMPLE / replica["build"]).resolve() == ROOT
        assert replica["depends_on"]["redis"]["condition"] == "service_healthy"
        environment = replica["environment"]
        store = urlsplit(environment["MOCK_EFIDEM_STORE"])
        assert (store.scheme, store.hostname, store.port, store.path) == (
            "redis", "redis", 6379, "/0",
        )  # fmt: skip
        assert store.hostname in services()
        assert environment["MOCK_EFIDEM_STORE_PREFIX"]
        assert int(environment["MOCK_EFIDEM_WORKERS"]) >= 1
        scenario = Path(environment["SCENARIO"])
        assert scenario.parent == Path("/scenarios")  # where the image copies scenarios/
        assert (ROOT / "scenarios" / scenario.name).is_file()
        assert "PUBLIC_URL" not in environment  # each client's address: the proxy's
        for published in replica["ports"]:
            host, _, port = published.rpartition(":")
            assert host.startswith("127.0.0.1:") and int(port) == exposed_port()


def test_the_application_knows_only_the_proxy_by_the_name_it_was_given() -> None:
    app, proxy = services()["app"], services()["proxy"]
    wsdl = urlsplit(app["environment"]["EFIDEM_WSDL"])
    assert (wsdl.hostname, wsdl.port, wsdl.path, wsdl.query) == ("efidem", 8080, "/soap", "wsdl")
    assert wsdl.hostname not in services()
    assert wsdl.hostname in proxy["networks"]["default"]["aliases"]
    assert wsdl.port == int(directive("listen")[0])
    assert app["depends_on"] == {"proxy": {"condition": "service_healthy"}}
    assert "/_mock/health" in proxy["healthcheck"]["test"][-1]
    assert proxy["ports"] == [f"127.0.0.1:{wsdl.port}:{wsdl.port}"]  # this machine only
    for name in REPLICAS:
        assert proxy["depends_on"][name]["condition"] == "service_healthy"


# --- the proxy --------------------------------------------------------------------


def test_the_proxy_is_nginx_with_its_configuration_mounted() -> None:
    proxy = services()["proxy"]
    image, _, tag = proxy["image"].partition(":")
    assert image == "nginx"
    # "resolve" in an upstream, without NGINX Plus: 1.27.3 and later (stable from 1.28).
    assert tuple(int(part) for part in tag.split(".")[:2]) >= (1, 28)
    assert proxy["volumes"] == ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    assert (EXAMPLE / "nginx.conf").is_file()


def test_the_proxy_names_every_replica_in_one_round_robin() -> None:
    upstream = block("upstream")
    servers = [words[1:] for words in upstream if words[0] == "server"]
    assert sorted(address for address, *_ in servers) == [
        f"{name}:{exposed_port()}" for name in REPLICAS
    ]
    assert all("resolve" in options for _, *options in servers)  # `--scale` is seen
    assert [words[0] for words in upstream if words[0] in ("zone", "hash", "ip_hash")] == [
        "zone"  # round-robin (no hash), shared by nginx's workers, as "resolve" needs
    ]
    assert directive("resolver")[0] == "127.0.0.11"  # Docker's DNS
    (name,) = [words[1] for words in nginx() if words[0] == "upstream"]
    assert directive("proxy_pass") == [f"http://{name}"]
    keepalive = seconds(directive("keepalive_timeout")[0])
    assert keepalive < Settings().idle_timeout  # nginx lets go of a connection first


def test_the_proxy_passes_on_what_the_mock_needs() -> None:
    assert ["proxy_set_header", "Host", "$http_host"] in nginx()  # the WSDL's address
    assert size(directive("client_max_body_size")[0]) > MAX_BODY_BYTES  # the mock's 413
    read_timeout = seconds(directive("proxy_read_timeout")[0])
    assert read_timeout > MAX_WAIT_SECONDS  # long polls
    assert read_timeout > Settings().event_stream_seconds  # live events
    assert directive("proxy_buffering") == ["off"]


# --- the image --------------------------------------------------------------------


def dockerfile_environment() -> dict[str, str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    pairs = re.findall(r"^ENV (.+)$", joined, flags=re.M)
    return dict(pair.split("=", 1) for line in pairs for pair in line.split())


def test_the_image_names_the_store_options_with_their_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in STORE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    defaults = vars(build_parser().parse_args(["serve"]))
    environment = dockerfile_environment()
    for variable in STORE_VARIABLES:
        option = variable.removeprefix("MOCK_EFIDEM_").lower()
        assert environment[variable] == str(defaults[option])
    assert environment["MOCK_EFIDEM_STORE"] == MEMORY_STORE
    (cmd,) = re.findall(r"^CMD (.+)$", DOCKERFILE, flags=re.M)
    for flag in ("--store", "--store-prefix", "--workers"):
        assert flag not in cmd  # the environment decides, as compose sets it


def test_serve_reads_the_store_options_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    environment = services()["mock-a"]["environment"]
    for variable in STORE_VARIABLES:
        monkeypatch.setenv(variable, str(environment[variable]))
    arguments = build_parser().parse_args(["serve"])
    assert (arguments.store, arguments.store_prefix, str(arguments.workers)) == tuple(
        str(environment[variable]) for variable in STORE_VARIABLES
    )


def test_the_image_installs_the_redis_client() -> None:
    assert re.search(r"^RUN pip install \.$", DOCKERFILE, flags=re.M)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = [
        re.split(r"[<>=!~; \[]", d, maxsplit=1)[0] for d in pyproject["project"]["dependencies"]
    ]
    assert "redis" in names


def test_the_build_context_leaves_out_what_the_image_never_copies() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    copies = re.findall(r"^COPY (.+)$", DOCKERFILE, flags=re.M)
    copied = {source for words in copies for source in words.split()[:-1]}
    assert "examples" in ignored
    assert not copied & set(ignored)


# --- the client script, live --------------------------------------------------------


def run_client(wsdl: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLE / "send_sms.py")],
        env={**os.environ, "EFIDEM_WSDL": wsdl},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_client_script_follows_the_wsdl_through_the_address_it_was_given(
    server: MockServer,
) -> None:
    with reverse_proxy(server.base_url, forwarded_headers=False) as network:
        result = run_client(f"{network.url}/soap?wsdl")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split()[1:] == ["1", "SMS", "accepté"]
    assert network.forwarded.count("POST /soap") == 2


def test_the_client_script_through_two_replicas_on_one_redis() -> None:
    """The replicas run with the compose file's environment (workers included), Redis's
    address aside; the send and the status poll land on different replicas."""
    environment = {k: str(v) for k, v in services()["mock-a"]["environment"].items()}
    scenario = Path(environment.pop("SCENARIO")).stem  # the image's CMD gives --scenario
    with RedisServer() as redis, ExitStack() as stack:
        environment["MOCK_EFIDEM_STORE"] = redis.url
        replicas = [
            stack.enter_context(served("--scenario", scenario, **environment))[1] for _ in REPLICAS
        ]
        with reverse_proxy(*replicas, forwarded_headers=False) as proxy:  # nginx.conf's
            result = run_client(f"{proxy.url}/soap?wsdl")
        assert result.returncode == 0, result.stdout + result.stderr
        message_id, *status = result.stdout.split()
        assert status == ["1", "SMS", "accepté"]
        turns = zip(proxy.turns, proxy.forwarded, strict=True)
        posts = [turn for turn, request in turns if request == "POST /soap"]
        assert len(posts) == 2 and posts[0] != posts[1]  # sent to one, polled on the other
        for replica in replicas:  # each one has it
            found = requests.get(f"{replica}/_mock/messages/{message_id}", timeout=10)
            assert found.json()["id"] == message_id


def test_the_replicas_environment_is_refused_with_the_memory_store() -> None:
    """--workers above 1 needs the shared store: the compose file's MOCK_EFIDEM_WORKERS
    with the image's default store would be a usage error, not a diverging world."""
    workers = int(services()["mock-a"]["environment"]["MOCK_EFIDEM_WORKERS"])
    if workers == 1:
        pytest.skip("the compose file runs one process per replica")
    result = run_cli("serve", "--port", "0", MOCK_EFIDEM_STORE=MEMORY_STORE,
                     MOCK_EFIDEM_WORKERS=str(workers))  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "--store" in result.stderr
