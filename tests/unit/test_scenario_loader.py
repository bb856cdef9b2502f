"""Scenarios without HTTP: the loader on good and bad documents, matchers, the call
rules' selection and counting (RuleState), and latency sampling."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mock_efidem.domain.matching import Matcher, matcher_of
from mock_efidem.domain.models import Channel
from mock_efidem.domain.outcomes import DEFAULT_OUTCOME_RULES
from mock_efidem.scenario.loader import Problem, ScenarioError, load_file, load_text
from mock_efidem.scenario.model import (
    CallFacts,
    FaultRule,
    Latency,
    ResponseRule,
    RuleState,
    Scenario,
    Selection,
)

FULL = """\
name: full
description: every section
seed: 42
accounts:
  - {user: shop, password: pw, app_id: app, fax: false, dqe_licences: {SHOP-L2: 2}}
open_accounts: true
forbidden_sequences: ["<script"]
clock: {frozen: true, start: "2026-01-05T09:00:00", mode: polls, polls_per_step: 3,
        delay_scale: 0.5}
outcomes:
  - {channel: [email, relay], match: {local_part: "bounce*"}, path: [sent, hard_bounce],
     detail: "5.1.1"}
responses:
  - operation: {regex: "^STATUT_(SMS|EMAIL)$"}
    channel: sms
    account: shop
    when: {MESSAGEID: {exact: QA-5}, UTILISATEUR: "*x*"}
    after: 1
    every: 2
    times: 3
    probability: 0.5
    code: -5
  - {operation: TRANSFORMER_NUMERO, result: "33600000000"}
  - {operation: RAPPORT, fault: {code: Client, message: "no way"}}
faults:
  - {operation: "*", latency: 0.25}
  - {operation: "ENVOYER_*", latency: {uniform: [0.1, 0.2]}, http: {status: 503, body: busy}}
  - {operation: RAPPORT, latency: {normal: {mean: 1, stddev: 0.1}}, reset: true}
  - {operation: RAPPORT, latency: {exponential: {mean: 2}}, empty: true}
  - {operation: RAPPORT, latency: {fixed: 0.5}, truncate: true}
  - {operation: RAPPORT, soap_fault: {message: boom}}
dqe:
  latency_seconds: 0.1
  dead_domains: [Dead.Example]
"""


def facts(
    operation: str = "STATUT_SMS",
    account: str = "demo",
    channel: str | None = "sms",
    **values: tuple[str, ...],
) -> CallFacts:
    return CallFacts("soap", operation, account, channel, values)


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ScenarioError) as raised:
        load_text(text)
    return raised.value.problems


# --- the loader on good documents ------------------------------------------------------------


def test_a_full_document_builds_every_section() -> None:
    scenario = load_text(FULL)

    assert (scenario.name, scenario.seed, scenario.open_accounts) == ("full", 42, True)
    (account,) = scenario.accounts
    assert (account.name, account.password, account.app_id, account.fax_enabled) == (
        "shop",
        "pw",
        "app",
        False,
    )
    assert scenario.forbidden_sequences == ("<script",)
    assert scenario.clock_frozen is True
    assert scenario.clock_start == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert (
        scenario.lifecycle.mode,
        scenario.lifecycle.polls_per_step,
        scenario.lifecycle.delay_scale,
    ) == ("polls", 3, 0.5)
    (outcome,) = scenario.outcome_rules
    assert outcome.channels == {Channel.EMAIL, Channel.RELAY}
    assert (outcome.path, outcome.detail) == (("sent", "hard_bounce"), "5.1.1")


def test_a_full_document_builds_the_call_rules() -> None:
    scenario = load_text(FULL)

    forced, result, fault = scenario.responses
    selection = forced.selection
    assert selection.operation == Matcher("regex", "^STATUT_(SMS|EMAIL)$")
    assert selection.channels == {"sms"}
    assert selection.account == Matcher("exact", "shop")
    assert selection.when == (
        ("MESSAGEID", Matcher("exact", "QA-5")),
        ("UTILISATEUR", Matcher("glob", "*x*")),
    )
    assert (selection.after, selection.every, selection.times, selection.probability) == (
        1,
        2,
        3,
        0.5,
    )
    assert (forced.code, result.result, fault.fault.code, fault.fault.message) == (
        -5,
        "33600000000",
        "Client",
        "no way",
    )
    assert [(f.latency.kind, f.latency.parameters) for f in scenario.faults[:5]] == [
        ("fixed", (0.25,)),
        ("uniform", (0.1, 0.2)),
        ("normal", (1.0, 0.1)),
        ("exponential", (2.0,)),
        ("fixed", (0.5,)),
    ]
    http = scenario.faults[1].http
    assert (http.status, http.body) == (503, "busy")
    assert [(f.reset, f.empty, f.truncate) for f in scenario.faults[2:5]] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]
    assert scenario.faults[5].soap_fault.message == "boom"
    assert scenario.faults[5].latency is None


def test_dqe_licences_of_accounts_join_the_defaults() -> None:
    dqe = load_text(FULL).dqe
    assert dqe.licences == {"DQE-DEMO-L1": 1, "DQE-DEMO-L2": 2, "SHOP-L2": 2}
    assert dqe.latency_seconds == 0.1
    assert dqe.dead_domains == {"dead.example"}


def test_an_empty_document_is_the_built_in_default() -> None:
    scenario = load_text("", default_name="nothing")
    assert scenario.name == "nothing"
    assert scenario.accounts == Scenario().accounts
    assert scenario.outcome_rules == DEFAULT_OUTCOME_RULES
    assert (scenario.responses, scenario.faults, scenario.seed) == ((), (), None)


def test_a_file_is_named_after_its_stem_unless_it_says(tmp_path: Path) -> None:
    unnamed = tmp_path / "my-scenario.yaml"
    unnamed.write_text("seed: 1\n", encoding="utf-8")
    named = tmp_path / "other.yaml"
    named.write_text("name: given\n", encoding="utf-8")

    assert load_file(unnamed).name == "my-scenario"
    assert load_file(named).name == "given"


def test_an_unreadable_file_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as raised:
        load_file(tmp_path / "missing.yaml")
    ((line, column, message),) = [(p.line, p.column, p.message) for p in raised.value.problems]
    assert (line, column) == (0, 0)
    assert message.startswith("cannot read ")


# --- the loader on bad documents -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("seed: [1]\n", 1, 7, "seed: [1] is not of type 'integer'"),
        ("name: x\nnope: 1\n", 2, 1, "Additional properties are not allowed ('nope' was"),
        ("clock: {mode: weekly}\n", 1, 15, "clock/mode: 'weekly' is not one of"),
        ("responses:\n  - {operation: X}\n", 2, 5, "responses/0: {'operation': 'X'} is not"),
        ("responses:\n  - {code: 1, result: 2}\n", 2, 5, "responses/0: {'code': 1, 'result'"),
        ("faults:\n  - {operation: X}\n", 2, 5, "faults/0: {'operation': 'X'} is not valid"),
        ("faults:\n  - {latency: -1}\n", 2, 15, "faults/0/latency: -1 is less than the minimum"),
        ("faults:\n  - {probability: 2, reset: true}\n", 2, 19, "faults/0/probability: 2 is"),
        ("faults:\n  - {reset: false}\n", 2, 13, "faults/0/reset: True was expected"),
        ("accounts:\n  - {user: a, password: b}\n", 2, 5, "accounts/0: 'app_id' is a required"),
        ("outcomes:\n  - {channel: pigeon, path: [x]}\n", 2, 15, "outcomes/0/channel: 'pigeon'"),
        (
            "responses:\n  - {when: {A: {glob: a, regex: b}}, code: 1}\n",
            2,
            16,
            "responses/0/when/A",
        ),
        ("dqe:\n  licences: {' ': 1}\n", 2, 3, "dqe: licence ' ': a non-empty name"),
        ("delays:\n  sms: {opened: 1}\n", 2, 17, "delays/sms/opened: sms has no status opened"),
        (
            "responses:\n  - {operation: {regex: '['}, code: 1}\n",
            2,
            17,
            "responses/0/operation: bad pattern: missing ]: [",
        ),
        (
            "faults:\n  - {when: {TEXTE: {regex: '(?P<'}}, reset: true}\n",
            2,
            20,
            "faults/0/when/TEXTE: bad pattern: ",
        ),
        (
            "outcomes:\n  - {channel: sms, match: {colour: red}, path: [sent_to_operator]}\n",
            2,
            36,
            "outcomes/0/match/colour: cannot match on 'colour'",
        ),
        (
            "outcomes:\n  - {channel: fax, path: [sending, queued]}\n",
            2,
            26,
            "outcomes/0/path: fax: sending cannot be followed by queued",
        ),
        ("name: [unclosed\n", 2, 1, "not valid YAML: "),
        ("- a list\n", 1, 1, "a scenario is a mapping of sections"),
    ],
)
def test_a_bad_document_is_refused_with_the_place(text, line, column, message) -> None:
    (problem,) = problems_of(text)
    assert (problem.line, problem.column) == (line, column), problem
    assert problem.message.startswith(message), problem


def test_every_problem_is_reported_in_order() -> None:
    text = (
        "responses:\n"
        "  - {operation: {regex: '('}, code: 1}\n"
        "outcomes:\n"
        "  - {channel: sms, path: [delivered]}\n"
        "delays:\n"
        "  email: {posted: 1}\n"
    )
    assert [(p.line, str(p).split(": ")[1]) for p in problems_of(text)] == [
        (2, "responses/0/operation"),
        (4, "outcomes/0/path"),
        (6, "delays/email/posted"),
    ]


def test_the_error_message_joins_the_problems() -> None:
    with pytest.raises(ScenarioError, match=r"^1:7: seed: .*; 2:7: name: "):
        load_text("seed: x\nname: [1]\n")


def test_a_problem_reads_line_colon_column() -> None:
    assert str(Problem(3, 14, "bad")) == "3:14: bad"


# --- matchers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "kind", "pattern"),
    [
        ("QA-5", "exact", "QA-5"),
        (-5, "exact", "-5"),
        ("*QA-50*", "glob", "*QA-50*"),
        ("qa-?", "glob", "qa-?"),
        ("[ab]c", "glob", "[ab]c"),
        ({"exact": "a*b"}, "exact", "a*b"),
        ({"glob": "abc"}, "glob", "abc"),
        ({"regex": "^a+$"}, "regex", "^a+$"),
    ],
)
def test_matcher_of_reads_each_spelling(spec, kind, pattern) -> None:
    assert matcher_of(spec) == Matcher(kind, pattern)


@pytest.mark.parametrize(
    ("matcher", "matching", "not_matching"),
    [
        (Matcher("exact", "QA-5"), ["QA-5"], ["qa-5", "QA-50", " QA-5"]),
        (Matcher("exact", "a*b"), ["a*b"], ["axb", "ab"]),
        (Matcher("glob", "*QA-50*"), ["x QA-50 y", "qa-50", "QA-50"], ["QA-5", "QA 50"]),
        (Matcher("glob", "*@example.com"), ["A@EXAMPLE.COM"], ["a@example.com.fr"]),
        (Matcher("regex", "QA-[0-9]+"), ["x QA-12 y", "QA-1"], ["qa-1", "QA-x"]),
        (Matcher("regex", "^QA$"), ["QA"], ["QA ", "xQA"]),
        (Matcher("regex", "(?i)^qa$"), ["QA", "qa"], ["qaa"]),
    ],
)
def test_each_matcher_kind_matches(matcher: Matcher, matching, not_matching) -> None:
    assert [matcher.matches(v) for v in matching] == [True] * len(matching)
    assert [matcher.matches(v) for v in not_matching] == [False] * len(not_matching)


def test_matches_any_looks_at_every_value() -> None:
    matcher = Matcher("exact", "b")
    assert matcher.matches_any(["a", "b"]) is True
    assert matcher.matches_any(["a", "c"]) is False
    assert matcher.matches_any([]) is False


# --- selection -------------------------------------------------------------------------------


def test_an_empty_selection_matches_every_call() -> None:
    assert Selection().matches(facts()) is True
    assert Selection().matches(CallFacts("dqe", "DQEEMAILLOOKUP", "L1")) is True


def test_selection_by_operation_channel_and_account() -> None:
    selection = Selection(
        operation=Matcher("glob", "STATUT_*"),
        channels=frozenset({"sms", "fax"}),
        account=Matcher("exact", "demo"),
    )
    assert selection.matches(facts("STATUT_SMS", "demo", "sms")) is True
    assert selection.matches(facts("STATUT_FAX", "demo", "fax")) is True
    assert selection.matches(facts("STATUT_EMAIL", "demo", "email")) is False
    assert selection.matches(facts("ENVOYER_SMS", "demo", "sms")) is False
    assert selection.matches(facts("STATUT_SMS", "other", "sms")) is False
    assert selection.matches(facts("STATUT_SMS", "demo", None)) is False


def test_selection_when_needs_every_field_to_match_one_of_its_values() -> None:
    selection = Selection(
        when=(("DESTINATION", Matcher("glob", "*99")), ("TEXTE", Matcher("exact", "hi")))
    )
    assert selection.matches(facts(DESTINATION=("0601", "0699"), TEXTE=("hi",))) is True
    assert selection.matches(facts(DESTINATION=("0601", "0602"), TEXTE=("hi",))) is False
    assert selection.matches(facts(DESTINATION=("0699",), TEXTE=("hello",))) is False
    assert selection.matches(facts(DESTINATION=("0699",))) is False, "a missing field"


# --- counting with RuleState -----------------------------------------------------------------


def applied(selection: Selection, calls: int, seed: int | None = None) -> list[bool]:
    rule = ResponseRule(selection, code=-5)
    state = RuleState(Scenario(seed=seed, responses=(rule,)))
    return [state.applies(rule, facts()) for _ in range(calls)]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (Selection(), "XXXXXX"),
        (Selection(times=2), "XX...."),
        (Selection(after=2), "..XXXX"),
        (Selection(every=3), "..X..X"),
        (Selection(after=1, every=2), "..X.X."),
        (Selection(after=1, every=2, times=2), "..X.X....."),
        (Selection(after=3, times=1), "...X.."),
    ],
)
def test_after_every_and_times_pick_the_calls(selection: Selection, expected: str) -> None:
    picked = "".join("X" if hit else "." for hit in applied(selection, len(expected)))
    assert picked == expected


def test_calls_the_rule_does_not_match_are_not_counted() -> None:
    rule = ResponseRule(Selection(operation=Matcher("exact", "STATUT_SMS"), every=2), code=-5)
    state = RuleState(Scenario(responses=(rule,)))
    answers = []
    for _ in range(2):
        answers.append(state.applies(rule, facts("STATUT_SMS")))
        answers.append(state.applies(rule, facts("STATUT_EMAIL", channel="email")))
    assert answers == [False, False, True, False]


def test_each_rule_counts_on_its_own() -> None:
    first = ResponseRule(Selection(every=2), code=-5)
    second = FaultRule(Selection(every=3), reset=True)
    state = RuleState(Scenario(responses=(first,), faults=(second,)))
    hits = [(state.applies(first, facts()), state.applies(second, facts())) for _ in range(6)]
    assert [a for a, _ in hits] == [False, True] * 3
    assert [b for _, b in hits] == [False, False, True] * 2


def test_a_new_rule_state_starts_counting_again() -> None:
    rule = ResponseRule(Selection(times=1), code=-5)
    scenario = Scenario(responses=(rule,))
    first, second = RuleState(scenario), RuleState(scenario)
    assert [first.applies(rule, facts()) for _ in range(2)] == [True, False]
    assert [second.applies(rule, facts()) for _ in range(2)] == [True, False]


def test_a_probability_is_drawn_from_the_seed() -> None:
    one = applied(Selection(probability=0.3), 200, seed=1)
    again = applied(Selection(probability=0.3), 200, seed=1)
    other = applied(Selection(probability=0.3), 200, seed=2)

    assert one == again
    assert one != other
    assert 30 <= sum(one) <= 90


@pytest.mark.parametrize(("probability", "expected"), [(0.0, 0), (1.0, 50)])
def test_probabilities_zero_and_one_are_never_and_always(probability, expected) -> None:
    assert sum(applied(Selection(probability=probability), 50, seed=3)) == expected


def test_a_probability_only_draws_for_the_calls_counting_lets_through() -> None:
    every_other = applied(Selection(every=2, probability=0.5), 200, seed=5)
    assert not any(every_other[0::2]), "odd calls are never picked"
    assert 20 <= sum(every_other[1::2]) <= 80


def test_times_counts_only_the_calls_the_probability_let_through() -> None:
    picked = applied(Selection(times=3, probability=0.5), 100, seed=9)
    assert sum(picked) == 3
    third_hit = [i for i, hit in enumerate(picked) if hit][-1]
    assert third_hit > 2, "calls the draw refused did not use up the times"


def test_each_rule_draws_from_its_own_stream() -> None:
    first = ResponseRule(Selection(probability=0.5), code=-5)
    second = ResponseRule(Selection(probability=0.5), code=-6)
    state = RuleState(Scenario(seed=4, responses=(first, second)))
    first_hits = [state.applies(first, facts()) for _ in range(64)]
    second_hits = [state.applies(second, facts()) for _ in range(64)]
    assert first_hits != second_hits


# --- latency sampling ------------------------------------------------------------------------


def samples(latency: Latency, count: int = 2000) -> list[float]:
    draw = random.Random(0)
    return [latency.sample(draw) for _ in range(count)]


def test_a_fixed_latency_is_its_value() -> None:
    assert set(samples(Latency("fixed", (0.3,)), 10)) == {0.3}
    assert Latency().sample(random.Random(0)) == 0.0


def test_a_uniform_latency_stays_in_its_range_and_fills_it() -> None:
    drawn = samples(Latency("uniform", (0.2, 0.4)))
    assert all(0.2 <= s <= 0.4 for s in drawn)
    assert min(drawn) < 0.21 and max(drawn) > 0.39
    assert statistics.mean(drawn) == pytest.approx(0.3, abs=0.01)


def test_a_normal_latency_centres_on_its_mean_and_never_goes_negative() -> None:
    drawn = samples(Latency("normal", (1.0, 0.1)))
    assert statistics.mean(drawn) == pytest.approx(1.0, abs=0.01)
    assert statistics.stdev(drawn) == pytest.approx(0.1, abs=0.01)
    wide = samples(Latency("normal", (0.1, 1.0)))
    assert min(wide) == 0.0
    assert all(s >= 0 for s in wide)


def test_an_exponential_latency_has_its_mean() -> None:
    drawn = samples(Latency("exponential", (2.0,)), 5000)
    assert all(s >= 0 for s in drawn)
    assert statistics.mean(drawn) == pytest.approx(2.0, rel=0.1)
    assert samples(Latency("exponential", (0.0,)), 5) == [0.0] * 5


def test_the_same_draw_gives_the_same_latencies() -> None:
    latency = Latency("uniform", (0.0, 1.0))
    assert samples(latency, 20) == samples(latency, 20)
