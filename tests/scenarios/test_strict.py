"""Strict scenarios: a rule naming an operation, a field, a code or a status that does
not exist is refused by `check` (and every load), at its line and column, with a "did
you mean"; one rule alone (``load_rule``) gets the same checks and messages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mock_efidem.domain.rules import ERROR_TABLES, SCENARIO_ONLY_CODES
from mock_efidem.dqe.paths import DQE_OPERATIONS, DQE_PARAMETERS
from mock_efidem.scenario.loader import (
    ScenarioError,
    load_file,
    load_rule,
    load_text,
    shipped_names,
)
from mock_efidem.scenario.model import FaultRule, ResponseRule
from mock_efidem.scenario.strict import known_operations
from mock_efidem.soap.operations import OPERATIONS
from tests.processes import run_cli

ROOT = Path(__file__).resolve().parents[2]

MISTAKES = """\
name: mistakes
responses:
  - operation: ENVOYER_EMAL
    code: -5
  - operation: ENVOYER_EMAIL
    when: {DESTINATON: "boom@*"}
    code: -9
  - {operation: "ENVOYER_EMIAL*", result: x}
  - {operation: MULTI_ENVOYER_SMS, code: -51}
  - {operation: {regex: "^STATUT_(SMS|FAX)$"}, code: -5}
  - {operation: DQEEMAILLOOKUP, code: -5}
faults:
  - {protocol: dqe, when: {Emial: x}, reset: true}
  - {operation: RAPPORT, channel: sms, reset: true}
outcomes:
  - {channel: sms, path: [sent_to_operator, delivred]}
  - {channel: email, match: {recipent: x}, path: [sent]}
delays:
  email: {deliverd: 3}
"""
MISTAKE_PROBLEMS = [
    "3:16: responses/0/operation: unknown operation ENVOYER_EMAL; did you mean ENVOYER_EMAIL?",
    "6:24: responses/1/when/DESTINATON: ENVOYER_EMAIL has no field DESTINATON; "
    "did you mean DESTINATION?",
    "8:17: responses/2/operation: glob 'ENVOYER_EMIAL*' matches no SOAP operation; "
    "did you mean ENVOYER_EMAIL?",
    "9:42: responses/3/code: code -51 is not in MULTI_ENVOYER_SMS's error table "
    "(-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -50); "
    "allow_undocumented: true forces it anyway",
    "10:54: responses/4/code: code -5 is not in the error table of STATUT_FAX "
    "(codes all of them have: -1, -2, -3, -4, -6, -7); allow_undocumented: true forces it anyway",
    "11:17: responses/5/operation: DQEEMAILLOOKUP is a DQE operation: responses answer SOAP "
    "calls only (a fault can shape DQE's answers)",
    "13:35: faults/0/when/Emial: no DQE operation has a field Emial; did you mean Email?",
    "14:35: faults/1/channel: RAPPORT is on no channel, not sms",
    "16:26: outcomes/0/path: sms has no status delivred; did you mean delivered?",
    "17:40: outcomes/1/match/recipent: cannot match on 'recipent'; did you mean recipient?",
    "19:21: delays/email/deliverd: email has no status deliverd; did you mean delivered?",
]


def problems_of(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as refused:
        load_text(text)
    return [str(problem) for problem in refused.value.problems]


# --- check ---------------------------------------------------------------------------


def test_check_places_each_mistake_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "mistakes.yaml"
    path.write_text(MISTAKES, encoding="utf-8")

    checked = run_cli("check", path, cwd=ROOT)

    assert checked.returncode == 1
    assert checked.stderr.splitlines() == [f"{path}:{problem}" for problem in MISTAKE_PROBLEMS]


def test_check_accepts_every_shipped_scenario_by_name() -> None:
    checked = run_cli("check", *shipped_names(), cwd=ROOT)

    assert (checked.returncode, checked.stderr) == (0, "")
    assert checked.stdout.splitlines() == [
        f"{name}: ok (scenario {name!r})" for name in shipped_names()
    ]


def test_the_readmes_check_example_is_what_check_prints() -> None:
    """README: the ```yaml block of tests/scenarios/broken.yaml, then `check`'s output."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ mock-efidem check broken.yaml\n", 1)[1].split("```", 1)[0]

    checked = run_cli("check", "broken.yaml", cwd=ROOT / "tests" / "scenarios")

    assert checked.returncode == 1
    assert checked.stderr == block


# --- what each check accepts ---------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "{operation: ENVOYER_SMS, code: -50, allow_undocumented: true}",
        "{operation: STATUT_SMS, code: 3, allow_undocumented: true}",
        "{operation: MULTI_ENVOYER_SMS, code: -50}",  # a scenario-only code is documented
        "{operation: COURRIER_ENVOYER, code: 505}",
        "{operation: 'statut_*', when: {MESSAGEID: x}, result: 1}",  # globs ignore case
        "{channel: sms, when: {DESTINATION: '06*'}, code: -4}",
        "{operation: MULTI_ENVOYER_EMAIL, when: {DESTINATION: x, NOM: y}, code: -9}",
        "{operation: ENVOYER_EMAIL_RELAIIS, when: {string: 'a@b.fr'}, code: -4}",
        "{operation: COURRIER_ENVOYER, when: {CODE_POSTAL: '75*', NOM: x}, code: 505}",
        "{when: {TEXTE: '*QA*'}, code: -8}",  # every operation with a TEXTE has a -8
    ],
)
def test_a_documented_or_allowed_response_loads(rule: str) -> None:
    assert load_text(f"responses:\n  - {rule}\n").responses


@pytest.mark.parametrize(
    "rule",
    [
        "{operation: DQEEMAILLOOKUP, when: {Email: '*@x.fr', TimeOut: '1'}, latency: 1}",
        "{protocol: dqe, when: {Prenom: Jean}, reset: true}",
        "{operation: MAILSUGGEST, when: {Nom: x, Instance: '1'}, empty: true}",
        "{when: {Email: x}, reset: true}",
        "{operation: '*', when: {MESSAGEID: x}, reset: true}",
    ],
)
def test_a_fault_on_known_fields_loads(rule: str) -> None:
    assert load_text(f"faults:\n  - {rule}\n").faults


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "{protocol: dqe, operation: ENVOYER_EMAIL, reset: true}",
            "faults/0/operation: ENVOYER_EMAIL is a SOAP operation, and this rule is for "
            "protocol: dqe",
        ),
        (
            "{operation: {regex: '^NOPE$'}, reset: true}",
            "faults/0/operation: regex '^NOPE$' matches no operation; known: ENVOYER_EMAIL, ",
        ),
        (
            "{when: {MESSAGEID: x, TEXTE: y}, reset: true}",
            "faults/0/when: no operation has all of MESSAGEID, TEXTE",
        ),
        (
            "{channel: letter, when: {TEXTE: x}, reset: true}",
            "faults/0/when/TEXTE: none of COURRIER_ENVOYER, ENVOYER_COURRIER, COURRIER_STATUT, "
            "COURRIER_SUIVRE has a field TEXTE; known: ",
        ),
    ],
)
def test_a_fault_selecting_nothing_is_refused(rule: str, message: str) -> None:
    (problem,) = problems_of(f"faults:\n  - {rule}\n")
    assert problem.split(": ", 1)[1].startswith(message), problem


def test_a_code_for_channels_says_which_tables_lack_it() -> None:
    (problem,) = problems_of("responses:\n  - {channel: [letter, fax], code: -5}\n")
    assert problem.endswith(
        "responses/0/code: code -5 is not in the error table of COURRIER_ENVOYER, "
        "ENVOYER_COURRIER, COURRIER_STATUT and 3 more (codes all of them have: -1, -2, -3, -6); "
        "allow_undocumented: true forces it anyway"
    )


def test_a_bad_pattern_is_reported_once() -> None:
    (problem,) = problems_of("faults:\n  - {operation: {regex: '('}, when: {X: y}, reset: true}\n")
    assert "bad pattern" in problem


# --- the names come from the code ------------------------------------------------------------


def test_every_operation_is_known_with_its_codes() -> None:
    known = {op.name: op for op in known_operations()}
    assert set(known) == {op.wire_name for op in OPERATIONS} | set(DQE_OPERATIONS.values())
    for op in OPERATIONS:
        table = {rule.code for rule in ERROR_TABLES[op.operation]}
        extra = set(SCENARIO_ONLY_CODES.get(op.operation, ()))
        assert set(known[op.wire_name].codes) == table | extra, op.wire_name


def test_the_fields_are_the_leaves_of_each_call() -> None:
    fields = {op.name: op.fields for op in known_operations()}
    assert fields["STATUT_EMAIL"] == {"UTILISATEUR", "MOT_DE_PASSE", "AppID", "MESSAGEID"}
    # An array's items and their children.
    assert {"DESTINATION", "NOM_DESTINATAIRE", "VARIABLE10"} <= fields["MULTI_ENVOYER_EMAIL"]
    assert {"LISTE_FICHIERS", "LISTE_FICHIER", "NOM", "CONTENU"} <= fields["ENVOYER_EMAIL"]
    assert {"CIVILITE", "CODE_POSTAL", "Type_lettre"} <= fields["ENVOYER_COURRIER"]


def test_the_dqe_fields_are_the_parameters_dqe_reads() -> None:
    """Every ``params.get("X")`` of dqe/http.py is in DQE_PARAMETERS, and no more."""
    source = (ROOT / "mock_efidem" / "dqe" / "http.py").read_text(encoding="utf-8")
    read = {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "params"
        and isinstance(node.args[0], ast.Constant)
    }
    assert read == set().union(*DQE_PARAMETERS.values())


# --- origin ----------------------------------------------------------------------------------


def test_each_rule_knows_where_it_was_written(tmp_path: Path) -> None:
    path = tmp_path / "placed.yaml"
    path.write_text(
        "name: placed\n"
        "responses:\n"
        "  - {operation: STATUT_SMS, result: 1}\n"
        "faults:\n"
        "  - {operation: STATUT_SMS, reset: true}\n"
        "outcomes:\n"
        "  - channel: sms\n"
        "    path: [sent_to_operator, expired]\n",
        encoding="utf-8",
    )
    scenario = load_file(path)
    origins = [r.origin for r in (*scenario.responses, *scenario.faults, *scenario.outcome_rules)]
    assert origins == ["placed.yaml:3", "placed.yaml:5", "placed.yaml:7"]
    assert load_text(path.read_text(encoding="utf-8")).responses[0].origin == "placed:3"
    assert load_file("qa-error-codes").responses[0].origin == "qa-error-codes.yaml:12"


# --- load_rule -------------------------------------------------------------------------------


def test_load_rule_builds_one_rule_with_its_origin() -> None:
    rule = load_rule("responses", {"operation": "STATUT_SMS", "code": -5}, "POST /_mock/rules")
    assert isinstance(rule, ResponseRule)
    assert (rule.code, rule.origin) == (-5, "POST /_mock/rules")
    fault = load_rule("faults", {"operation": "DQEEMAILLOOKUP", "latency": 1})
    assert isinstance(fault, FaultRule)
    outcome = load_rule("outcomes", {"channel": "sms", "path": ["sent_to_operator", "expired"]})
    assert outcome.path == ("sent_to_operator", "expired")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("section", "rule", "problems"),
    [
        (
            "responses",
            {"operation": "ENVOYER_EMAIL", "when": {"DESTINATON": "x"}, "code": -5},
            [
                "rule/when/DESTINATON: ENVOYER_EMAIL has no field DESTINATON; "
                "did you mean DESTINATION?"
            ],
        ),
        (
            "responses",
            {"operation": "STATUT_SMS", "code": -99},
            [
                "rule/code: code -99 is not in STATUT_SMS's error table "
                "(-1, -2, -3, -4, -5, -6, -7, -8); allow_undocumented: true forces it anyway"
            ],
        ),
        ("faults", {"operation": "STATUT_SMS"}, ["rule: {'operation': 'STATUT_SMS'} is not valid"]),
        ("faults", 5, ["rule: 5 is not of type 'object'"]),
        (
            "outcomes",
            {"channel": "sms", "path": ["delivred"]},
            ["rule/path: sms has no status delivred; did you mean delivered?"],
        ),
        ("rules", {}, ["section: 'rules' is none of responses, faults, outcomes"]),
    ],
)
def test_load_rule_refuses_as_check_would(section: str, rule: object, problems: list[str]) -> None:
    with pytest.raises(ScenarioError) as refused:
        load_rule(section, rule)
    found = refused.value.problems
    assert [(p.line, p.column) for p in found] == [(0, 0)] * len(problems)
    assert len(found) == len(problems)
    for problem, expected in zip(found, problems, strict=True):
        assert problem.message.startswith(expected), problem
