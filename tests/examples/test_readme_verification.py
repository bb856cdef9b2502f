import pytest

AUTH = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}


def send_code(mock_efidem, number):  # your application would make this call
    service = mock_efidem.client.service
    return service.ENVOYER_SMS(**AUTH, DESTINATION=number, TEXTE="Code : 1234")


def test_the_code_went_to_the_right_number(mock_efidem):
    send_code(mock_efidem, "06 01 02 03 04")
    mock_efidem.assert_called("ENVOYER_SMS", times=1, DESTINATION="06 01 02 03 04")
    assert mock_efidem.messages(recipient="+33601020304")  # any written form


def test_a_near_miss_says_what_was_sent_instead(mock_efidem):
    send_code(mock_efidem, "06 01 02 03 05")
    with pytest.raises(AssertionError) as failed:
        mock_efidem.assert_called("ENVOYER_SMS", DESTINATION="06 01 02 03 04")
    assert "DESTINATION '06 01 02 03 05' (wanted '06 01 02 03 04')" in str(failed.value)


def test_why_a_call_got_its_code(mock_efidem):
    assert send_code(mock_efidem, "06 01") == "-8"
    why = mock_efidem.calls(operation="ENVOYER_SMS")[0]["why"]
    assert (why["field"], why["value"], why["meaning"]) == (
        "DESTINATION",
        "06 01",
        "number too short",
    )


def test_one_forced_answer_for_one_test(mock_efidem):
    rule = {"operation": "ENVOYER_SMS", "when": {"DESTINATION": "0699*"}, "code": -11}
    with mock_efidem.add_rule("responses", rule):
        assert send_code(mock_efidem, "0699000000") == "-11"
    assert len(send_code(mock_efidem, "0699000000")) == 32  # the rule is gone: a message id
