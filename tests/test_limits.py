"""Limits a careful user never reaches and an abuser cannot push past (issue 11, in part):
connections and idle keep-alives, attachments up to the body limit, absurd XML."""

from __future__ import annotations

import base64
import hashlib
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from lxml import etree

from mock_efidem.server import MockServer
from mock_efidem.settings import Settings
from mock_efidem.soap.endpoint import MAX_BODY_BYTES

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
AUTH = "<UTILISATEUR>demo</UTILISATEUR><MOT_DE_PASSE>demo</MOT_DE_PASSE><AppID>demo</AppID>"


def envelope(call: str) -> bytes:
    return (f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body>{call}</s:Body></s:Envelope>').encode()


def fault_string(response: requests.Response) -> str:
    assert response.status_code == 500, response.text[:300]
    return etree.fromstring(response.content).findtext(".//faultstring") or ""


def healthy(server: MockServer) -> bool:
    return requests.get(f"{server.base_url}/_mock/health", timeout=5).status_code == 200


def test_500_idle_connections_leave_room_for_a_new_client(server: MockServer) -> None:
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(500)]
    try:
        started = time.monotonic()
        assert healthy(server)
        assert time.monotonic() - started < 1.0
    finally:
        for connection in idle:
            connection.close()


@pytest.fixture(scope="module")
def impatient() -> Iterator[MockServer]:
    with MockServer(Settings(port=0, idle_timeout=0.5)) as running:
        yield running


def test_an_idle_kept_alive_connection_is_closed_after_the_idle_timeout(
    impatient: MockServer,
) -> None:
    with socket.create_connection(("127.0.0.1", impatient.port)) as idle:
        idle.settimeout(5)
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server
        assert time.monotonic() - started < 3.0


def test_a_20_mb_attachment_is_stored_and_downloaded_intact(server: MockServer) -> None:
    content = hashlib.sha256(b"seed").digest() * (20 * 1024 * 1024 // 32)
    call = (
        f'<ENVOYER_EMAIL xmlns="http://www.efidem.com/">{AUTH}'
        "<DESTINATION>jean@example.fr</DESTINATION><SUJET>s</SUJET><TEXTE>t</TEXTE>"
        "<EMETTEUR>app@example.com</EMETTEUR><LISTE_FICHIERS><LISTE_FICHIER>"
        f"<NOM>gros.pdf</NOM><CONTENU>{base64.b64encode(content).decode()}</CONTENU>"
        "</LISTE_FICHIER></LISTE_FICHIERS></ENVOYER_EMAIL>"
    )
    body = envelope(call)
    assert len(body) < MAX_BODY_BYTES

    response = requests.post(server.soap_url, data=body, timeout=60)
    assert response.status_code == 200, response.text[:300]
    message_id = etree.fromstring(response.content).findtext(".//{*}ENVOYER_EMAILResult")
    download = requests.get(
        f"{server.base_url}/_mock/messages/{message_id}/attachments/0", timeout=60
    )
    assert download.status_code == 200
    assert hashlib.sha256(download.content).digest() == hashlib.sha256(content).digest()


def test_a_body_of_millions_of_empty_elements_is_refused_at_once(server: MockServer) -> None:
    filler = b"<a/>" * ((MAX_BODY_BYTES - 1024) // 4)
    head, tail = envelope("<VERIFIER_ADRESSE_EMAIL>|</VERIFIER_ADRESSE_EMAIL>").split(b"|")
    started = time.monotonic()
    response = requests.post(server.soap_url, data=head + filler + tail, timeout=60)
    assert "tags" in fault_string(response)
    assert time.monotonic() - started < 5.0
    assert healthy(server)


def test_absurdly_deep_xml_is_a_client_fault(server: MockServer) -> None:
    deep = "<a>" * 5000 + "</a>" * 5000
    response = requests.post(server.soap_url, data=envelope(deep), timeout=30)
    assert "depth" in fault_string(response).lower()
    assert healthy(server)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<?xml version='1.0' encoding='klingon'?><a/>", "text/xml"),
        ("<s:Envelope xmlns:s='x'>é</s:Envelope>".encode("latin-1"), "text/xml; charset=utf-8"),
    ],
    ids=["unknown charset", "invalid UTF-8"],
)
def test_a_bad_encoding_is_a_client_fault(
    server: MockServer, body: bytes, content_type: str
) -> None:
    response = requests.post(
        server.soap_url, data=body, headers={"Content-Type": content_type}, timeout=10
    )
    assert "well-formed" in fault_string(response)
    assert healthy(server)


def test_deeply_nested_json_to_the_control_api_is_a_400(server: MockServer) -> None:
    response = requests.post(
        f"{server.base_url}/_mock/reset",
        data="[" * 100_000 + "]" * 100_000,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert "nested" in response.json()["error"]


def test_a_dqe_form_of_1500_parts_is_a_413(server: MockServer) -> None:
    parts = {f"part{n}": ("a.txt", b"x") for n in range(1500)}
    response = requests.post(f"{server.base_url}/DQEEMAILLOOKUP/", files=parts, timeout=10)
    assert response.status_code == 413
    assert response.json()["status"] == 413
    assert healthy(server)


def test_an_attachment_with_a_unicode_name_downloads_with_that_name(server: MockServer) -> None:
    name = "facture 📄 請求書.pdf"
    call = (
        f'<ENVOYER_EMAIL xmlns="http://www.efidem.com/">{AUTH}'
        "<DESTINATION>jean@example.fr</DESTINATION><SUJET>s</SUJET><TEXTE>t</TEXTE>"
        f"<EMETTEUR>app@example.com</EMETTEUR><LISTE_FICHIERS><LISTE_FICHIER><NOM>{name}</NOM>"
        "<CONTENU>JVBERi0xLjQ=</CONTENU></LISTE_FICHIER></LISTE_FICHIERS></ENVOYER_EMAIL>"
    )
    sent = requests.post(server.soap_url, data=envelope(call), timeout=10)
    message_id = etree.fromstring(sent.content).findtext(".//{*}ENVOYER_EMAILResult")

    download = requests.get(
        f"{server.base_url}/_mock/messages/{message_id}/attachments/0", timeout=10
    )

    assert download.status_code == 200 and download.content == b"%PDF-1.4"
    disposition = download.headers["Content-Disposition"]
    assert (
        "filename*=UTF-8''facture%20%F0%9F%93%84%20%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf" in disposition
    )
    assert disposition.isascii()


ALIAS_BOMB = "\n".join(
    ["name: bomb", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{c}: &{c} [{','.join(['*' + p] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


def post_scenario(server: MockServer, text: str) -> requests.Response:
    return requests.post(
        f"{server.base_url}/_mock/scenario",
        data=text.encode(),
        headers={"Content-Type": "application/yaml"},
        timeout=30,
    )


def test_a_yaml_alias_bomb_is_refused_within_a_second(server: MockServer) -> None:
    assert len(ALIAS_BOMB) < 1000
    started = time.monotonic()
    response = post_scenario(server, ALIAS_BOMB)
    assert time.monotonic() - started < 1.0
    assert response.status_code == 400
    (problem,) = response.json()["problems"]
    assert "anchors" in problem["message"] and problem["line"] > 1
    assert requests.get(f"{server.base_url}/_mock/scenario", timeout=5).json()["name"] == "default"


def test_a_few_anchors_are_still_welcome(server: MockServer) -> None:
    text = (
        "name: anchors\naccounts:\n  - &demo {user: demo, password: demo, app_id: demo}\n"
        "  - {<<: *demo, user: other}\n"
    )
    try:
        response = post_scenario(server, text)
        assert response.status_code == 200, response.text
        assert response.json()["accounts"] == ["demo", "other"]
    finally:
        server.world.load(_default())


def _default() -> Any:
    from mock_efidem.world import DEFAULT_SCENARIO, shipped_scenario

    return shipped_scenario(DEFAULT_SCENARIO)


def test_a_scenario_over_256_kib_is_refused_at_once(server: MockServer) -> None:
    text = "name: big\n" + "# padding\n" * 30_000
    started = time.monotonic()
    response = post_scenario(server, text)
    assert response.status_code == 400
    assert "256 KiB" in response.json()["problems"][0]["message"]
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    ("start", "says"),
    [("'not a date'", "not an ISO 8601 date"), ("9999-12-31T23:59:00", "from 1900 to 8999")],
)
def test_check_refuses_a_bad_clock_start_with_its_place(
    tmp_path: Any, start: str, says: str
) -> None:
    import subprocess
    import sys

    scenario = tmp_path / "clock.yaml"
    scenario.write_text(f"name: clock\nclock:\n  start: {start}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mock_efidem", "check", str(scenario)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"{scenario}:3:10: clock/start: ")
    assert says in result.stderr and "Traceback" not in result.stderr


def test_the_clock_cannot_be_advanced_past_9999(server: MockServer) -> None:
    advance = f"{server.base_url}/_mock/clock/advance"
    ten_years = {"seconds": 10 * 365 * 86_400}
    answers = [requests.post(advance, json=ten_years, timeout=10).status_code for _ in range(900)]
    assert answers[-1] == 400 and 200 in answers
    assert healthy(server)
    now = requests.get(f"{server.base_url}/_mock/clock", timeout=10).json()["now"]
    assert now.startswith("9")
    sms = f'<ENVOYER_SMS xmlns="http://www.efidem.com/">{AUTH}<DESTINATION>0601020304'
    sms += "</DESTINATION><TEXTE>hi</TEXTE></ENVOYER_SMS>"
    sent = requests.post(server.soap_url, data=envelope(sms), timeout=10)
    assert sent.status_code == 200, sent.text


def test_a_catastrophic_regex_in_a_scenario_matches_in_linear_time() -> None:
    from mock_efidem.scenario.loader import load_text

    scenario = load_text(
        "name: regex\naccounts:\n  - {user: demo, password: demo, app_id: demo}\n"
        "responses:\n  - {when: {TEXTE: {regex: '^(a+)+$'}}, code: -8}\n"
    )
    with MockServer(Settings(port=0), scenario) as running:
        call = (
            f'<ENVOYER_SMS xmlns="http://www.efidem.com/">{AUTH}<DESTINATION>0601020304'
            f"</DESTINATION><TEXTE>{'a' * 5000}b</TEXTE></ENVOYER_SMS>"
        )
        started = time.monotonic()
        response = requests.post(running.soap_url, data=envelope(call), timeout=30)
        assert time.monotonic() - started < 1.0
        assert response.status_code == 200
        result = etree.fromstring(response.content).findtext(".//{*}ENVOYER_SMSResult") or ""
        assert len(result) == 32  # an id: the text ends with b, the rule did not match


def test_check_explains_what_re2_refuses(tmp_path: Any) -> None:
    from mock_efidem.scenario.loader import ScenarioError, load_text

    with pytest.raises(ScenarioError) as refused:
        load_text("name: r\nresponses:\n  - {when: {TEXTE: {regex: '(a)\\1'}}, code: -8}\n")
    assert "no back-references" in str(refused.value)


def test_16_pending_long_polls_leave_a_send_answered_at_once(server: MockServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    poll = f"{server.base_url}/_mock/messages"
    sms = f'<ENVOYER_SMS xmlns="http://www.efidem.com/">{AUTH}<DESTINATION>0601020304'
    sms += "</DESTINATION><TEXTE>hi</TEXTE></ENVOYER_SMS>"
    with ThreadPoolExecutor(16) as pool:
        waiting = [
            pool.submit(requests.get, poll, params={"channel": "fax", "wait": 3}, timeout=30)
            for _ in range(16)
        ]
        time.sleep(0.5)  # all 16 are waiting now
        started = time.monotonic()
        sent = requests.post(server.soap_url, data=envelope(sms), timeout=10)
        took = time.monotonic() - started
        answers = [w.result() for w in waiting]
    assert sent.status_code == 200 and took < 0.1, f"the send took {took:.3f} s"
    assert [a.json()["count"] for a in answers] == [0] * 16


@pytest.fixture(scope="module")
def small_room() -> Iterator[MockServer]:
    with MockServer(Settings(port=0, max_long_polls=2)) as running:
        yield running


def test_a_long_poll_beyond_the_bound_is_told_to_retry(small_room: MockServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    poll = f"{small_room.base_url}/_mock/messages"
    with ThreadPoolExecutor(2) as pool:
        seated = [
            pool.submit(requests.get, poll, params={"channel": "fax", "wait": 2}, timeout=30)
            for _ in range(2)
        ]
        time.sleep(0.5)
        third = requests.get(poll, params={"channel": "fax", "wait": 2}, timeout=30)
        assert third.status_code == 503 and "retry" in third.json()["error"]
        assert [s.result().status_code for s in seated] == [200, 200]
    assert requests.get(poll, params={"wait": 0.1}, timeout=10).status_code == 200
