"""Rules added at run time (POST /_mock/rules): add, list, effect, delete, reset."""

from __future__ import annotations

import pytest

from mock_efidem.api import MockApiError, MockEfidem
from tests.journal.conftest import call, control

FORCED = {"operation": "STATUT_SMS", "when": {"MESSAGEID": "forced"}, "code": -6}
"""-6 (wrong credentials) where the plain answer is -8 (unknown message)."""
SCENARIO = """
name: with-a-rule
responses:
  - operation: STATUT_SMS
    when: {MESSAGEID: from-the-scenario}
    code: -5
"""


def result_of(mock: MockEfidem, message_id: str) -> str:
    answer = call(mock, "STATUT_SMS", MESSAGEID=message_id)
    return answer.text.split("STATUT_SMSResult>")[1].split("<")[0]


def test_an_added_rule_applies_is_listed_and_goes_when_deleted(mock: MockEfidem) -> None:
    answer = control(mock, "POST", "/rules", json={"section": "responses", "rule": FORCED})
    assert answer.status_code == 201
    added = answer.json()
    assert (added["section"], added["added"], added["rule"]) == ("responses", True, FORCED)

    assert result_of(mock, "forced") == "-6"
    assert result_of(mock, "other") == "-8"
    assert mock.calls(MESSAGEID="forced")[0]["why"]["rule"] == added["id"]
    assert [r["id"] for r in mock.rules() if r["added"]] == [added["id"]]

    assert control(mock, "DELETE", f"/rules/{added['id']}").json() == {"deleted": added["id"]}
    assert result_of(mock, "forced") == "-8"
    assert control(mock, "DELETE", f"/rules/{added['id']}").status_code == 404


def test_added_rules_apply_before_the_scenarios_newest_first(mock: MockEfidem) -> None:
    mock.load_scenario(SCENARIO)
    try:
        first = mock.add_rule("responses", {**FORCED, "when": {"MESSAGEID": "*"}, "code": -1})
        second = mock.add_rule("responses", {**FORCED, "when": {"MESSAGEID": "*"}, "code": -3})

        listed = mock.rules()

        assert [r["id"] for r in listed][:3] == [second.id, first.id, "responses/0"]
        assert listed[2]["origin"].startswith("with-a-rule") and not listed[2]["added"]
        assert result_of(mock, "from-the-scenario") == "-3"
        second.remove()
        assert result_of(mock, "from-the-scenario") == "-1"
        first.remove()
        assert result_of(mock, "from-the-scenario") == "-5"
        why = mock.calls()[-1]["why"]
        assert (why["section"], why["rule"]) == ("responses", "responses/0")
        assert why["origin"].startswith("with-a-rule")
    finally:
        mock.load_scenario("default")


def test_a_reset_removes_added_rules(mock: MockEfidem) -> None:
    mock.add_rule("responses", FORCED)
    mock.reset()
    assert not [r for r in mock.rules() if r["added"]]
    assert result_of(mock, "forced") == "-8"


def test_the_python_handle_removes_its_rule_on_leaving(mock: MockEfidem) -> None:
    with mock.add_rule("faults", {"operation": "STATUT_SMS", "http": {"status": 503}}) as rule:
        assert call(mock, "STATUT_SMS", MESSAGEID="x").status_code == 503
        assert rule.id in [r["id"] for r in mock.rules()]
    assert call(mock, "STATUT_SMS", MESSAGEID="x").status_code == 200
    rule.remove()  # gone already: no error


def test_an_outcome_rule_shapes_the_next_messages(mock: MockEfidem) -> None:
    rule = {"channel": "sms", "path": ["sent_to_operator", "not_delivered"], "detail": "blocked"}
    with mock.add_rule("outcomes", rule):
        mock.freeze()
        answer = call(mock, "ENVOYER_SMS", DESTINATION="0601020304", TEXTE="Hi")
        message_id = answer.text.split("ENVOYER_SMSResult>")[1].split("<")[0]
        mock.advance(3600)
        assert mock.message(message_id)["recipients"][0]["status"] == "not_delivered"


def test_a_scenario_rule_cannot_be_deleted(mock: MockEfidem) -> None:
    mock.load_scenario(SCENARIO)
    try:
        answer = control(mock, "DELETE", "/rules/responses/0")
        assert answer.status_code in (404, 409)
        assert control(mock, "GET", "/rules/nothing").status_code == 404
    finally:
        mock.load_scenario("default")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"section": "answers", "rule": FORCED}, "none of responses, faults, outcomes"),
        (
            {"section": "responses", "rule": {**FORCED, "operation": "STATUT_SMSS"}},
            "did you mean STATUT_SMS",
        ),
        (
            {"section": "responses", "rule": {**FORCED, "when": {"MESSAGE_ID": "x"}}},
            "did you mean MESSAGEID",
        ),
        ({"section": "responses", "rule": {**FORCED, "code": -42}}, "-42"),
        ({"section": "outcomes", "rule": {"channel": "sms", "path": ["failed"]}}, "no status"),
        ({"section": "faults", "rule": {"latency": "slow"}}, "latency"),
        ({"section": "responses", "rule": FORCED, "extra": 1}, "unknown key extra"),
    ],
)
def test_an_invalid_rule_is_a_400_that_says_why(
    mock: MockEfidem, body: dict[str, object], says: str
) -> None:
    answer = control(mock, "POST", "/rules", json=body)
    assert answer.status_code == 400
    document = answer.json()
    text = document.get("error", "") + " ".join(p["message"] for p in document.get("problems", []))
    assert says in text
    assert not [r for r in mock.rules() if r["added"]]


def test_an_invalid_rule_raises_in_python(mock: MockEfidem) -> None:
    with pytest.raises(MockApiError) as raised:
        mock.add_rule("responses", {**FORCED, "operation": "ENVOYER_EMAL"})
    assert raised.value.status == 400
    assert "ENVOYER_EMAIL" in str(raised.value.document["problems"])
