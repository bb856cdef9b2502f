"""DELETE /_mock/messages/{id}: the mock forgets one message, for good (issue 13)."""

from __future__ import annotations

import pytest

from mock_efidem.api import MockApiError, MockEfidem
from mock_efidem.server import MockServer
from tests.inbox_api.conftest import control, send_email, send_sms

UNKNOWN_ID = "f" * 32


def listed(server: MockServer, **params: str) -> list[str]:
    return [m["id"] for m in control(server, "GET", "/messages", params=params).json()["messages"]]


def test_a_deleted_message_is_gone_from_every_view(server: MockServer) -> None:
    kept, gone = send_sms(server), send_sms(server, "0611223344")

    answer = control(server, "DELETE", f"/messages/{gone.upper()}")

    assert (answer.status_code, answer.json()) == (200, {"deleted": gone})
    assert control(server, "GET", f"/messages/{gone}").status_code == 404
    assert listed(server) == [kept]
    assert listed(server, channel="sms", account="demo") == [kept]
    assert listed(server, q="0611223344") == []
    page = control(server, "GET", "/messages").json()
    assert page["total"] == 1
    assert control(server, "GET", "/health").json()["messages"] == 1
    assert control(server, "DELETE", f"/messages/{gone}").status_code == 404


def test_an_unknown_message_is_a_404(server: MockServer) -> None:
    answer = control(server, "DELETE", f"/messages/{UNKNOWN_ID}")
    assert answer.status_code == 404
    assert answer.json() == {"error": f"no message with id {UNKNOWN_ID}", "status": 404}


def test_its_due_steps_never_bring_it_back(server: MockServer) -> None:
    control(server, "POST", "/clock/freeze", json={})
    message_id = send_email(server)
    control(server, "DELETE", f"/messages/{message_id}")

    control(server, "POST", "/clock/advance", json={"seconds": 86_400})

    assert listed(server) == []
    assert listed(server, status="delivered") == []
    assert control(server, "GET", "/messages", params={"wait": 0.3}).json()["count"] == 0
    assert control(server, "GET", f"/messages/{message_id}").status_code == 404
    assert server.world.backend.store.next_due() is None


def test_the_deletion_is_journalled_with_its_message(server: MockServer) -> None:
    message_id = send_sms(server)
    control(server, "DELETE", f"/messages/{message_id}")
    journal = control(server, "GET", "/journal", params={"message_id": message_id}).json()
    assert [e["operation"] for e in journal["entries"]] == ["delete_message", "ENVOYER_SMS"]


def test_the_python_api_deletes_a_message(server: MockServer) -> None:
    mock = MockEfidem.connect(server.base_url)
    message_id = send_sms(server)

    assert mock.delete_message(message_id) == {"deleted": message_id}
    assert mock.messages() == []
    with pytest.raises(MockApiError, match="no message with id") as unknown:
        mock.delete_message(message_id)
    assert unknown.value.status == 404
