"""The message lifecycle without HTTP: the clock, plans, settling, polls, forcing, and
the status catalogue's consistency with its transitions and outcome rules."""

from __future__ import annotations

import time
from collections import deque
from datetime import UTC, datetime, timedelta
from itertools import accumulate, pairwise
from typing import Any

import pytest

from mock_efidem.domain.clock import Clock
from mock_efidem.domain.lifecycle import (
    POLLS_MODE,
    IllegalTransition,
    Lifecycle,
    LifecycleSettings,
    UnknownStatus,
)
from mock_efidem.domain.matching import glob
from mock_efidem.domain.models import Channel, Message, PostalAddress, Recipient
from mock_efidem.domain.outcomes import (
    DEFAULT_OUTCOME_RULES,
    EMAILS,
    OutcomeRule,
    choose_path,
)
from mock_efidem.domain.statuses import (
    CATALOGUE,
    DEFAULT_PATHS,
    STEP_DELAYS,
    TRANSITIONS,
    initial_status,
    may_follow,
)

SLACK = timedelta(seconds=1)
"""How far real time may run while a test body executes."""

# An address per channel that no default outcome rule matches.
PLAIN_ADDRESSES = {
    Channel.EMAIL: "jean.dupont@example.fr",
    Channel.RELAY: "jean.dupont@example.fr",
    Channel.SMS: "33601020304",
    Channel.LETTER: "3 rue de Téhéran, 75008 Paris",
    Channel.FAX: "33140000001",
}


# --- helpers ----------------------------------------------------------------------


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


@pytest.fixture
def clock() -> Clock:
    frozen = Clock()
    frozen.freeze()
    return frozen


def new_message(channel: Channel, *addresses: str, at: datetime, **options: Any) -> Message:
    return Message(
        id="0" * 32,
        channel=channel,
        account="demo",
        operation="test",
        created_at=at,
        recipients=[Recipient(address=address) for address in addresses],
        options=options,
    )


def start(lifecycle: Lifecycle, channel: Channel, *addresses: str, **options: Any) -> Message:
    message = new_message(channel, *addresses, at=lifecycle.clock.now(), **options)
    lifecycle.start(message)
    return message


def statuses(recipient: Recipient) -> list[str]:
    return [event.status for event in recipient.history]


def planned(recipient: Recipient) -> list[str]:
    return [step.status for step in recipient.plan]


def rule_conditions(rule: OutcomeRule) -> str:
    return ",".join(f"{attribute}={matcher.pattern}" for attribute, matcher in rule.conditions)


def polls_lifecycle(clock: Clock, polls_per_step: int) -> Lifecycle:
    return Lifecycle(
        clock, settings=LifecycleSettings(mode=POLLS_MODE, polls_per_step=polls_per_step)
    )


# --- the clock --------------------------------------------------------------------


def test_a_running_clock_is_real_time_plus_the_advances() -> None:
    clock = Clock()
    before = datetime.now(UTC)

    returned = clock.advance(3600)
    now = clock.now()

    after = datetime.now(UTC)
    assert before + seconds(3600) <= returned <= now <= after + seconds(3600)
    assert not clock.frozen


def test_a_frozen_clock_stands_still_until_advanced_exactly() -> None:
    clock = Clock()
    frozen_at = clock.freeze()
    time.sleep(0.02)

    assert clock.frozen
    assert clock.now() == frozen_at
    assert clock.advance(90.5) == frozen_at + seconds(90.5)
    assert clock.now() == frozen_at + seconds(90.5)


def test_freezing_twice_keeps_the_first_moment() -> None:
    clock = Clock()
    first = clock.freeze()
    time.sleep(0.02)

    assert clock.freeze() == first


def test_freezing_keeps_earlier_advances() -> None:
    clock = Clock()
    clock.advance(86_400)

    frozen_at = clock.freeze()

    tomorrow = datetime.now(UTC) + seconds(86_400)
    assert tomorrow - SLACK <= frozen_at <= tomorrow


def test_unfreezing_resumes_from_the_frozen_moment_and_time_runs_again() -> None:
    clock = Clock()
    frozen_at = clock.freeze()
    clock.advance(3600)
    time.sleep(0.05)  # real time that must not show up in the mock's time

    resumed = clock.unfreeze()
    time.sleep(0.05)
    later = clock.now()

    assert not clock.frozen
    assert frozen_at + seconds(3600) <= resumed < frozen_at + seconds(3600) + SLACK
    assert later - resumed >= seconds(0.05)


def test_unfreezing_a_running_clock_changes_nothing() -> None:
    clock = Clock()
    clock.advance(60)

    resumed = clock.unfreeze()

    expected = datetime.now(UTC) + seconds(60)
    assert expected - SLACK <= resumed <= expected


# --- plans ------------------------------------------------------------------------


@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_start_gives_the_initial_status_and_the_default_plan(
    clock: Clock, channel: Channel
) -> None:
    lifecycle = Lifecycle(clock)
    message = start(
        lifecycle, channel, PLAIN_ADDRESSES[channel], track_opens=True, track_clicks=True
    )

    recipient = message.recipients[0]
    first = initial_status(channel)
    assert [(e.status, e.code, e.at) for e in recipient.history] == [
        (first.name, first.code, message.created_at)
    ]
    path = DEFAULT_PATHS[channel]
    delays = accumulate(STEP_DELAYS[channel][status] for status in path)
    assert [(step.status, step.due) for step in recipient.plan] == [
        (status, message.created_at + seconds(total))
        for status, total in zip(path, delays, strict=True)
    ]


def test_each_recipient_gets_its_own_plan(clock: Clock) -> None:
    message = start(Lifecycle(clock), Channel.EMAIL, "jean@example.fr", "bounce@example.fr")

    assert [planned(r) for r in message.recipients] == [
        ["sent", "delivered"],
        ["sent", "hard_bounce"],
    ]


@pytest.mark.parametrize(
    ("address", "detail"),
    [
        ("bounce@example.fr", "5.1.1 Bad destination mailbox address"),
        ("softbounce@example.fr", "4.2.2 Mailbox full"),
    ],
)
def test_a_rules_esmtp_detail_goes_on_the_last_step_with_its_title(
    clock: Clock, address: str, detail: str
) -> None:
    message = start(Lifecycle(clock), Channel.EMAIL, address)

    assert [step.detail for step in message.recipients[0].plan] == ["", detail]


def test_delay_scale_multiplies_every_delay(clock: Clock) -> None:
    lifecycle = Lifecycle(clock, settings=LifecycleSettings(delay_scale=2.0))
    message = start(lifecycle, Channel.SMS, "33601020304")

    assert [step.due - message.created_at for step in message.recipients[0].plan] == [
        seconds(2),
        seconds(12),
    ]


def test_delay_scale_zero_makes_every_step_due_at_once(clock: Clock) -> None:
    lifecycle = Lifecycle(clock, settings=LifecycleSettings(delay_scale=0.0))
    message = start(lifecycle, Channel.LETTER, PLAIN_ADDRESSES[Channel.LETTER])

    lifecycle.settle(message)

    assert statuses(message.recipients[0]) == ["received", "printed", "posted", "delivered"]


# --- settle (time mode) -----------------------------------------------------------


def test_settle_fires_nothing_before_the_first_due_time(clock: Clock) -> None:
    lifecycle = Lifecycle(clock)
    message = start(lifecycle, Channel.EMAIL, "jean@example.fr")
    clock.advance(0.999)

    lifecycle.settle(message)

    assert statuses(message.recipients[0]) == ["accepted"]
    assert planned(message.recipients[0]) == ["sent", "delivered"]


def test_settle_fires_a_step_at_exactly_its_due_time(clock: Clock) -> None:
    lifecycle = Lifecycle(clock)
    message = start(lifecycle, Channel.EMAIL, "jean@example.fr")
    clock.advance(1)

    lifecycle.settle(message)

    assert statuses(message.recipients[0]) == ["accepted", "sent"]
    assert planned(message.recipients[0]) == ["delivered"]


def test_settle_dates_each_step_at_its_due_time_not_at_the_reading_time(clock: Clock) -> None:
    lifecycle = Lifecycle(clock)
    message = start(lifecycle, Channel.EMAIL, "bounce@example.fr")
    clock.advance(1000)

    lifecycle.settle(message)

    created = message.created_at
    assert [(e.status, e.at, e.detail) for e in message.recipients[0].history] == [
        ("accepted", created, "accepted"),
        ("sent", created + seconds(1), ""),
        ("hard_bounce", created + seconds(5), "5.1.1 Bad destination mailbox address"),
    ]
    assert message.recipients[0].plan == []


def test_settle_does_nothing_in_polls_mode(clock: Clock) -> None:
    lifecycle = polls_lifecycle(clock, polls_per_step=2)
    message = start(lifecycle, Channel.SMS, "33601020304")
    clock.advance(1000)

    lifecycle.settle(message)

    assert statuses(message.recipients[0]) == ["accepted"]


# --- poll (polls mode) ------------------------------------------------------------


def test_every_second_poll_moves_one_step_dated_now(clock: Clock) -> None:
    lifecycle = polls_lifecycle(clock, polls_per_step=2)
    message = start(lifecycle, Channel.SMS, "33601020304")
    recipient = message.recipients[0]
    clock.advance(500)  # far past every due time: only polls may move it

    seen = []
    for _ in range(5):
        lifecycle.poll(message, recipient)
        seen.append(recipient.current.status)

    assert seen == ["accepted", "sent_to_operator", "sent_to_operator", "delivered", "delivered"]
    assert recipient.history[1].at == message.created_at + seconds(500)


def test_polls_are_counted_per_recipient(clock: Clock) -> None:
    lifecycle = polls_lifecycle(clock, polls_per_step=2)
    message = start(lifecycle, Channel.SMS, "33601020304", "33601020305")
    first, second = message.recipients

    lifecycle.poll(message, first)
    lifecycle.poll(message, second)
    lifecycle.poll(message, first)

    assert (first.current.status, second.current.status) == ("sent_to_operator", "accepted")


def test_poll_does_nothing_in_time_mode(clock: Clock) -> None:
    lifecycle = Lifecycle(clock)
    message = start(lifecycle, Channel.SMS, "33601020304")
    recipient = message.recipients[0]

    for _ in range(5):
        lifecycle.poll(message, recipient)

    assert statuses(recipient) == ["accepted"]
    assert recipient.polls == 0


def test_polls_after_the_plan_is_done_change_nothing(clock: Clock) -> None:
    lifecycle = polls_lifecycle(clock, polls_per_step=2)
    message = start(lifecycle, Channel.FAX, "33140000001")
    recipient = message.recipients[0]

    for _ in range(10):
        lifecycle.poll(message, recipient)

    assert statuses(recipient) == ["queued", "sending", "sent"]
    assert recipient.plan == []


def test_back_in_time_mode_the_remaining_steps_follow_the_polled_ones(clock: Clock) -> None:
    lifecycle = polls_lifecycle(clock, polls_per_step=1)
    message = start(lifecycle, Channel.SMS, "33601020304")
    recipient = message.recipients[0]
    clock.advance(100)
    lifecycle.poll(message, recipient)  # sent_to_operator, at +100 s

    lifecycle.settings.mode = "time"
    clock.advance(1000)
    lifecycle.settle(message)

    assert statuses(recipient) == ["accepted", "sent_to_operator", "delivered"]
    moments = [event.at for event in recipient.history]
    assert moments == sorted(moments)


# --- force ------------------------------------------------------------------------


def test_force_enters_the_status_now_and_drops_the_plan(clock: Clock) -> None:
    lifecycle = Lifecycle(clock)
    message = start(lifecycle, Channel.EMAIL, "jean@example.fr")
    recipient = message.recipients[0]
    clock.advance(0.5)

    lifecycle.force(message, recipient, "sent")
    clock.advance(86_400)
    lifecycle.settle(message)

    assert [(e.status, e.at, e.detail) for e in recipient.history][1:] == [
        ("sent", message.created_at + seconds(0.5), "forced")
    ]
    assert recipient.plan == []


def test_force_keeps_a_given_detail(clock: Clock) -> None:
    lifecycle = Lifecycle(clock)
    message = start(lifecycle, Channel.EMAIL, "jean@example.fr")
    recipient = message.recipients[0]

    lifecycle.force(message, recipient, "sent")
    lifecycle.force(message, recipient, "soft_bounce", detail="4.2.2")

    assert (recipient.current.status, recipient.current.code, recipient.current.detail) == (
        "soft_bounce",
        6,
        "4.2.2",
    )


def test_force_walks_the_shortest_legal_path(clock: Clock) -> None:
    lifecycle = Lifecycle(clock)
    message = start(lifecycle, Channel.EMAIL, "jean@example.fr")
    recipient = message.recipients[0]

    lifecycle.force(message, recipient, "clicked", "a test")

    assert statuses(recipient) == ["accepted", "sent", "delivered", "opened", "clicked"]
    details = [event.detail for event in recipient.history[1:]]
    assert details == ["forced on the way to clicked"] * 3 + ["a test"]
    assert planned(recipient) == []


def test_force_refuses_a_status_it_cannot_reach_and_names_both(clock: Clock) -> None:
    lifecycle = Lifecycle(clock)
    message = start(lifecycle, Channel.EMAIL, "jean@example.fr")
    recipient = message.recipients[0]
    lifecycle.force(message, recipient, "sent")

    with pytest.raises(IllegalTransition, match="accepted cannot be reached from sent") as raised:
        lifecycle.force(message, recipient, "accepted")

    assert "reachable: delivered, opened, clicked, soft_bounce, hard_bounce" in str(raised.value)
    assert statuses(recipient) == ["accepted", "sent"]


def test_nothing_may_be_forced_after_a_final_status(clock: Clock) -> None:
    lifecycle = Lifecycle(clock)
    message = start(lifecycle, Channel.SMS, "33601020304")
    recipient = message.recipients[0]
    lifecycle.force(message, recipient, "delivered")

    with pytest.raises(IllegalTransition, match=r"expired cannot be reached.*none \(final\)"):
        lifecycle.force(message, recipient, "expired")


@pytest.mark.parametrize("status", ["read", "printed", ""])
def test_force_refuses_a_status_the_channel_does_not_have(clock: Clock, status: str) -> None:
    lifecycle = Lifecycle(clock)
    message = start(lifecycle, Channel.SMS, "33601020304")
    recipient = message.recipients[0]

    with pytest.raises(UnknownStatus, match=f"sms has no status '{status}'"):
        lifecycle.force(message, recipient, status)

    assert planned(recipient) == ["sent_to_operator", "delivered"]


# --- outcome rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "address", "options", "path"),
    [
        (Channel.EMAIL, "jean@example.fr", {}, ("sent", "delivered")),
        (Channel.EMAIL, "bounce.42@example.fr", {}, ("sent", "hard_bounce")),
        (Channel.EMAIL, "BOUNCE@example.fr", {}, ("sent", "hard_bounce")),
        (Channel.EMAIL, "softbounce@example.fr", {}, ("sent", "soft_bounce")),
        (Channel.EMAIL, "complaint@example.fr", {}, ("sent", "delivered", "complaint")),
        (Channel.EMAIL, "unsubscribe@example.fr", {}, ("sent", "delivered", "unsubscribed")),
        (Channel.EMAIL, "open@example.fr", {}, ("sent", "delivered", "opened")),
        (Channel.EMAIL, "click@example.fr", {}, ("sent", "delivered", "opened", "clicked")),
        (Channel.EMAIL, "jean@bounce.example.fr", {}, ("sent", "delivered")),
        (Channel.SMS, "33601020000", {}, ("sent_to_operator", "not_delivered")),
        (Channel.SMS, "33601029999", {}, ("sent_to_operator", "expired")),
        (Channel.SMS, "33600009999", {}, ("sent_to_operator", "expired")),
        (Channel.FAX, "33140120000", {}, ("sending", "busy")),
        (Channel.FAX, "33140121111", {}, ("sending", "no_answer")),
        (Channel.FAX, "33140129999", {}, ("sending", "failed")),
        (
            Channel.LETTER,
            "1 rue X, 99999 Nulle-part",
            {"postal_address": PostalAddress(line1="1 rue X", postcode="99999")},
            ("printed", "posted", "returned"),
        ),
        (
            Channel.LETTER,
            "1 rue X, 75008 Paris",
            {"postal_address": PostalAddress(line1="1 rue X", postcode="75008")},
            ("printed", "posted", "delivered"),
        ),
    ],
)
def test_outcome_rules_choose_the_path(
    channel: Channel, address: str, options: dict[str, Any], path: tuple[str, ...]
) -> None:
    message = new_message(channel, address, at=datetime.now(UTC), **options)

    assert choose_path(DEFAULT_OUTCOME_RULES, message, message.recipients[0])[0] == path


@pytest.mark.parametrize(
    ("track_opens", "track_clicks", "path"),
    [
        (False, False, ("sent", "delivered")),
        (True, False, ("sent", "delivered", "opened")),
        (False, True, ("sent", "delivered")),
        (True, True, ("sent", "delivered", "opened", "clicked")),
    ],
)
def test_a_relay_message_never_goes_past_what_it_tracks(
    track_opens: bool, track_clicks: bool, path: tuple[str, ...]
) -> None:
    message = new_message(
        Channel.RELAY,
        "click@example.fr",
        at=datetime.now(UTC),
        track_opens=track_opens,
        track_clicks=track_clicks,
    )

    assert choose_path(DEFAULT_OUTCOME_RULES, message, message.recipients[0]) == (path, "")


def test_the_first_matching_rule_wins() -> None:
    rules = (
        OutcomeRule(EMAILS, (("reference", glob("vip-*")),), ("sent", "delivered", "opened")),
        OutcomeRule(EMAILS, (("domain", glob("example.fr")),), ("sent", "soft_bounce"), "4.2.2"),
    )
    message = new_message(Channel.EMAIL, "jean@example.fr", at=datetime.now(UTC))
    message.reference = "VIP-7"

    assert choose_path(rules, message, message.recipients[0]) == (
        ("sent", "delivered", "opened"),
        "",
    )
    message.reference = "standard"
    assert choose_path(rules, message, message.recipients[0]) == (("sent", "soft_bounce"), "4.2.2")


# --- the catalogue, its transitions and the default rules -------------------------


@pytest.mark.parametrize(
    "rule", DEFAULT_OUTCOME_RULES, ids=lambda rule: f"{rule_conditions(rule)}->{rule.path[-1]}"
)
def test_every_default_outcome_rule_can_be_walked(rule: OutcomeRule) -> None:
    assert rule.problems() == []


def test_problems_names_each_step_a_rule_cannot_take() -> None:
    broken = OutcomeRule(EMAILS, (("local_part", glob("x*")),), ("delivered", "sent"))

    assert broken.problems() == [
        "email: accepted cannot be followed by delivered",
        "email: delivered cannot be followed by sent",
        "relay: accepted cannot be followed by delivered",
        "relay: delivered cannot be followed by sent",
    ]


@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_every_default_path_can_be_walked(channel: Channel) -> None:
    steps = (initial_status(channel).name, *DEFAULT_PATHS[channel])

    assert [(a, b) for a, b in pairwise(steps) if not may_follow(channel, a, b)] == []


@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_transitions_name_only_catalogued_statuses(channel: Channel) -> None:
    named = {s.name for s in CATALOGUE[channel]}
    used = set(TRANSITIONS[channel]) | {s for nexts in TRANSITIONS[channel].values() for s in nexts}

    assert used - named == set()


@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_a_status_is_final_exactly_when_nothing_may_follow_it(channel: Channel) -> None:
    mismatched = [
        status.name
        for status in CATALOGUE[channel]
        if status.final != (not TRANSITIONS[channel].get(status.name))
    ]

    assert mismatched == []


@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_every_status_is_reachable_from_the_initial_one(channel: Channel) -> None:
    first = initial_status(channel).name
    reached, queue = {first}, deque([first])
    while queue:
        for following in TRANSITIONS[channel].get(queue.popleft(), ()):
            if following not in reached:
                reached.add(following)
                queue.append(following)

    assert reached == {s.name for s in CATALOGUE[channel]}


@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_every_status_but_the_initial_one_has_a_step_delay(channel: Channel) -> None:
    later = {s.name for s in CATALOGUE[channel][1:]}

    assert set(STEP_DELAYS[channel]) == later
    assert all(delay > 0 for delay in STEP_DELAYS[channel].values())


@pytest.mark.parametrize("channel", list(Channel), ids=str)
def test_status_codes_and_names_are_unique_per_channel(channel: Channel) -> None:
    catalogue = CATALOGUE[channel]

    assert len({s.code for s in catalogue}) == len({s.name for s in catalogue}) == len(catalogue)
