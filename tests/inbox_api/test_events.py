"""GET /_mock/events: what an open inbox hears, as it happens (issue 13)."""

from __future__ import annotations

import time
from collections.abc import Callable

import requests

from mock_efidem.server import MockServer
from tests.inbox_api.conftest import Listener, control, send_email, send_sms, soap

Listen = Callable[[], Listener]


def test_a_stream_is_server_sent_events_that_say_how_to_reconnect(server: MockServer) -> None:
    with requests.get(f"{server.base_url}/_mock/events", stream=True, timeout=10) as answer:
        first = next(answer.iter_lines(decode_unicode=True))
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("text/event-stream")
        assert answer.headers["Cache-Control"] == "no-cache"
        assert answer.headers["X-Accel-Buffering"] == "no"
    assert first == "retry: 1000"


def test_a_send_is_heard_within_a_second_with_its_journal_entry(
    server: MockServer, listen: Listen
) -> None:
    listener = listen()
    started = time.monotonic()
    message_id = send_sms(server)

    created = listener.next("message", timeout=1.0, id=message_id)
    call = listener.next("call", timeout=1.0, operation="ENVOYER_SMS")

    assert time.monotonic() - started < 1.0
    assert created.data == {
        "id": message_id,
        "channel": "sms",
        "account": "demo",
        "change": "created",
    }
    entry = control(server, "GET", "/journal", params={"operation": "ENVOYER_SMS"}).json()
    assert call.data == {
        "id": entry["entries"][0]["id"],
        "protocol": "soap",
        "operation": "ENVOYER_SMS",
        "account": "demo",
        "result": "ok",
        "http_status": 200,
    }
    assert int(call.id or 0) > int(created.id or 0)  # ids grow, event by event


def test_a_status_due_on_the_frozen_clock_is_heard_when_it_advances_unread(
    server: MockServer, listen: Listen
) -> None:
    control(server, "POST", "/clock/freeze", json={})
    message_id = send_email(server)
    listener = listen()
    listener.quiet_for(1.5, "message", id=message_id, change="status")

    control(server, "POST", "/clock/advance", json={"seconds": 60})

    # Nothing reads the message: the hub fires what fell due.
    listener.next("message", timeout=1.5, id=message_id, change="status")
    calls = control(server, "GET", "/journal", params={"message_id": message_id}).json()
    assert [e["operation"] for e in calls["entries"]] == ["ENVOYER_EMAIL"]


def test_a_status_due_on_the_running_clock_is_heard_unread(
    server: MockServer, listen: Listen
) -> None:
    listener = listen()
    message_id = send_sms(server)  # sent_to_operator is due a second later
    started = time.monotonic()
    listener.next("message", timeout=3.0, id=message_id, change="status")
    assert 0.5 < time.monotonic() - started < 2.5


def test_a_forced_status_is_heard(server: MockServer, listen: Listen) -> None:
    control(server, "POST", "/clock/freeze", json={})
    message_id = send_email(server)
    listener = listen()

    forced = control(server, "POST", f"/messages/{message_id}/status", json={"status": "opened"})

    assert forced.status_code == 200
    listener.next("message", id=message_id, change="status")


def test_polls_in_poll_mode_are_heard(server: MockServer, listen: Listen) -> None:
    control(server, "POST", "/clock/mode", json={"mode": "polls"})
    message_id = send_sms(server)
    listener = listen()

    soap(server, "STATUT_SMS", f"<MESSAGEID>{message_id}</MESSAGEID>")

    listener.next("message", id=message_id, change="status")


def test_a_deletion_is_heard(server: MockServer, listen: Listen) -> None:
    message_id = send_sms(server)
    listener = listen()

    assert control(server, "DELETE", f"/messages/{message_id}").status_code == 200

    heard = listener.next("message", id=message_id, change="deleted")
    assert heard.data == {
        "id": message_id,
        "channel": "sms",
        "account": "demo",
        "change": "deleted",
    }


def test_the_clock_is_heard_when_it_moves_freezes_or_runs(
    server: MockServer, listen: Listen
) -> None:
    listener = listen()

    frozen = control(server, "POST", "/clock/freeze", json={}).json()
    assert listener.next("clock").data == {"now": frozen["now"], "frozen": True}
    advanced = control(server, "POST", "/clock/advance", json={"seconds": 3600}).json()
    assert listener.next("clock").data == {"now": advanced["now"], "frozen": True}
    control(server, "POST", "/clock/unfreeze", json={})
    assert listener.next("clock").data["frozen"] is False


def test_resets_and_a_loaded_scenario_are_heard(private: MockServer) -> None:
    listener = Listener(private.base_url)
    try:
        control(private, "POST", "/reset", json={"account": "demo"})
        assert listener.next("reset").data == {"account": "demo"}
        control(private, "POST", "/reset", json={})
        assert listener.next("reset").data == {"account": None}
        scenario = "name: posted\naccounts: [{user: demo, password: demo, app_id: demo}]\n"
        yaml = {"Content-Type": "application/yaml"}
        loaded = control(private, "POST", "/scenario", data=scenario, headers=yaml)
        assert loaded.status_code == 200, loaded.text
        assert listener.next("reset").data == {"account": None}
    finally:
        listener.close()


def test_control_calls_are_heard_but_not_the_stream_itself(
    server: MockServer, listen: Listen
) -> None:
    listener = listen()
    control(server, "GET", "/clock")
    heard = listener.next("call", operation="clock")
    assert (heard.data["protocol"], heard.data["result"], heard.data["http_status"]) == (
        "control",
        "200",
        200,
    )

    listener.close()
    time.sleep(0.3)
    journal = control(server, "GET", "/journal", params={"protocol": "control"}).json()
    assert [e["operation"] for e in journal["entries"]] == ["clock"]


def test_every_open_stream_hears_every_event(server: MockServer, listen: Listen) -> None:
    listeners = [listen() for _ in range(3)]
    message_id = send_sms(server)
    for listener in listeners:
        listener.next("message", id=message_id, change="created")
