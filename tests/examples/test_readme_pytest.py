import pytest

AUTH = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}


def test_the_welcome_email_is_sent(mock_efidem):
    mock_efidem.client.service.ENVOYER_EMAIL(  # your application would make this call
        **AUTH,
        DESTINATION="jean@example.fr",
        SUJET="Bienvenue",
        TEXTE="Bonjour",
        EMETTEUR="app@example.com",
    )
    message = mock_efidem.wait_for_message(recipient="jean@example.fr")
    assert message["subject"] == "Bienvenue"


def test_every_test_starts_empty(mock_efidem):
    assert mock_efidem.messages() == []


@pytest.mark.mock_efidem_scenario("qa-error-codes")
def test_a_campaign_that_cannot_be_saved(mock_efidem):
    answer = mock_efidem.client.service.MULTI_ENVOYER_SMS(
        **AUTH, DESTINATAIRE={"DESTINATAIRE": [{"DESTINATION": "0601020304"}]}, TEXTE="QA-50"
    )
    assert answer == "-50"
