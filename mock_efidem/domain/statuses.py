"""The status catalogue: for each channel, the delivery statuses a recipient can be in.

The vendor document publishes no positive status codes (research notes, §3 #20), so
the codes and labels here are the mock's own, stable and documented in the README.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mock_efidem.domain.models import Channel


@dataclass(frozen=True)
class StatusDefinition:
    name: str
    code: int
    label: str
    final: bool = False


def _catalogue(*rows: tuple[str, int, str, bool]) -> tuple[StatusDefinition, ...]:
    return tuple(StatusDefinition(*row) for row in rows)


_EMAIL_STATUSES = _catalogue(
    ("accepted", 1, "Message accepté", False),
    ("sent", 2, "Message envoyé", False),
    ("delivered", 3, "Message délivré", False),
    ("opened", 4, "Message ouvert", False),
    ("clicked", 5, "Lien cliqué", True),
    ("soft_bounce", 6, "Erreur temporaire (soft bounce)", True),
    ("hard_bounce", 7, "Erreur permanente (hard bounce)", True),
    ("complaint", 8, "Plainte pour spam", True),
    ("unsubscribed", 9, "Désabonnement", True),
)

CATALOGUE: Mapping[Channel, tuple[StatusDefinition, ...]] = {
    Channel.EMAIL: _EMAIL_STATUSES,
    Channel.RELAY: _EMAIL_STATUSES,
    Channel.SMS: _catalogue(
        ("accepted", 1, "SMS accepté", False),
        ("sent_to_operator", 2, "SMS transmis à l'opérateur", False),
        ("delivered", 3, "SMS délivré", True),
        ("not_delivered", 4, "SMS non délivré", True),
        ("expired", 5, "SMS expiré", True),
    ),
    Channel.LETTER: _catalogue(
        ("received", 1, "Courrier reçu", False),
        ("printed", 2, "Courrier imprimé", False),
        ("posted", 3, "Courrier posté", False),
        ("delivered", 4, "Courrier distribué", True),
        ("returned", 5, "Retour à l'expéditeur (NPAI)", True),
    ),
    Channel.FAX: _catalogue(
        ("queued", 1, "Fax en attente", False),
        ("sending", 2, "Fax en cours d'envoi", False),
        ("sent", 3, "Fax envoyé", True),
        ("busy", 4, "Ligne occupée", True),
        ("no_answer", 5, "Pas de réponse", True),
        ("failed", 6, "Échec de l'envoi", True),
    ),
}


def initial_status(channel: Channel) -> StatusDefinition:
    return CATALOGUE[channel][0]


def status_named(channel: Channel, name: str) -> StatusDefinition | None:
    return next((s for s in CATALOGUE[channel] if s.name == name), None)
