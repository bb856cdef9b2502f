"""The /_mock/ control API over real HTTP: forcing statuses, the clock and its modes,
the long-poll, message filters, the journal, resets, and 4xx answers to bad input."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from mock_efidem.domain.accounts import Account
from mock_efidem.domain.statuses import CATALOGUE, TRANSITIONS
from mock_efidem.server import MockServer

MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
UNKNOWN_ID = "f" * 32
Auth = dict[str, str]


class MockApi:
    def __init__(self, server: MockServer) -> None:
        self.base = f"{server.base_url}/_mock"
        self.http = requests.Session()

    def call(self, method: str, path: str, **options: Any) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=10, **options)

    def get(self, path: str, **params: Any) -> Any:
        response = self.call("GET", path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: Any = None) -> Any:
        response = self.call("POST", path, json=body if body is not None else {})
        assert response.status_code == 200, response.text
        return response.json()

    def advance(self, seconds: float) -> Any:
        return self.post("/clock/advance", {"seconds": seconds})

    def force(self, message_id: str, body: Any) -> requests.Response:
        json_type = {"Content-Type": "application/json"}  # also with no body at all
        return self.call("POST", f"/messages/{message_id}/status", json=body, headers=json_type)

    def statuses(self, message_id: str) -> list[str]:
        return [r["status"] for r in self.get(f"/messages/{message_id}")["recipients"]]

    def ids(self, **filters: Any) -> list[str]:
        return [m["id"] for m in self.get("/messages", **filters)["messages"]]


@pytest.fixture
def mock(server: MockServer) -> MockApi:
    return MockApi(server)


@pytest.fixture
def frozen(mock: MockApi) -> MockApi:
    """The /_mock/ API, the clock frozen so that only advances move messages."""
    mock.post("/clock/freeze")
    return mock


def assert_json_error(response: requests.Response, status: int) -> str:
    """A 4xx answer with the documented JSON body; returns the error text."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"].strip()
    return str(body["error"])


def send_email(soap: Any, auth: Auth, address: str = "jean@example.fr", **extra: Any) -> str:
    message_id: str = soap.ENVOYER_EMAIL(
        **auth,
        DESTINATION=address,
        SUJET="Test",
        TEXTE="Bonjour",
        EMETTEUR="a@example.com",
        **extra,
    )
    assert MESSAGE_ID.fullmatch(message_id), message_id
    return message_id


def send_sms(soap: Any, auth: Auth, number: str = "0601020304") -> str:
    message_id: str = soap.ENVOYER_SMS(**auth, DESTINATION=number, TEXTE="Test")
    assert MESSAGE_ID.fullmatch(message_id), message_id
    return message_id


def send_two_recipient_email(soap: Any, auth: Auth) -> str:
    message_id: str = soap.MULTI_ENVOYER_EMAIL(
        **auth,
        DESTINATION={
            "DESTINATAIRE": [
                {"DESTINATION": "a@example.fr", "REFCLIENT": "r-a"},
                {"DESTINATION": "b@example.fr", "REFCLIENT": "r-b"},
            ]
        },
        SUJET="Two",
        TEXTE="Bonjour",
        EMETTEUR="news@example.com",
    )
    assert MESSAGE_ID.fullmatch(message_id), message_id
    return message_id


def multi_statuses(soap: Any, auth: Auth, message_id: str) -> tuple[int, int]:
    return (
        soap.STATUT_MULTI_EMAIL(**auth, MESSAGEID=message_id, REFCLIENT="r-a"),
        soap.STATUT_MULTI_EMAIL(**auth, MESSAGEID=message_id, REFCLIENT="r-b"),
    )


# --- forced statuses ----------------------------------------------------------------


def test_forcing_a_legal_status_answers_the_message_and_soap_sees_it(
    soap: Any, auth: Auth, frozen: MockApi
) -> None:
    message_id = send_email(soap, auth)

    response = frozen.force(message_id, {"status": "sent"})

    assert response.status_code == 200, response.text
    recipient = response.json()["recipients"][0]
    assert (recipient["status"], recipient["status_code"]) == ("sent", 2)
    assert recipient["history"][-1]["detail"] == "forced"
    assert soap.STATUT_EMAIL(**auth, MESSAGEID=message_id) == 2


def test_a_forced_status_keeps_its_detail_and_stops_the_plan(
    soap: Any, auth: Auth, frozen: MockApi
) -> None:
    message_id = send_sms(soap, auth)
    assert frozen.force(message_id, {"status": "sent_to_operator"}).status_code == 200

    response = frozen.force(message_id, {"status": "not_delivered", "detail": "operator said no"})
    frozen.advance(86_400)

    assert response.status_code == 200, response.text
    recipient = frozen.get(f"/messages/{message_id}")["recipients"][0]
    assert [(e["status"], e["detail"]) for e in recipient["history"]] == [
        ("accepted", "accepted"),
        ("sent_to_operator", "forced"),
        ("not_delivered", "operator said no"),
    ]
    assert recipient["pending"] == []
    status = soap.STATUT_COMPLET_SMS(**auth, MESSAGEID=message_id)
    assert (status.CODE_STATUT, status.DESCRIPTION_STATUT) == (4, "SMS non délivré")


def test_forcing_a_later_status_walks_the_statuses_between(
    soap: Any, auth: Auth, frozen: MockApi
) -> None:
    message_id = send_email(soap, auth)

    response = frozen.force(message_id, {"status": "clicked"})

    assert response.status_code == 200, response.text
    history = response.json()["recipients"][0]["history"]
    assert [e["status"] for e in history] == ["accepted", "sent", "delivered", "opened", "clicked"]
    assert soap.STATUT_EMAIL(**auth, MESSAGEID=message_id) == 5


def test_forcing_an_unreachable_status_answers_409_naming_both_statuses(
    soap: Any, auth: Auth, frozen: MockApi
) -> None:
    message_id = send_email(soap, auth)
    frozen.force(message_id, {"status": "hard_bounce"})

    reason = assert_json_error(frozen.force(message_id, {"status": "delivered"}), 409)

    assert "delivered cannot be reached from hard_bounce" in reason
    assert frozen.statuses(message_id) == ["hard_bounce"]


def test_nothing_may_be_forced_after_a_final_status(soap: Any, auth: Auth, frozen: MockApi) -> None:
    message_id = send_sms(soap, auth)
    frozen.advance(6)
    assert frozen.statuses(message_id) == ["delivered"]

    reason = assert_json_error(frozen.force(message_id, {"status": "expired"}), 409)

    assert "expired" in reason and "delivered" in reason
    assert frozen.statuses(message_id) == ["delivered"]


@pytest.mark.parametrize("status", ["read", "printed"])
def test_forcing_an_unknown_status_name_answers_400(
    soap: Any, auth: Auth, frozen: MockApi, status: str
) -> None:
    message_id = send_email(soap, auth)

    reason = assert_json_error(frozen.force(message_id, {"status": status}), 400)

    assert repr(status) in reason
    assert frozen.statuses(message_id) == ["accepted"]


def test_forcing_on_an_unknown_message_answers_404(mock: MockApi) -> None:
    reason = assert_json_error(mock.force(UNKNOWN_ID, {"status": "sent"}), 404)

    assert UNKNOWN_ID in reason


@pytest.mark.parametrize("selector", ["b@example.fr", "B@Example.FR", "r-b", 1])
def test_a_recipient_selector_forces_that_recipient_only(
    soap: Any, auth: Auth, frozen: MockApi, selector: Any
) -> None:
    message_id = send_two_recipient_email(soap, auth)

    response = frozen.force(message_id, {"status": "sent", "recipient": selector})

    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["recipients"]] == ["accepted", "sent"]
    assert multi_statuses(soap, auth, message_id) == (1, 2)


def test_without_a_selector_every_recipient_is_forced(
    soap: Any, auth: Auth, frozen: MockApi
) -> None:
    message_id = send_two_recipient_email(soap, auth)

    assert frozen.force(message_id, {"status": "sent"}).status_code == 200

    assert multi_statuses(soap, auth, message_id) == (2, 2)


def test_forcing_every_recipient_is_all_or_nothing(soap: Any, auth: Auth, frozen: MockApi) -> None:
    message_id = send_two_recipient_email(soap, auth)
    answer = frozen.force(message_id, {"status": "hard_bounce", "recipient": "r-b"})
    assert answer.status_code == 200

    reason = assert_json_error(frozen.force(message_id, {"status": "delivered"}), 409)

    assert "b@example.fr" in reason
    assert frozen.statuses(message_id) == ["accepted", "hard_bounce"]


@pytest.mark.parametrize("selector", ["nobody@example.fr", "r-z", 2, -1, True, 1.0, ["r-a"]])
def test_a_selector_naming_no_recipient_answers_400(
    soap: Any, auth: Auth, frozen: MockApi, selector: Any
) -> None:
    message_id = send_two_recipient_email(soap, auth)

    assert_json_error(frozen.force(message_id, {"status": "sent", "recipient": selector}), 400)

    assert frozen.statuses(message_id) == ["accepted", "accepted"]


def test_an_empty_selector_names_no_recipient(soap: Any, auth: Auth, frozen: MockApi) -> None:
    message_id: str = soap.MULTI_ENVOYER_SMS(
        **auth,
        DESTINATAIRE={
            "DESTINATAIRE": [{"DESTINATION": "0601020304"}, {"DESTINATION": "0601020305"}]
        },
        TEXTE="Test",
    )

    response = frozen.force(message_id, {"status": "sent_to_operator", "recipient": ""})

    assert_json_error(response, 400)
    assert frozen.statuses(message_id) == ["accepted", "accepted"]


@pytest.mark.parametrize(
    "body",
    [None, {}, {"status": ""}, {"status": 3}, {"status": "sent", "detail": 5}, ["sent"]],
    ids=["no-body", "no-status", "empty-status", "status-not-text", "detail-not-text", "array"],
)
def test_a_malformed_force_body_answers_400(
    soap: Any, auth: Auth, frozen: MockApi, body: Any
) -> None:
    message_id = send_email(soap, auth)

    assert_json_error(frozen.force(message_id, body), 400)

    assert frozen.statuses(message_id) == ["accepted"]


def test_a_form_body_is_refused_for_its_content_type(
    soap: Any, auth: Auth, frozen: MockApi
) -> None:
    message_id = send_email(soap, auth)

    response = frozen.call("POST", f"/messages/{message_id}/status", data="status=sent")

    assert "application/json" in assert_json_error(response, 415)
    assert frozen.statuses(message_id) == ["accepted"]


# --- the clock --------------------------------------------------------------------


def test_a_frozen_clock_stands_still_and_advances_exactly(mock: MockApi) -> None:
    frozen_at = mock.post("/clock/freeze")
    time.sleep(0.05)

    still = mock.get("/clock")
    advanced = mock.advance(90.5)

    assert frozen_at["frozen"] is True
    assert still["now"] == frozen_at["now"]
    assert datetime.fromisoformat(advanced["now"]) == datetime.fromisoformat(
        frozen_at["now"]
    ) + timedelta(seconds=90.5)
    assert mock.get("/clock")["now"] == advanced["now"]


def test_unfreezing_resumes_from_the_frozen_moment(mock: MockApi) -> None:
    frozen_at = datetime.fromisoformat(mock.post("/clock/freeze")["now"])
    mock.advance(3600)
    time.sleep(0.05)

    resumed = mock.post("/clock/unfreeze")
    time.sleep(0.05)
    later = datetime.fromisoformat(mock.get("/clock")["now"])

    assert resumed["frozen"] is False
    resumed_at = datetime.fromisoformat(resumed["now"])
    assert frozen_at + timedelta(hours=1) <= resumed_at < frozen_at + timedelta(hours=1, seconds=1)
    assert later - resumed_at >= timedelta(seconds=0.05)


def test_advancing_a_running_clock_moves_messages_on(soap: Any, auth: Auth, mock: MockApi) -> None:
    message_id = send_sms(soap, auth)
    before = datetime.fromisoformat(mock.get("/clock")["now"])

    after = datetime.fromisoformat(mock.advance(3600)["now"])

    assert after - before >= timedelta(hours=1)
    assert mock.statuses(message_id) == ["delivered"]


def test_the_statuses_endpoint_serves_the_catalogue(mock: MockApi) -> None:
    served = mock.get("/statuses")

    assert served == {
        channel.value: [
            {
                "code": s.code,
                "name": s.name,
                "label": s.label,
                "final": s.final,
                "next": list(TRANSITIONS[channel].get(s.name, ())),
            }
            for s in statuses
        ]
        for channel, statuses in CATALOGUE.items()
    }
    assert [s["name"] for s in served["sms"] if s["final"]] == [
        "delivered",
        "not_delivered",
        "expired",
    ]


# --- the poll-count mode ------------------------------------------------------------


@pytest.fixture
def every_second_poll(frozen: MockApi) -> MockApi:
    answer = frozen.post("/clock/mode", {"mode": "polls", "polls_per_step": 2})
    assert (answer["mode"], answer["polls_per_step"]) == ("polls", 2)
    return frozen


def test_in_polls_mode_every_second_status_poll_moves_one_step(
    soap: Any, auth: Auth, every_second_poll: MockApi
) -> None:
    message_id = send_sms(soap, auth)
    every_second_poll.advance(86_400)  # time alone moves nothing in polls mode

    answers = [soap.STATUT_SMS(**auth, MESSAGEID=message_id) for _ in range(6)]

    assert answers == [1, 2, 2, 3, 3, 3]
    assert every_second_poll.statuses(message_id) == ["delivered"]


def test_in_polls_mode_mock_reads_do_not_count_as_polls(
    soap: Any, auth: Auth, every_second_poll: MockApi
) -> None:
    message_id = send_sms(soap, auth)
    assert soap.STATUT_SMS(**auth, MESSAGEID=message_id) == 1

    for _ in range(3):
        every_second_poll.get(f"/messages/{message_id}")
        every_second_poll.get("/messages", channel="sms")
    assert every_second_poll.statuses(message_id) == ["accepted"]

    assert soap.STATUT_COMPLET_SMS(**auth, MESSAGEID=message_id).CODE_STATUT == 2


def test_in_polls_mode_each_recipient_counts_its_own_polls(
    soap: Any, auth: Auth, every_second_poll: MockApi
) -> None:
    message_id = send_two_recipient_email(soap, auth)

    for _ in range(2):
        soap.STATUT_MULTI_EMAIL(**auth, MESSAGEID=message_id, REFCLIENT="r-a")

    assert multi_statuses(soap, auth, message_id) == (2, 1)


def test_back_in_time_mode_the_clock_moves_messages_again(
    soap: Any, auth: Auth, every_second_poll: MockApi
) -> None:
    message_id = send_sms(soap, auth)

    answer = every_second_poll.post("/clock/mode", {"mode": "time"})
    every_second_poll.advance(6)

    assert (answer["mode"], answer["polls_per_step"]) == ("time", 2)
    assert every_second_poll.statuses(message_id) == ["delivered"]


def test_a_history_stays_in_order_across_a_switch_from_polls_to_time(
    soap: Any, auth: Auth, frozen: MockApi
) -> None:
    frozen.post("/clock/mode", {"mode": "polls", "polls_per_step": 1})
    message_id = send_sms(soap, auth)
    frozen.advance(100)
    assert soap.STATUT_SMS(**auth, MESSAGEID=message_id) == 2  # dated now: +100 s

    frozen.post("/clock/mode", {"mode": "time"})
    frozen.advance(100)

    history = frozen.get(f"/messages/{message_id}")["recipients"][0]["history"]
    assert [e["status"] for e in history] == ["accepted", "sent_to_operator", "delivered"]
    moments = [datetime.fromisoformat(e["at"]) for e in history]
    assert moments == sorted(moments)


# --- the long-poll ----------------------------------------------------------------


def test_a_long_poll_answers_when_a_matching_message_arrives(
    soap: Any, auth: Auth, mock: MockApi
) -> None:
    sent: list[str] = []

    def send_later() -> None:
        time.sleep(0.1)
        send_email(soap, auth)  # not an SMS: the wait goes on
        time.sleep(0.2)
        sent.append(send_sms(soap, auth))

    sender = threading.Thread(target=send_later)
    started = time.monotonic()
    sender.start()
    try:
        answer = mock.get("/messages", channel="sms", wait=5)
    finally:
        sender.join()
    elapsed = time.monotonic() - started

    assert answer["count"] == 1
    assert [m["id"] for m in answer["messages"]] == sent
    assert 0.25 <= elapsed < 2.0


def test_a_long_poll_with_nothing_to_find_answers_empty_after_the_wait(mock: MockApi) -> None:
    started = time.monotonic()

    answer = mock.get("/messages", wait=0.2)

    elapsed = time.monotonic() - started
    assert answer == {"count": 0, "total": 0, "next": None, "messages": []}
    assert 0.18 <= elapsed < 1.0


def test_a_long_poll_sees_a_status_reached_by_a_clock_advance(
    server: MockServer, soap: Any, auth: Auth, frozen: MockApi
) -> None:
    message_id = send_sms(soap, auth)
    advancer = threading.Timer(0.3, lambda: MockApi(server).advance(1))
    started = time.monotonic()
    advancer.start()
    try:
        answer = frozen.get("/messages", status="sent_to_operator", wait=5)
    finally:
        advancer.join()

    assert [m["id"] for m in answer["messages"]] == [message_id]
    assert 0.25 <= time.monotonic() - started < 2.0


# --- message filters ----------------------------------------------------------------


def test_messages_can_be_filtered(soap: Any, auth: Auth, frozen: MockApi) -> None:
    jean = send_email(soap, auth, "jean@example.fr", REFCLIENT="order-1")
    bounce = send_email(soap, auth, "bounce@example.fr", REFCLIENT="order-2")
    sms = send_sms(soap, auth)
    frozen.advance(5)  # jean delivered, bounce hard-bounced, the SMS with the operator

    assert set(frozen.ids()) == {jean, bounce, sms}
    assert frozen.ids(channel="sms") == [sms]
    assert set(frozen.ids(channel="EMAIL")) == {jean, bounce}
    assert frozen.ids(recipient="BOUNCE@") == [bounce]
    assert frozen.ids(recipient="33601020304") == [sms]
    assert frozen.ids(status="hard_bounce") == [bounce]
    assert frozen.ids(channel="email", status="delivered") == [jean]
    assert frozen.ids(refclient="order-1") == [jean]
    assert set(frozen.ids(account="demo")) == {jean, bounce, sms}
    assert frozen.ids(account="nobody") == []
    assert frozen.get("/messages", status="opened") == {
        "count": 0,
        "total": 0,
        "next": None,
        "messages": [],
    }


def test_the_refclient_filter_ignores_case(soap: Any, auth: Auth, mock: MockApi) -> None:
    message_id = send_email(soap, auth, REFCLIENT="Order-42")

    assert mock.ids(refclient="order-42") == [message_id]


def test_messages_come_newest_first_even_on_a_frozen_clock(
    soap: Any, auth: Auth, frozen: MockApi
) -> None:
    sent = [send_email(soap, auth, f"user{n}@example.fr") for n in range(3)]

    assert frozen.ids() == sent[::-1]


def test_messages_come_newest_first(soap: Any, auth: Auth, frozen: MockApi) -> None:
    sent = []
    for n in range(3):
        sent.append(send_email(soap, auth, f"user{n}@example.fr"))
        frozen.advance(1)

    assert frozen.ids() == sent[::-1]


def test_an_unknown_message_answers_404(mock: MockApi) -> None:
    assert UNKNOWN_ID in assert_json_error(mock.call("GET", f"/messages/{UNKNOWN_ID}"), 404)


# --- the journal --------------------------------------------------------------------


def test_the_journal_records_every_soap_call(soap: Any, auth: Auth, mock: MockApi) -> None:
    message_id = send_email(soap, auth)
    assert soap.STATUT_EMAIL(**auth, MESSAGEID=message_id) == 1
    assert soap.STATUT_EMAIL(**{**auth, "MOT_DE_PASSE": "wrong"}, MESSAGEID=message_id) == -6
    assert soap.STATUT_SMS(**auth, MESSAGEID=UNKNOWN_ID) == -8
    mock.get(f"/messages/{message_id}")

    # (Not the WSDL: zeep fetches it once per server, in whichever test comes first.)
    journal = mock.get("/journal", protocol="soap,control")

    assert journal["count"] == journal["total"] == 5
    entries = journal["entries"][::-1]  # newest first
    assert [(e["protocol"], e["operation"], e["account"], e["result"]) for e in entries] == [
        ("soap", "ENVOYER_EMAIL", "demo", "ok"),
        ("soap", "STATUT_EMAIL", "demo", "ok"),
        ("soap", "STATUT_EMAIL", "demo", "-6"),
        ("soap", "STATUT_SMS", "demo", "-8"),
        ("control", "message", "", "200"),
    ]
    assert [e["message_ids"] for e in entries] == [[message_id], [message_id], [], [], [message_id]]
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    assert all(0 <= e["duration_ms"] < 10_000 for e in entries)
    moments = [datetime.fromisoformat(e["at"]) for e in entries]
    assert moments == sorted(moments)


def test_the_journal_can_be_filtered(soap: Any, auth: Auth, mock: MockApi) -> None:
    message_id = send_email(soap, auth)
    soap.STATUT_EMAIL(**auth, MESSAGEID=message_id)
    soap.STATUT_EMAIL(**{**auth, "MOT_DE_PASSE": "wrong"}, MESSAGEID=message_id)

    def count(**filters: str) -> int:
        found = mock.get("/journal", **filters)
        assert found["count"] == len(found["entries"])
        return int(found["count"])

    assert count(operation="STATUT_EMAIL") == 2
    assert count(operation="STATUT_EMAIL", result="ok") == 1
    assert count(result="-6") == 1
    assert count(protocol="soap") == 3
    assert count(protocol="dqe") == 0
    assert count(protocol="soap,dqe") == 3
    assert count(account="demo") == 3
    assert count(account="nobody") == 0
    assert count(operation="STATUT_*") == 2
    assert count(operation="*EMAIL", http_status="200") == 3
    assert count(message_id=message_id) == 2  # the send and the accepted poll
    assert count(**{"field.MOT_DE_PASSE": "wrong"}) == 1
    assert count(**{"field.MESSAGEID": message_id, "result": "ok"}) == 1
    assert count(since="2999-01-01T00:00:00Z") == 0
    assert count(since="2000-01-01T00:00:00+01:00") >= 3
    assert mock.get("/journal/count", operation="STATUT_EMAIL") == {"count": 2}


def test_journal_pages_go_newest_first(soap: Any, auth: Auth, mock: MockApi) -> None:
    for _ in range(5):
        soap.STATUT_SMS(**auth, MESSAGEID=UNKNOWN_ID)
    first = mock.get("/journal", limit=2, protocol="soap")
    second = mock.get("/journal", limit=2, protocol="soap", before=first["next"])
    last = mock.get("/journal", limit=2, protocol="soap", before=second["next"])
    ids = [e["id"] for page in (first, second, last) for e in page["entries"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 5
    assert (first["total"], last["count"], last["next"]) == (5, 1, None)
    assert mock.get(f"/journal/{ids[0]}")["id"] == ids[0]
    assert "no entry" in assert_json_error(mock.call("GET", "/journal/999999"), 404)


def test_reading_the_journal_is_not_journalled(mock: MockApi) -> None:
    for _ in range(3):
        mock.get("/journal")
        mock.get("/journal/count")
        mock.get("/health")
    assert mock.get("/journal") == {"count": 0, "total": 0, "next": None, "entries": []}


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"http_status": "abc"}, '"http_status" must be a whole number'),
        ({"since": "yesterday"}, '"since" must be an ISO 8601 date and time'),
        ({"limit": "0"}, '"limit" must be a whole number from 1 to 1000'),
        ({"fields.X": "1"}, "and field.NAME for any request field"),
    ],
)
def test_a_malformed_journal_filter_is_a_400(
    mock: MockApi, params: dict[str, str], says: str
) -> None:
    assert says in assert_json_error(mock.call("GET", "/journal", params=params), 400)


# --- resets -------------------------------------------------------------------------


def test_resetting_one_account_keeps_the_others_messages_and_journal(
    server: MockServer, soap: Any, auth: Auth, mock: MockApi
) -> None:
    # Added by hand here; scenarios will declare accounts.
    server.world.backend.accounts.add(Account(name="other", password="pw", app_id="app"))
    other = {"UTILISATEUR": "other", "MOT_DE_PASSE": "pw", "AppID": "app"}
    demo_message = send_email(soap, auth)
    other_message = send_email(soap, other)
    assert set(mock.ids()) == {demo_message, other_message}

    assert mock.post("/reset", {"account": "other"}) == {"reset": "other"}

    assert mock.ids() == [demo_message]
    assert mock.get("/messages", account="other")["count"] == 0
    soap_calls = mock.get("/journal", protocol="soap")["entries"]
    assert [e["account"] for e in soap_calls] == ["demo"]
    assert soap.STATUT_EMAIL(**auth, MESSAGEID=demo_message) == 1
    assert soap.STATUT_EMAIL(**other, MESSAGEID=other_message) == -99
    assert MESSAGE_ID.fullmatch(send_email(soap, other))  # the account itself remains


def test_a_full_reset_restores_the_start_state(soap: Any, auth: Auth, mock: MockApi) -> None:
    send_email(soap, auth)
    mock.post("/clock/freeze")
    mock.advance(86_400)
    mock.post("/clock/mode", {"mode": "polls", "polls_per_step": 3})

    assert mock.post("/reset") == {"reset": "all"}

    clock = mock.get("/clock")
    assert (clock["frozen"], clock["mode"], clock["polls_per_step"]) == (False, "time", 1)
    now = datetime.fromisoformat(clock["now"])
    assert abs(now - datetime.now(now.tzinfo)) < timedelta(minutes=1)
    assert mock.get("/messages") == {"count": 0, "total": 0, "next": None, "messages": []}
    after = mock.get("/journal")["entries"]  # the reset itself is forgotten with the rest
    assert [e["operation"] for e in after] == ["messages", "clock"]


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/clock/advance", "not json", 400),
        ("/clock/advance", "[60]", 400),
        ("/clock/advance", "{}", 400),
        ("/clock/advance", '{"seconds": -1}', 400),
        ("/clock/advance", '{"seconds": "soon"}', 400),
        ("/clock/advance", '{"seconds": true}', 400),
        ("/clock/advance", '{"seconds": null}', 400),
        ("/clock/advance", '{"seconds": 1e300}', 400),
        ("/clock/mode", '{"mode": "sometimes"}', 400),
        ("/clock/mode", "{}", 400),
        ("/clock/mode", '{"mode": "polls", "polls_per_step": 0}', 400),
        ("/clock/mode", '{"mode": "polls", "polls_per_step": "many"}', 400),
        ("/clock/mode", "mode=polls", 400),
        ("/reset", '{"account": 7}', 400),
        ("/reset", "{", 400),
    ],
)
def test_bad_control_input_answers_4xx_json_and_changes_nothing(
    frozen: MockApi, path: str, body: str, status: int
) -> None:
    before = frozen.get("/clock")

    response = frozen.call("POST", path, data=body, headers={"Content-Type": "application/json"})

    assert_json_error(response, status)
    assert frozen.get("/clock") == before


@pytest.mark.parametrize("wait", ["61", "-1", "soon", "nan", "inf"])
def test_a_bad_wait_answers_400(mock: MockApi, wait: str) -> None:
    assert "wait" in assert_json_error(mock.call("GET", "/messages", params={"wait": wait}), 400)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("GET", "/clock/advance", 405), ("DELETE", "/messages", 405)],
)
def test_unknown_routes_and_methods_answer_json(
    mock: MockApi, method: str, path: str, status: int
) -> None:
    assert_json_error(mock.call(method, path), status)
