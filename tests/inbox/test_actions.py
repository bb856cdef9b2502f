"""What the inbox's buttons send, sent as the page sends it: JSON, from the mock's own
origin (with an admin token, carrying the login's cookie)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mock_efidem.server import MockServer
from mock_efidem.settings import Settings
from tests.inbox.conftest import get, page, send_email, send_sms, texts

TOKEN = "inbox-token"


def from_page(server: MockServer, path: str, body: Any = None, **more: Any) -> requests.Response:
    """A fetch() of the inbox: same origin, a JSON body."""
    headers = {"Origin": server.base_url, **more.pop("headers", {})}
    return requests.post(
        f"{server.base_url}{path}", json=body or {}, headers=headers, timeout=10, **more
    )


def test_the_clock_buttons(server: MockServer) -> None:
    frozen = from_page(server, "/_mock/clock/freeze")
    advanced = from_page(server, "/_mock/clock/advance", {"seconds": 86_400})

    assert frozen.status_code == advanced.status_code == 200
    assert advanced.json()["frozen"] is True
    html = page(server, "/_mock/inbox")
    assert texts(html, "clock-time")[0][:10] == advanced.json()["now"][:10]


def test_forcing_a_recipient_from_its_page_then_its_state_redrawn(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    from_page(server, "/_mock/clock/freeze")
    message_id = send_email(soap, auth)

    forced = from_page(
        server, f"/_mock/messages/{message_id}/status", {"status": "opened", "recipient": 0}
    )
    state = get(server, f"/_mock/inbox/{message_id}/live").json()

    assert forced.status_code == 200
    recipient = state["recipients"][0]
    assert recipient["status"] == "Message ouvert (4)" and recipient["final"] is False
    assert [e["status"] for e in recipient["timeline"]] == [
        "Message accepté (1)",
        "Message envoyé (2)",
        "Message délivré (3)",
        "Message ouvert (4)",
    ]
    assert [c["name"] for c in recipient["reachable"]] == ["clicked", "complaint", "unsubscribed"]
    assert get(server, "/_mock/inbox/nope/live").status_code == 404


def test_a_shipped_scenario_loads_from_its_text(server: MockServer) -> None:
    text = get(server, "/_mock/inbox/scenarios/chaos")
    assert text.status_code == 200
    assert text.headers["Content-Type"] == "text/plain; charset=utf-8"

    loaded = requests.post(
        f"{server.base_url}/_mock/scenario",
        data=text.content,
        headers={"Content-Type": "application/yaml", "Origin": server.base_url},
        timeout=10,
    )
    try:
        assert loaded.status_code == 200 and loaded.json()["name"] == "chaos"
        assert texts(page(server, "/_mock/inbox"), "scenario-current") == ["chaos"]
    finally:
        default = get(server, "/_mock/inbox/scenarios/default").content
        requests.post(
            f"{server.base_url}/_mock/scenario",
            data=default,
            headers={"Content-Type": "application/yaml"},
            timeout=10,
        )
    for name in ("nope", "default.yaml", "%2E%2E%2Fpyproject"):
        assert get(server, f"/_mock/inbox/scenarios/{name}").status_code == 404


def test_clearing_one_account_leaves_the_others(
    server: MockServer, soap: Any, auth: dict[str, str]
) -> None:
    send_sms(soap, auth)

    cleared = from_page(server, "/_mock/reset", {"account": "demo"})

    assert cleared.status_code == 200
    assert texts(page(server, "/_mock/inbox"), "no-messages") == ["Nothing sent yet."]


def test_another_sites_page_cannot_press_the_buttons(server: MockServer) -> None:
    refused = from_page(
        server, "/_mock/clock/advance", {"seconds": 60}, headers={"Origin": "http://evil.test"}
    )
    assert refused.status_code == 403


@pytest.fixture(scope="module")
def guarded() -> Iterator[MockServer]:
    with MockServer(Settings(port=0, admin_token=TOKEN)) as running:
        yield running


def test_with_a_token_the_logins_cookie_opens_the_inbox_its_assets_and_buttons(
    guarded: MockServer,
) -> None:
    browser = requests.Session()
    base = guarded.base_url
    assert browser.get(f"{base}/_mock/static/inbox.js", timeout=10).status_code == 401

    browser.post(f"{base}/_mock/login", data={"token": TOKEN}, timeout=10)

    assert browser.get(f"{base}/_mock/inbox", timeout=10).status_code == 200
    assert browser.get(f"{base}/_mock/inbox/calls", timeout=10).status_code == 200
    assert browser.get(f"{base}/_mock/static/inbox.css", timeout=10).status_code == 200
    advanced = browser.post(
        f"{base}/_mock/clock/advance", json={"seconds": 60}, headers={"Origin": base}, timeout=10
    )
    assert advanced.status_code == 200
