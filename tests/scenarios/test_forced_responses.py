"""Forced responses: a code, a result or a SOAP fault, chosen by operation, channel,
account and field values (exact, glob, regex), counted with after/every/times, drawn
with a seeded probability. Each test POSTs its own scenario to a private server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import zeep.exceptions

MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
QA = {"UTILISATEUR": "qa", "MOT_DE_PASSE": "qa", "AppID": "qa"}
ACCOUNTS = """
accounts:
  - {user: demo, password: demo, app_id: demo}
  - {user: qa, password: qa, app_id: qa}
"""


@pytest.fixture(scope="module")
def mock(launch):
    with launch() as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(mock) -> None:
    mock.reset()


def load(mock: Any, rules: str, extra: str = "") -> None:
    """Load a scenario of these responses (a YAML list, indented by two)."""
    mock.load(f"name: forced\n{ACCOUNTS}{extra}responses:\n{rules}")


def verify(mock: Any, auth: dict[str, str], address: str = "jean@example.fr") -> int:
    """VERIFIER_ADRESSE_EMAIL: 0 for a well-formed address, unless a rule says otherwise."""
    return int(mock.soap.VERIFIER_ADRESSE_EMAIL(**auth, DESTINATAIRE=address))


def verify_many(mock: Any, auth: dict[str, str], count: int) -> list[int]:
    return [verify(mock, auth) for _ in range(count)]


# --- what is forced ----------------------------------------------------------------------


def test_a_forced_code_replaces_the_send(mock, auth) -> None:
    load(mock, "  - {operation: ENVOYER_SMS, code: -50, allow_undocumented: true}\n")

    assert mock.soap.ENVOYER_SMS(**auth, DESTINATION="0601020304", TEXTE="t") == "-50"
    assert mock.get("/messages")["count"] == 0
    email = mock.soap.ENVOYER_EMAIL(
        **auth, DESTINATION="jean@example.fr", SUJET="s", TEXTE="t", EMETTEUR="a@example.com"
    )
    assert MESSAGE_ID.fullmatch(email)


def test_a_forced_result_replaces_a_value(mock, auth) -> None:
    load(
        mock,
        "  - {operation: TRANSFORMER_NUMERO, result: '33999999999'}\n"
        "  - {operation: STATUT_EMAIL, result: 4}\n",
    )

    assert mock.soap.TRANSFORMER_NUMERO(**auth, NUMERO="0601020304") == "33999999999"
    assert mock.soap.TRANSFORMER_NUEMRO(**auth, NUMERO="0601020304") == "33601020304"
    assert mock.soap.STATUT_EMAIL(**auth, MESSAGEID="anything") == 4


def test_a_forced_result_fills_a_status_object(mock, auth) -> None:
    load(
        mock,
        "  - operation: STATUT_COMPLET_SMS\n"
        "    result: {CODE_STATUT: 3, DESCRIPTION_STATUT: SMS délivré, MESSAGEID: m-1}\n",
    )

    status = mock.soap.STATUT_COMPLET_SMS(**auth, MESSAGEID="m-1")
    assert (status.CODE_STATUT, status.DESCRIPTION_STATUT, status.MESSAGEID) == (
        3,
        "SMS délivré",
        "m-1",
    )


def test_a_forced_result_may_give_the_status_date(mock, auth) -> None:
    load(
        mock,
        "  - operation: STATUT_COMPLET_SMS\n"
        "    result: {CODE_STATUT: 3, DESCRIPTION_STATUT: x, MESSAGEID: m-1,"
        " DATE_STATUT: 2026-01-05T09:00:00Z}\n",
    )

    status = mock.soap.STATUT_COMPLET_SMS(**auth, MESSAGEID="m-1")
    assert status.DATE_STATUT.isoformat() == "2026-01-05T09:00:00+00:00"


def test_a_forced_fault_reaches_zeep(mock, auth) -> None:
    load(
        mock,
        "  - {operation: STATUT_SMS, fault: {code: Client, message: Refused for the test}}\n"
        "  - {operation: STATUT_FAX, fault: {message: Default code}}\n",
    )

    with pytest.raises(zeep.exceptions.Fault) as client:
        mock.soap.STATUT_SMS(**auth, MESSAGEID="x")
    assert (client.value.message, client.value.code.split(":")[-1]) == (
        "Refused for the test",
        "Client",
    )
    with pytest.raises(zeep.exceptions.Fault) as server:
        mock.soap.STATUT_FAX(**auth, MESSAGEID="x")
    assert (server.value.message, server.value.code.split(":")[-1]) == ("Default code", "Server")
    assert mock.soap.STATUT_EMAIL(**auth, MESSAGEID="x") == -99


# --- counting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counting", "expected"),
    [
        ("times: 2", [-5, -5, 0, 0, 0, 0]),
        ("after: 2", [0, 0, -5, -5, -5, -5]),
        ("every: 3", [0, 0, -5, 0, 0, -5]),
        ("{after: 1, every: 2, times: 2}", [0, 0, -5, 0, -5, 0, 0, 0]),
    ],
    ids=["times", "after", "every", "after-every-times"],
)
def test_counting_picks_the_calls(mock, auth, counting: str, expected: list[int]) -> None:
    fields = counting.strip("{}")
    load(mock, f"  - {{operation: VERIFIER_ADRESSE_EMAIL, code: -5, {fields}}}\n")
    assert verify_many(mock, auth, len(expected)) == expected


def test_a_rule_counts_only_the_calls_it_matches(mock, auth) -> None:
    load(
        mock,
        "  - {operation: VERIFIER_ADRESSE_EMAIL, when: {DESTINATAIRE: c@example.fr},"
        " every: 2, code: -5}\n",
    )

    answers = []
    for _ in range(3):
        answers.append(verify(mock, auth, "c@example.fr"))
        answers.append(verify(mock, auth, "other@example.fr"))
    assert answers == [0, 0, -5, 0, 0, 0]


def test_a_reset_restarts_the_counts(mock, auth) -> None:
    load(mock, "  - {operation: VERIFIER_ADRESSE_EMAIL, times: 1, code: -5}\n")
    assert verify_many(mock, auth, 2) == [-5, 0]
    mock.reset()
    assert verify_many(mock, auth, 2) == [-5, 0]


PROBABLE = """name: probable
seed: {seed}
responses:
  - {{operation: VERIFIER_ADRESSE_EMAIL, probability: 0.5, code: -5}}
"""


def hits(mock: Any, auth: dict[str, str]) -> list[int]:
    """Which of 40 calls were forced."""
    return [position for position, code in enumerate(verify_many(mock, auth, 40)) if code == -5]


def probable(tmp_path: Path, seed: int) -> Path:
    scenario = tmp_path / f"probable-{seed}.yaml"
    scenario.write_text(PROBABLE.format(seed=seed), encoding="utf-8")
    return scenario


def test_a_probability_draws_the_same_calls_for_the_same_seed(launch, auth, tmp_path) -> None:
    with launch(probable(tmp_path, 11)) as first:
        first_hits = hits(first, auth)
        first.reset()
        after_reset = hits(first, auth)
    with launch(probable(tmp_path, 11)) as second:
        second_hits = hits(second, auth)

    assert first_hits == second_hits == after_reset
    assert 5 <= len(first_hits) <= 35, first_hits


def test_another_scenario_seed_draws_other_calls(mock, auth) -> None:
    mock.load(PROBABLE.format(seed=11))
    eleven = hits(mock, auth)
    mock.load(PROBABLE.format(seed=12))
    assert hits(mock, auth) != eleven


def test_the_command_line_seed_wins_for_probabilities(mock, launch, auth, tmp_path) -> None:
    mock.load(PROBABLE.format(seed=12))
    twelve = hits(mock, auth)
    with launch(probable(tmp_path, 11), seed=12) as command_line_seeded:
        assert command_line_seeded.get("/scenario")["seed"] == 12
        assert hits(command_line_seeded, auth) == twelve


# --- matching ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("matcher", "forced", "not_forced"),
    [
        ("{exact: 'a*b@example.com'}", ["a*b@example.com"], ["axb@example.com", "A*B@example.com"]),
        ("'a@example.com'", ["a@example.com"], ["A@example.com", "aa@example.com"]),
        (
            "'*@blocked.example'",
            ["x@blocked.example", "X@BLOCKED.EXAMPLE"],
            ["x@blocked.example.org"],
        ),
        ("{glob: 'qa-?@example.com'}", ["qa-1@example.com"], ["qa-12@example.com"]),
        (
            "{regex: '^qa-[0-9]+@'}",
            ["qa-1@example.com", "qa-12@example.com"],
            ["qa-x@example.com", "xqa-1@example.com"],
        ),
    ],
    ids=["exact", "plain-string-is-exact", "glob-string", "glob", "regex"],
)
def test_when_matches_a_field(mock, auth, matcher: str, forced, not_forced) -> None:
    load(
        mock,
        f"  - {{operation: VERIFIER_ADRESSE_EMAIL, when: {{DESTINATAIRE: {matcher}}}, code: -5}}\n",
    )

    assert [verify(mock, auth, address) for address in forced] == [-5] * len(forced)
    assert [verify(mock, auth, address) for address in not_forced] == [0] * len(not_forced)


def test_when_matches_any_recipient_of_a_multi_send(mock, auth) -> None:
    load(mock, "  - {operation: MULTI_ENVOYER_SMS, when: {DESTINATION: '*99 99'}, code: -50}\n")

    def send(*numbers: str) -> str:
        recipients = {"DESTINATAIRE": [{"DESTINATION": n} for n in numbers]}
        result: str = mock.soap.MULTI_ENVOYER_SMS(**auth, DESTINATAIRE=recipients, TEXTE="t")
        return result

    assert send("06 01 02 03 04", "06 99 99 99 99", "06 01 02 03 05") == "-50"
    assert send("06 99 99 99 99") == "-50"
    assert MESSAGE_ID.fullmatch(send("06 01 02 03 04", "06 01 02 03 05"))


def test_when_matches_a_multi_email_recipients_address(mock, auth) -> None:
    rule = "{operation: MULTI_ENVOYER_EMAIL, when: {DESTINATION: {regex: '@bad\\.'}}, code: -9}"
    load(mock, f"  - {rule}\n")

    def send(*addresses: str) -> str:
        result: str = mock.soap.MULTI_ENVOYER_EMAIL(
            **auth,
            DESTINATION={"DESTINATAIRE": [{"DESTINATION": a} for a in addresses]},
            SUJET="s",
            TEXTE="t",
            EMETTEUR="a@example.com",
        )
        return result

    assert send("a@good.example", "b@bad.example") == "-9"
    assert MESSAGE_ID.fullmatch(send("a@good.example", "b@badly.example"))


def test_a_rule_for_an_account_leaves_the_others(mock, auth) -> None:
    load(mock, "  - {operation: STATUT_EMAIL, account: qa, code: -5}\n")

    assert mock.soap.STATUT_EMAIL(**QA, MESSAGEID="x") == -5
    assert mock.soap.STATUT_EMAIL(**auth, MESSAGEID="x") == -99


def test_an_account_may_be_a_glob(mock, auth) -> None:
    load(mock, "  - {operation: STATUT_EMAIL, account: 'q*', code: -5}\n")

    assert mock.soap.STATUT_EMAIL(**QA, MESSAGEID="x") == -5
    assert mock.soap.STATUT_EMAIL(**auth, MESSAGEID="x") == -99


def test_a_rule_for_channels_picks_their_operations(mock, auth) -> None:
    load(mock, "  - {channel: [letter, fax], code: -5, allow_undocumented: true}\n")

    assert mock.soap.STATUT_FAX(**auth, MESSAGEID="x") == -5
    assert mock.soap.COURRIER_SUIVRE(**auth, MESSAGEID="x").CODE_STATUT == -5
    assert mock.soap.STATUT_EMAIL(**auth, MESSAGEID="x") == -99
    assert mock.soap.STATUT_SMS(**auth, MESSAGEID="x") == -8
    assert verify(mock, auth) == 0, "an annex operation has no channel"


def test_an_operation_may_be_a_glob_or_a_regex(mock, auth) -> None:
    load(
        mock,
        "  - {operation: 'statut_*', code: -5, allow_undocumented: true}\n"
        "  - {operation: {regex: '^TRANSFORMER_NU(ME|EM)RO$'}, result: forced}\n",
    )

    assert mock.soap.STATUT_SMS(**auth, MESSAGEID="x") == -5
    assert mock.soap.STATUT_EMAIL_RELAIIS(**auth, MESSAGEID="x", DESTINATION="a@b.fr") == -5
    assert mock.soap.COURRIER_STATUT(**auth, MESSAGEID="x").CODE_STATUT == -99
    assert mock.soap.TRANSFORMER_NUMERO(**auth, NUMERO="0601020304") == "forced"
    assert mock.soap.TRANSFORMER_NUEMRO(**auth, NUMERO="0601020304") == "forced"


def test_the_first_rule_that_applies_wins(mock, auth) -> None:
    load(
        mock,
        "  - {operation: VERIFIER_ADRESSE_EMAIL, every: 2, code: -5}\n"
        "  - {operation: VERIFIER_ADRESSE_EMAIL, code: -99}\n",
    )
    assert verify_many(mock, auth, 4) == [-99, -5, -99, -5]
