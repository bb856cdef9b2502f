"""Verification from Python: calls(), assert_called() and its near-miss report, message
filters on phone numbers, and what a wait that times out says."""

from __future__ import annotations

import pytest

from mock_efidem.api import MockEfidem
from tests.journal.conftest import call


def send_sms(mock: MockEfidem, number: str, text: str = "Votre code : 1234") -> str:
    answer = call(mock, "ENVOYER_SMS", DESTINATION=number, TEXTE=text)
    return answer.text.split("ENVOYER_SMSResult>")[1].split("<")[0]


def test_assert_called_passes_with_the_matching_calls(mock: MockEfidem) -> None:
    send_sms(mock, "0601020304")
    send_sms(mock, "0601020305")

    found = mock.assert_called("ENVOYER_SMS", DESTINATION="0601020304")

    assert [e["fields"]["DESTINATION"] for e in found] == [["0601020304"]]
    assert len(mock.assert_called("ENVOYER_*", times=2)) == 2
    assert mock.assert_called("ENVOYER_SMS", result="ok", account="demo")


def test_assert_called_fails_with_the_near_misses(mock: MockEfidem) -> None:
    send_sms(mock, "0601020305")
    call(mock, "STATUT_SMS", MESSAGEID="m-1")

    with pytest.raises(AssertionError) as failed:
        mock.assert_called("ENVOYER_SMS", DESTINATION="0601020304", TEXTE="Votre code : 1234")

    text = str(failed.value)
    assert text.startswith(
        "expected ENVOYER_SMS called at least once with DESTINATION='0601020304', "
        "TEXTE='Votre code : 1234'; it was called 0 times."
    )
    near, other = text.split("Near misses (same operation, other values):\n")[1].split(
        "Other calls, closest first:\n"
    )
    assert "ENVOYER_SMS demo -> ok" in near
    assert "DESTINATION '0601020305' (wanted '0601020304')" in near
    assert "TEXTE" not in near  # it matched
    assert "STATUT_SMS demo -> -8" in other
    assert "operation 'STATUT_SMS' (wanted 'ENVOYER_SMS')" in other


def test_assert_called_with_times_lists_the_calls_that_did_match(mock: MockEfidem) -> None:
    send_sms(mock, "0601020304")
    send_sms(mock, "0601020304")

    with pytest.raises(AssertionError) as failed:
        mock.assert_called("ENVOYER_SMS", times=1)

    assert "called once; it was called 2 times." in str(failed.value)
    assert str(failed.value).count("ENVOYER_SMS demo -> ok") == 2


def test_assert_called_on_an_empty_journal_says_so(mock: MockEfidem) -> None:
    with pytest.raises(AssertionError, match="The journal holds no call at all"):
        mock.assert_called("ENVOYER_EMAIL")
    assert mock.assert_called("ENVOYER_EMAIL", times=0) == []


@pytest.mark.parametrize(
    "written", ["06 01 02 03 04", "+33601020304", "0033601020304", "+33 6 01 02 03 04"]
)
def test_an_sms_recipient_filter_takes_any_written_form(mock: MockEfidem, written: str) -> None:
    message_id = send_sms(mock, "06.01.02.03.04")
    send_sms(mock, "0601020399")

    assert [m["id"] for m in mock.messages(recipient=written)] == [message_id]
    assert mock.wait_for_message(timeout=1, recipient=written, channel="sms")["id"] == message_id


def test_a_partial_number_still_matches_as_text(mock: MockEfidem) -> None:
    message_id = send_sms(mock, "0601020304")
    assert [m["id"] for m in mock.messages(recipient="601020304")] == [message_id]


def test_a_wait_that_times_out_lists_the_messages_held(mock: MockEfidem) -> None:
    message_id = send_sms(mock, "0601020304")

    with pytest.raises(TimeoutError) as waited:
        mock.wait_for_message(timeout=0.2, recipient="jean@example.fr")

    text = str(waited.value)
    assert "no message matching {'recipient': 'jean@example.fr'} within 0.2 s" in text
    assert f"{message_id} sms demo to 33601020304 (" in text


def test_a_wait_on_an_empty_mock_says_it_holds_nothing(mock: MockEfidem) -> None:
    with pytest.raises(TimeoutError, match="the mock holds no message at all"):
        mock.wait_for_message(timeout=0.1)
