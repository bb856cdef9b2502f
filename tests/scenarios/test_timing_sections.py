"""A scenario's timing sections (clock.delay_scale, delays) shape when statuses move."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

FROZEN = 'clock: {frozen: true, start: "2026-01-05T09:00:00+00:00"'


@pytest.fixture(scope="module")
def mock(launch):
    with launch() as running:
        yield running


def send_email(mock: Any, auth: dict[str, str]) -> str:
    result: str = mock.soap.ENVOYER_EMAIL(
        **auth, DESTINATION="jean@example.fr", SUJET="s", TEXTE="t", EMETTEUR="a@example.com"
    )
    return result


def planned_delays(mock: Any, message_id: str) -> list[tuple[str, float]]:
    """Each pending status and the seconds from the send to it."""
    message = mock.message(message_id)
    created = datetime.fromisoformat(message["created_at"])
    (recipient,) = message["recipients"]
    return [
        (step["status"], (datetime.fromisoformat(step["due"]) - created) / timedelta(seconds=1))
        for step in recipient["pending"]
    ]


def test_delay_scale_multiplies_the_default_delays(mock, auth) -> None:
    mock.load(f"name: scaled\n{FROZEN}, delay_scale: 10}}\n")
    message_id = send_email(mock, auth)
    assert planned_delays(mock, message_id) == [("sent", 10.0), ("delivered", 50.0)]


def test_delays_set_the_seconds_to_enter_each_status(mock, auth) -> None:
    mock.load(f"name: delayed\n{FROZEN}}}\ndelays:\n  email: {{sent: 100, delivered: 200}}\n")
    message_id = send_email(mock, auth)
    assert planned_delays(mock, message_id) == [("sent", 100.0), ("delivered", 300.0)]
