"""The journal over real HTTP: every call with its request, its answer and why."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import requests

from mock_efidem.api import MockEfidem
from mock_efidem.server import MockServer
from mock_efidem.settings import Settings
from tests.journal.conftest import call, control

SEND = {"SUJET": "Bonjour", "TEXTE": "Texte", "EMETTEUR": "app@example.com"}


def only_entry(mock: MockEfidem, **filters: Any) -> dict[str, Any]:
    found = mock.calls(**filters)
    assert len(found) == 1, found
    return found[0]


def test_a_rejected_call_keeps_its_request_its_answer_and_why(mock: MockEfidem) -> None:
    answer = call(mock, "ENVOYER_EMAIL", DESTINATION="jean.dupont@", **SEND)
    assert answer.status_code == 200 and ">-9<" in answer.text

    entry = only_entry(mock, operation="ENVOYER_EMAIL")

    assert (entry["protocol"], entry["account"], entry["result"]) == ("soap", "demo", "-9")
    assert entry["why"] == {
        "table": "ENVOYER_EMAIL",
        "code": -9,
        "meaning": "recipient address malformed",
        "field": "DESTINATION",
        "value": "jean.dupont@",
    }
    full = mock._call("GET", f"/journal/{entry['id']}")
    assert "<e:DESTINATION>jean.dupont@</e:DESTINATION>" in full["request"]["body"]
    assert full["request"]["method"] == "POST" and full["request"]["target"] == "/soap"
    assert full["request"]["headers"]["Soapaction"].endswith("ENVOYER_EMAIL")
    assert full["response"]["body"] == answer.text
    assert full["response"]["status"] == full["http_status"] == 200
    assert full["response"]["size"] == len(answer.content)


def test_the_failed_rule_names_an_item_of_a_list(mock: MockEfidem) -> None:
    recipients = [{"DESTINATION": "0601020304"}, {"DESTINATION": "06010"}]
    call(mock, "MULTI_ENVOYER_SMS", DESTINATAIRE={"DESTINATAIRE": recipients}, TEXTE="Hi")

    why = only_entry(mock, operation="MULTI_ENVOYER_SMS")["why"]

    assert (why["code"], why["field"], why["value"]) == (-9, "DESTINATAIRE[2]/DESTINATION", "06010")


def test_wrong_credentials_name_the_user_never_the_password(mock: MockEfidem) -> None:
    call(mock, "STATUT_SMS", MOT_DE_PASSE="s3cret", MESSAGEID="x")

    why = only_entry(mock)["why"]

    assert (why["field"], why["value"], why["meaning"]) == (
        "UTILISATEUR",
        "demo",
        "wrong credentials",
    )


def test_a_forbidden_sequence_names_its_field(mock: MockEfidem) -> None:
    call(mock, "ENVOYER_SMS", DESTINATION="0601020304", TEXTE="<script>alert(1)</script>")

    why = only_entry(mock)["why"]

    assert (why["code"], why["field"], why["value"]) == (-7, "TEXTE", "<script")


def test_an_accepted_send_gives_its_message_id(mock: MockEfidem) -> None:
    answer = call(mock, "ENVOYER_SMS", DESTINATION="06 01 02 03 04", TEXTE="Hi")
    message_id = answer.text.split("ENVOYER_SMSResult>")[1].split("<")[0]
    call(mock, "STATUT_SMS", MESSAGEID=message_id)

    send, status = mock.calls()

    assert (send["result"], send["value"], send["message_ids"]) == ("ok", message_id, [message_id])
    assert (status["result"], status["message_ids"], status["why"]) == ("ok", [message_id], None)
    assert status["value"].lstrip("-").isdigit()
    assert [e["operation"] for e in mock.calls(message_id=message_id)] == [
        "ENVOYER_SMS",
        "STATUT_SMS",
    ]


def test_a_soap_fault_is_journalled_with_its_code(mock: MockEfidem) -> None:
    attachment = {"LISTE_FICHIER": {"NOM": "a.pdf", "CONTENU": "a"}}
    call(mock, "ENVOYER_EMAIL", DESTINATION="a@b.fr", LISTE_FICHIERS=attachment, **SEND)
    requests.post(mock.soap_url, data=b"<not-soap/>", timeout=10)

    bad_base64, not_soap = mock.calls()

    assert (bad_base64["result"], bad_base64["http_status"]) == ("fault", 500)
    assert bad_base64["why"]["fault"].endswith("Client.ValidationError")
    assert (not_soap["result"], not_soap["operation"], not_soap["http_status"]) == (
        "fault",
        "",
        500,
    )
    assert "Envelope" in not_soap["why"]["message"]


def test_dqe_calls_are_journalled_with_their_parameters(mock: MockEfidem) -> None:
    requests.get(
        f"{mock.base_url}/DQEEMAILLOOKUP/",
        params={"Email": "jean@gmail.com", "Licence": "DQE-DEMO-L1"},
        timeout=10,
    )
    entry = only_entry(mock, protocol="dqe")
    assert (entry["operation"], entry["account"]) == ("DQEEMAILLOOKUP", "DQE-DEMO-L1")
    assert entry["fields"]["Email"] == ["jean@gmail.com"]
    assert mock.calls(Email="jean@gmail.com") == [entry]


def test_control_calls_are_journalled_but_journal_reads_are_not(mock: MockEfidem) -> None:
    mock.advance(60)
    mock.messages()
    control(mock, "GET", "/journal")
    control(mock, "GET", "/health")

    found = mock.calls(protocol="control")

    assert [(e["operation"], e["result"]) for e in found] == [
        ("advance", "200"),
        ("messages", "200"),
    ]
    assert '"seconds": 60' in mock._call("GET", f"/journal/{found[0]['id']}")["request"]["body"]
    assert mock.calls() == []  # the application's calls only, by default


def test_a_wsdl_fetch_is_journalled_apart_from_the_calls(mock: MockEfidem) -> None:
    requests.get(mock.wsdl_url, timeout=10).raise_for_status()
    entry = only_entry(mock, protocol="wsdl")
    assert (entry["operation"], entry["result"], entry["request"]["target"]) == (
        "GET",
        "200",
        "/soap?wsdl",
    )
    assert mock.calls() == []


def test_a_reset_forgets_every_call_and_itself(mock: MockEfidem) -> None:
    call(mock, "STATUT_SMS", MESSAGEID="x")
    mock.reset()
    assert mock.calls(protocol="soap,dqe,control") == []


# --- transport faults, added at run time ------------------------------------------------


def fault(mock: MockEfidem, message_id: str, **effect: Any) -> None:
    rule = {"operation": "STATUT_EMAIL", "when": {"MESSAGEID": message_id}, **effect}
    mock.add_rule("faults", rule)


def test_a_connection_reset_is_journalled(mock: MockEfidem) -> None:
    fault(mock, "cut-me", reset=True)
    with pytest.raises(requests.ConnectionError):
        call(mock, "STATUT_EMAIL", MESSAGEID="cut-me")

    entry = mock._call("GET", f"/journal/{only_entry(mock)['id']}")

    assert entry["result"] == "reset"
    assert "reset" in entry["response"]["note"]
    assert entry["why"]["section"] == "faults" and entry["why"]["rule"].startswith("r")


@pytest.mark.parametrize(
    ("effect", "result", "note"),
    [
        ({"truncate": True}, "-99", "cut in the middle"),
        ({"empty": True}, "empty", "empty answer"),
        ({"http": {"status": 503, "body": "busy"}}, "503", None),
        ({"soap_fault": {"code": "Server", "message": "down"}}, "fault", None),
    ],
)
def test_each_transport_fault_is_journalled(
    mock: MockEfidem, effect: dict[str, Any], result: str, note: str | None
) -> None:
    fault(mock, "trouble", **effect)
    sent = call(mock, "STATUT_EMAIL", MESSAGEID="trouble")

    entry = mock._call("GET", f"/journal/{only_entry(mock)['id']}")

    assert entry["result"] == result
    assert entry["response"]["body"] == sent.text
    written = entry["response"].get("note")
    assert written is None if note is None else note in written
    assert entry["why"]["section"] == "faults"


def test_latency_counts_in_the_duration(mock: MockEfidem) -> None:
    fault(mock, "slow", latency=0.3)
    call(mock, "STATUT_EMAIL", MESSAGEID="slow")
    entry = only_entry(mock)
    assert entry["duration_ms"] >= 300 and entry["result"] == "-99"


# --- bounds -------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_cut_and_its_size_kept() -> None:
    with MockServer(Settings(port=0, journal_body_limit=100)) as server:
        handle = MockEfidem.connect(server.base_url)
        text = "x" * 5000
        call(handle, "ENVOYER_SMS", DESTINATION="0601020304", TEXTE=text)
        entry = handle._call("GET", f"/journal/{only_entry(handle)['id']}")
    request = entry["request"]
    assert (len(request["body"]), request["truncated"]) == (100, True)
    assert request["size"] > 5000
    assert entry["fields"]["TEXTE"] == [text[:1024]]  # fields are kept by their first KiB


def test_the_journal_keeps_the_newest_entries_within_its_count() -> None:
    with MockServer(Settings(port=0, journal_size=3)) as server:
        handle = MockEfidem.connect(server.base_url)
        for n in range(5):
            call(handle, "STATUT_SMS", MESSAGEID=f"m{n}")
        assert [e["fields"]["MESSAGEID"] for e in handle.calls()] == [["m2"], ["m3"], ["m4"]]


def test_an_unparsable_request_line_does_not_stop_the_journal(mock: MockEfidem) -> None:
    host, port = mock.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"POST /soap HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n\xff\xfe\x00")
        assert raw.recv(100).startswith(b"HTTP/1.1 500")
    assert only_entry(mock)["result"] == "fault"
