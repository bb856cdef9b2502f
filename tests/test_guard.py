"""The control API belongs to whoever runs the mock (issue 11, point 3): no web page can
drive it (CSRF), no rebound host name can read it, and a token guards a shared one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from mock_efidem.api import MockApiError, MockEfidem
from mock_efidem.control.guard import Guard
from mock_efidem.server import MockServer
from mock_efidem.settings import Settings

TOKEN = "s3cret-token"
SEND_SMS = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    '<ENVOYER_SMS xmlns="http://www.efidem.com/"><UTILISATEUR>demo</UTILISATEUR>'
    "<MOT_DE_PASSE>demo</MOT_DE_PASSE><AppID>demo</AppID>"
    "<DESTINATION>0601020304</DESTINATION><TEXTE>hi</TEXTE></ENVOYER_SMS></s:Body></s:Envelope>"
)


def control(server: MockServer, path: str) -> str:
    return f"{server.base_url}/_mock{path}"


def send_sms(server: MockServer) -> None:
    requests.post(server.soap_url, data=SEND_SMS, timeout=10).raise_for_status()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/plain", '{"seconds": 86400}'), ("application/x-www-form-urlencoded", "seconds=1")],
)
def test_a_cors_simple_post_is_refused_and_changes_nothing(
    server: MockServer, content_type: str, body: str
) -> None:
    before = requests.get(control(server, "/clock"), timeout=10).json()["now"]
    response = requests.post(
        control(server, "/clock/advance"),
        data=body,
        headers={"Content-Type": content_type},
        timeout=10,
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]
    assert requests.get(control(server, "/clock"), timeout=10).json()["now"][:16] == before[:16]


def test_a_bodiless_post_is_refused_too(server: MockServer) -> None:
    send_sms(server)
    assert requests.post(control(server, "/reset"), timeout=10).status_code == 415
    assert requests.get(control(server, "/health"), timeout=10).json()["messages"] == 1


def test_a_foreign_origin_is_refused_even_with_json(server: MockServer) -> None:
    send_sms(server)
    response = requests.post(
        control(server, "/reset"),
        json={},
        headers={"Origin": "http://attacker.example"},
        timeout=10,
    )
    assert response.status_code == 403
    assert "attacker.example" in response.json()["error"]
    assert requests.get(control(server, "/health"), timeout=10).json()["messages"] == 1


def test_the_mocks_own_origin_is_welcome(server: MockServer) -> None:
    response = requests.post(
        control(server, "/clock/freeze"), json={}, headers={"Origin": server.base_url}, timeout=10
    )
    assert response.status_code == 200


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8080", "10.0.0.5"])
def test_a_rebound_host_name_reads_nothing(server: MockServer, host: str) -> None:
    send_sms(server)
    response = requests.get(control(server, "/messages"), headers={"Host": host}, timeout=10)
    assert response.status_code == 403
    assert "rebinding" in response.json()["error"]


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "127.0.0.2"])
def test_loopback_host_names_are_answered(server: MockServer, host: str) -> None:
    response = requests.get(
        control(server, "/messages"), headers={"Host": f"{host}:{server.port}"}, timeout=10
    )
    assert response.status_code == 200


def test_soap_stays_open_to_any_host(server: MockServer) -> None:
    response = requests.post(
        server.soap_url, data=SEND_SMS, headers={"Host": "efidem:8080"}, timeout=10
    )
    assert response.status_code == 200


def test_bound_to_every_interface_the_host_is_not_checked() -> None:
    request = Request(
        EnvironBuilder(path="/_mock/messages", headers={"Host": "efidem"}).get_environ()
    )
    assert Guard("0.0.0.0", None).refusal(request) is None
    assert Guard("127.0.0.1", None).refusal(request) is not None


@pytest.fixture(scope="module")
def guarded() -> Iterator[MockServer]:
    with MockServer(Settings(port=0, admin_token=TOKEN)) as running:
        yield running


def test_the_token_is_needed_on_the_control_api(guarded: MockServer) -> None:
    send_sms(guarded)  # SOAP needs no token
    url = control(guarded, "/messages")
    assert requests.get(url, timeout=10).status_code == 401
    wrong = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong.status_code == 401
    right = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert right.status_code == 200 and right.json()["total"] == 1
    assert requests.get(control(guarded, "/health"), timeout=10).status_code == 200


def test_the_inbox_asks_for_the_token_and_remembers_it_in_a_cookie(guarded: MockServer) -> None:
    browser = requests.Session()
    page = browser.get(control(guarded, "/inbox"), timeout=10)
    assert page.status_code == 401 and 'name="token"' in page.text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"

    refused = browser.post(control(guarded, "/login"), data={"token": "nope"}, timeout=10)
    assert refused.status_code == 401 and "wrong token" in refused.text
    login = browser.post(control(guarded, "/login"), data={"token": TOKEN}, timeout=10)

    assert login.status_code == 200 and "inbox" in login.text  # followed the redirect
    cookie = next(c for c in browser.cookies if c.name == "mock_efidem_token")
    assert cookie.path == "/_mock" and cookie.has_nonstandard_attr("HttpOnly")
    assert browser.get(control(guarded, "/messages"), timeout=10).status_code == 200


def test_the_python_api_carries_the_token(
    guarded: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(MockApiError) as refused:
        MockEfidem.connect(guarded.base_url).messages()
    assert refused.value.status == 401

    assert MockEfidem.connect(guarded.base_url, admin_token=TOKEN).messages() is not None
    monkeypatch.setenv("MOCK_EFIDEM_ADMIN_TOKEN", TOKEN)
    MockEfidem.connect(guarded.base_url).advance(1)
