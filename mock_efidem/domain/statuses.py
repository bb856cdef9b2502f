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


# Which status may follow which, per channel, and the default delay (seconds) to
# enter each status from the one before it.
TRANSITIONS: Mapping[Channel, Mapping[str, tuple[str, ...]]] = {
    Channel.EMAIL: {
        "accepted": ("sent",),
        "sent": ("delivered", "soft_bounce", "hard_bounce"),
        "delivered": ("opened", "complaint", "unsubscribed"),
        "opened": ("clicked", "complaint", "unsubscribed"),
    },
    Channel.SMS: {
        "accepted": ("sent_to_operator",),
        "sent_to_operator": ("delivered", "not_delivered", "expired"),
    },
    Channel.LETTER: {
        "received": ("printed",),
        "printed": ("posted",),
        "posted": ("delivered", "returned"),
    },
    Channel.FAX: {
        "queued": ("sending",),
        "sending": ("sent", "busy", "no_answer", "failed"),
    },
}
TRANSITIONS = {**TRANSITIONS, Channel.RELAY: TRANSITIONS[Channel.EMAIL]}

_EMAIL_DELAYS = {
    "sent": 1.0,
    "delivered": 4.0,
    "soft_bounce": 4.0,
    "hard_bounce": 4.0,
    "opened": 60.0,
    "clicked": 30.0,
    "complaint": 120.0,
    "unsubscribed": 120.0,
}
_DAY = 86_400.0
STEP_DELAYS: Mapping[Channel, Mapping[str, float]] = {
    Channel.EMAIL: _EMAIL_DELAYS,
    Channel.RELAY: _EMAIL_DELAYS,
    Channel.SMS: {
        "sent_to_operator": 1.0,
        "delivered": 5.0,
        "not_delivered": 5.0,
        "expired": 48 * 3600.0,
    },
    Channel.LETTER: {"printed": _DAY, "posted": _DAY, "delivered": 2 * _DAY, "returned": 7 * _DAY},
    Channel.FAX: {"sending": 2.0, "sent": 30.0, "busy": 30.0, "no_answer": 60.0, "failed": 30.0},
}

# The path a message takes when no outcome rule says otherwise.
DEFAULT_PATHS: Mapping[Channel, tuple[str, ...]] = {
    Channel.EMAIL: ("sent", "delivered"),
    Channel.RELAY: ("sent", "delivered"),
    Channel.SMS: ("sent_to_operator", "delivered"),
    Channel.LETTER: ("printed", "posted", "delivered"),
    Channel.FAX: ("sending", "sent"),
}


def may_follow(channel: Channel, current: str, following: str) -> bool:
    return following in TRANSITIONS[channel].get(current, ())


def path_to(channel: Channel, current: str, target: str) -> tuple[str, ...] | None:
    """The fewest legal steps from ``current`` to ``target`` (``target`` last), or None
    when it cannot be reached: ``accepted`` to ``delivered`` is (sent, delivered)."""
    paths: dict[str, tuple[str, ...]] = {current: ()}
    frontier = [current]
    while frontier:
        following = []
        for status in frontier:
            for step in TRANSITIONS[channel].get(status, ()):
                if step not in paths:
                    paths[step] = (*paths[status], step)
                    following.append(step)
        frontier = following
    found = paths.get(target)
    return found if found else None


def reachable_from(channel: Channel, current: str) -> list[str]:
    """Every status some legal path leads to from ``current``, in the catalogue's order."""
    return [s.name for s in CATALOGUE[channel] if path_to(channel, current, s.name)]


def initial_status(channel: Channel) -> StatusDefinition:
    return CATALOGUE[channel][0]


def status_named(channel: Channel, name: str) -> StatusDefinition | None:
    return next((s for s in CATALOGUE[channel] if s.name == name), None)


def label_of(channel: Channel, name: str) -> str:
    """The status's French label (DESCRIPTION_STATUT), or its name if it has none."""
    definition = status_named(channel, name)
    return definition.label if definition else name
