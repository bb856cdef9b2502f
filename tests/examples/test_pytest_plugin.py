"""The pytest plugin as a user meets it: the ``mock_efidem`` fixture and the marker."""

from __future__ import annotations

import pytest

from mock_efidem.api import MockApiError, MockEfidem

AUTH = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}


def send_welcome(mock: MockEfidem, address: str) -> str:
    message_id: str = mock.client.service.ENVOYER_EMAIL(
        **AUTH, DESTINATION=address, SUJET="Bienvenue", TEXTE="Bonjour", EMETTEUR="app@example.com"
    )
    return message_id


def test_the_fixture_serves_soap_and_shows_what_was_sent(mock_efidem: MockEfidem) -> None:
    message_id = send_welcome(mock_efidem, "jean@example.fr")

    message = mock_efidem.wait_for_message(recipient="jean@example.fr")
    assert message["id"] == message_id
    assert message["subject"] == "Bienvenue"
    assert mock_efidem.journal(operation="ENVOYER_EMAIL")[0]["result"] == "ok"


def test_each_test_starts_from_a_clean_state(mock_efidem: MockEfidem) -> None:
    assert mock_efidem.messages() == []
    assert mock_efidem.journal() == []


def test_drive_a_message_to_delivered(mock_efidem: MockEfidem) -> None:
    mock_efidem.freeze()
    message_id = send_welcome(mock_efidem, "click.me@example.fr")

    mock_efidem.advance(3600)

    assert mock_efidem.client.service.STATUT_EMAIL(**AUTH, MESSAGEID=message_id) == 5  # clicked
    history = [e["status"] for e in mock_efidem.message(message_id)["recipients"][0]["history"]]
    assert history == ["accepted", "sent", "delivered", "opened", "clicked"]


def test_force_a_status_and_see_an_illegal_one_refused(mock_efidem: MockEfidem) -> None:
    message_id = send_welcome(mock_efidem, "jean@example.fr")

    mock_efidem.force_status(message_id, "hard_bounce")  # through "sent"
    with pytest.raises(MockApiError) as refused:
        mock_efidem.force_status(message_id, "clicked")

    assert refused.value.status == 409
    assert mock_efidem.client.service.STATUT_EMAIL(**AUTH, MESSAGEID=message_id) == 7


@pytest.mark.mock_efidem_scenario("qa-error-codes")
def test_the_marker_selects_a_scenario(mock_efidem: MockEfidem) -> None:
    answer = mock_efidem.client.service.MULTI_ENVOYER_SMS(
        **AUTH, DESTINATAIRE={"DESTINATAIRE": [{"DESTINATION": "0601020304"}]}, TEXTE="QA-50"
    )
    assert answer == "-50"


def test_after_a_marked_test_the_default_scenario_is_back(mock_efidem: MockEfidem) -> None:
    answer = mock_efidem.client.service.MULTI_ENVOYER_SMS(
        **AUTH, DESTINATAIRE={"DESTINATAIRE": [{"DESTINATION": "0601020304"}]}, TEXTE="QA-50"
    )
    assert len(answer) == 32
