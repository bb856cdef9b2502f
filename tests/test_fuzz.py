"""5,000 seeded hostile inputs (issue 11): SOAP envelopes, DQE lookups, control calls and
scenarios, each mutated at random. Whatever comes in: no traceback in the log, no HTTP
500 but a SOAP fault, and the server still serves at the end."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from mock_efidem.server import MockServer
from mock_efidem.settings import Settings
from mock_efidem.soap.operations import OPERATIONS
from mock_efidem.world import DEFAULT_SCENARIO, shipped_scenario_text

SEED = 20261202
PER_KIND = 1250
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "true",
    "2026-13-45T99:99:99",
    "9999-12-31T23:59:59",
    "é" * 300,
    "📄 請求書",
    "<script>alert(1)</script>",
    "' or '1'='1",
    "\u202e\u0000".replace("\u0000", ""),
    "a" * 5000,
    "jean@example.fr",
    "0601020304",
    "+33(0)6.01.02.03.04",
    "%s%n",
    "../../etc/passwd",
]
Request = tuple[str, str, dict[str, Any]]


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def soap_call(rng: random.Random) -> Request:
    operation = rng.choice(OPERATIONS)
    children = []
    for param in operation.params:
        if rng.random() < 0.2:
            continue  # left out
        value = rng.choice(NASTY) if rng.random() < 0.7 else str(rng.randint(-(10**12), 10**12))
        if param.wire_type.startswith("ArrayOf") and rng.random() < 0.5:
            item = "string" if param.wire_type == "ArrayOfString" else param.wire_type[7:]
            value_xml = "".join(
                f"<{item}>{escape(value)}</{item}>" for _ in range(rng.randint(0, 4))
            )
        else:
            value_xml = escape(value)
        children.append(f"<{param.wire}>{value_xml}</{param.wire}>")
    namespace = rng.choice(["http://www.efidem.com/", "http://tempuri.org/", "", "urn:x"])
    envelope_ns = rng.choice([SOAP11, SOAP11, SOAP12, "urn:not-soap"])
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    body = (
        f'<s:Envelope xmlns:s="{envelope_ns}"><s:Body><{operation.wire_name}{xmlns}>'
        f"{''.join(children)}</{operation.wire_name}></s:Body></s:Envelope>"
    ).encode()
    body = mutate_bytes(rng, body)
    content_type = rng.choice(
        ["text/xml; charset=utf-8", "application/soap+xml", "text/plain", "", "text/xml; charset=x"]
    )
    return (
        "POST",
        rng.choice(["/soap", "/Service.asmx"]),
        {
            "data": body,
            "headers": {"Content-Type": content_type},
        },
    )


def mutate_bytes(rng: random.Random, body: bytes) -> bytes:
    roll = rng.random()
    if roll < 0.6:
        return body
    if roll < 0.75:
        return body[: rng.randint(0, len(body))]  # truncated
    if roll < 0.9:
        position = rng.randrange(len(body))
        return body[:position] + bytes([rng.randrange(256)]) + body[position + 1 :]
    return body.replace(b"<", b"<" * rng.randint(1, 3), 1)


def dqe_call(rng: random.Random) -> Request:
    params = {
        name: rng.choice(NASTY)
        for name in ("Email", "Licence", "Rectify", "extendedsyntax", "checkuser", "TimeOut",
                     "callback", "Nom", "Prenom", "Pays", "Instance")
        if rng.random() < 0.6
    }  # fmt: skip
    if rng.random() < 0.5:
        params["Licence"] = rng.choice(["DQE-DEMO-L1", "DQE-DEMO-L2"])
    if "TimeOut" in params:
        params["TimeOut"] = rng.choice(["0.01", "x", "-1", "1e309"])
    path = rng.choice(["/DQEEMAILLOOKUP/", "/MAILSUGGEST/", "/DQEEMAILLOOKUP"])
    if rng.random() < 0.5:
        return "GET", path, {"params": params}
    return "POST", path, {"data": params}


CONTROL_PATHS = [
    "/_mock/messages",
    "/_mock/messages/" + "0" * 32,
    "/_mock/messages/zz/status",
    "/_mock/messages/" + "0" * 32 + "/attachments/9",
    "/_mock/clock",
    "/_mock/clock/advance",
    "/_mock/clock/freeze",
    "/_mock/clock/unfreeze",
    "/_mock/clock/mode",
    "/_mock/statuses",
    "/_mock/journal",
    "/_mock/reset",
    "/_mock/inbox",
    "/_mock/inbox/x",
    "/_mock/nowhere",
]


def control_call(rng: random.Random) -> Request:
    body = rng.choice(
        [
            {},
            {"seconds": rng.choice([1, -5, "x", 1e309, None, [], 10**12])},
            {
                "mode": rng.choice(["time", "polls", "x", 3]),
                "polls_per_step": rng.choice([0, 2, "x"]),
            },
            {"status": rng.choice(NASTY), "recipient": rng.choice([0, -1, "x", None, 99])},
            {"account": rng.choice(NASTY)},
            [1, 2],
            "[" * 5000,
        ]
    )
    params = {
        key: rng.choice([*NASTY, "5", "0", "1001"])
        for key in ("channel", "account", "recipient", "status", "refclient", "limit", "before")
        if rng.random() < 0.3
    }
    params["wait"] = rng.choice(["0", "0.01", "x", "-1"])
    method = rng.choice(["GET", "POST", "POST", "PUT", "DELETE"])
    data = body if isinstance(body, str) else json.dumps(body)
    content_type = rng.choice(["application/json", "application/json", "text/plain"])
    return (
        method,
        rng.choice(CONTROL_PATHS),
        {
            "params": params,
            "data": data.encode(),
            "headers": {"Content-Type": content_type},
        },
    )


SHIPPED = [
    shipped_scenario_text(name) for name in (DEFAULT_SCENARIO, "chaos.yaml", "qa-error-codes.yaml")
]


def scenario_call(rng: random.Random) -> Request:
    lines = rng.choice(SHIPPED).splitlines()
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(lines))
        roll = rng.random()
        if roll < 0.4:
            del lines[position]
        elif roll < 0.8:
            lines[position] = lines[position].replace(
                ":", rng.choice([":", ": ", ":: ", ": &a"]), 1
            )
        else:
            lines.insert(position, rng.choice(NASTY))
        if not lines:
            break
    return (
        "POST",
        "/_mock/scenario",
        {
            "data": "\n".join(lines).encode("utf-8", "replace"),
            "headers": {"Content-Type": "application/yaml"},
        },
    )


class Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)


@pytest.fixture
def fuzzed() -> Iterator[tuple[MockServer, Tracebacks]]:
    caught = Tracebacks()
    root = logging.getLogger()
    root.addHandler(caught)
    try:
        with MockServer(Settings(port=0)) as running:
            yield running, caught
    finally:
        root.removeHandler(caught)


def is_soap_fault(response: requests.Response) -> bool:
    return b"Fault>" in response.content and "xml" in response.headers.get("Content-Type", "")


KINDS: list[Callable[[random.Random], Request]] = [soap_call, dqe_call, control_call, scenario_call]


def test_5000_hostile_inputs_leave_no_traceback_and_no_500(
    fuzzed: tuple[MockServer, Tracebacks],
) -> None:
    server, caught = fuzzed
    rng = random.Random(SEED)
    http = requests.Session()
    failures = []
    for kind in KINDS:
        for _ in range(PER_KIND):
            method, path, options = kind(rng)
            response = http.request(method, server.base_url + path, timeout=30, **options)
            if response.status_code >= 500 and not is_soap_fault(response):
                failures.append(
                    (kind.__name__, method, path, response.status_code, response.text[:200])
                )
        # Scenarios last changed the world: back to the default for the next kind.
        server.world.load(_default())
    assert failures == []
    assert [caught.format(r) for r in caught.records] == []
    assert http.get(f"{server.base_url}/_mock/health", timeout=10).status_code == 200


def _default() -> Any:
    from mock_efidem.world import shipped_scenario

    return shipped_scenario(DEFAULT_SCENARIO)
