"""scenarios/parallel-ci.yaml: any credential trio is accepted and is its own tenant,
resettable alone; the clock is frozen; ids are seeded."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
JOB_A = {"UTILISATEUR": "ci", "MOT_DE_PASSE": "secret-a", "AppID": "job-a"}
JOB_B = {"UTILISATEUR": "ci", "MOT_DE_PASSE": "secret-b", "AppID": "job-b"}
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def mock(launch):
    with launch("parallel-ci.yaml") as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(mock) -> None:
    mock.reset()


def send_email(mock: Any, trio: dict[str, str]) -> str:
    result: str = mock.soap.ENVOYER_EMAIL(
        **trio, DESTINATION="jean@example.fr", SUJET="s", TEXTE="t", EMETTEUR="ci@example.com"
    )
    assert MESSAGE_ID.fullmatch(result), result
    return result


def send_sms(mock: Any, trio: dict[str, str]) -> str:
    result: str = mock.soap.ENVOYER_SMS(**trio, DESTINATION="0601020304", TEXTE="t")
    assert MESSAGE_ID.fullmatch(result), result
    return result


@pytest.mark.parametrize(
    "trio",
    [
        {"UTILISATEUR": "anyone", "MOT_DE_PASSE": "anything", "AppID": "any-app"},
        {"UTILISATEUR": "ci-bot", "MOT_DE_PASSE": "p", "AppID": "pipeline-7"},
        {"UTILISATEUR": "demo", "MOT_DE_PASSE": "not-demo", "AppID": "build-42"},
    ],
    ids=["any", "other", "user-demo-other-app"],
)
def test_any_trio_is_accepted(mock, trio) -> None:
    message_id = send_email(mock, trio)
    assert mock.soap.STATUT_EMAIL(**trio, MESSAGEID=message_id) == 1
    assert mock.message(message_id)["account"] == f"{trio['UTILISATEUR']}/{trio['AppID']}"


def test_each_app_id_sees_only_its_own_messages(mock) -> None:
    email_a, sms_a = send_email(mock, JOB_A), send_sms(mock, JOB_A)
    email_b = send_email(mock, JOB_B)

    assert mock.soap.STATUT_EMAIL(**JOB_A, MESSAGEID=email_a) == 1
    assert mock.soap.STATUT_EMAIL(**JOB_B, MESSAGEID=email_a) == -99
    assert mock.soap.STATUT_SMS(**JOB_B, MESSAGEID=sms_a) == -8
    assert mock.soap.STATUT_EMAIL(**JOB_A, MESSAGEID=email_b) == -99
    assert mock.soap.STATUT_EMAIL(**JOB_B, MESSAGEID=email_b) == 1
    listed = mock.get("/messages", account="ci/job-a")["messages"]
    assert sorted(m["id"] for m in listed) == sorted([email_a, sms_a])


def test_resetting_one_tenant_leaves_the_other(mock) -> None:
    email_a, email_b = send_email(mock, JOB_A), send_email(mock, JOB_B)

    mock.reset("ci/job-a")

    assert mock.soap.STATUT_EMAIL(**JOB_A, MESSAGEID=email_a) == -99
    assert mock.soap.STATUT_EMAIL(**JOB_B, MESSAGEID=email_b) == 1
    assert [m["id"] for m in mock.get("/messages")["messages"]] == [email_b]


def test_the_same_trio_with_another_password_is_refused(mock) -> None:
    email = send_email(mock, JOB_A)
    impostor = {**JOB_A, "MOT_DE_PASSE": "guessed"}

    assert mock.soap.STATUT_EMAIL(**impostor, MESSAGEID=email) == -6
    assert mock.soap.ENVOYER_SMS(**impostor, DESTINATION="0601020304", TEXTE="t") == "-6"
    assert mock.soap.STATUT_EMAIL(**JOB_A, MESSAGEID=email) == 1


def test_the_clock_is_frozen_so_an_email_stays_accepted(mock) -> None:
    email = send_email(mock, JOB_A)
    clock = mock.get("/clock")
    time.sleep(1.1)  # more than the 1 s an email takes to be sent in real time

    assert mock.soap.STATUT_EMAIL(**JOB_A, MESSAGEID=email) == 1
    assert mock.get("/clock")["now"] == clock["now"]
    assert abs(datetime.fromisoformat(clock["now"]) - START) < timedelta(seconds=1)
    mock.advance(1)
    assert mock.soap.STATUT_EMAIL(**JOB_A, MESSAGEID=email) == 2


def test_ids_are_the_same_on_two_fresh_servers(launch) -> None:
    runs = []
    for _ in range(2):
        with launch("parallel-ci.yaml") as fresh:
            runs.append(
                [send_email(fresh, JOB_A), send_sms(fresh, JOB_B), send_email(fresh, JOB_B)]
            )
    assert runs[0] == runs[1]
    assert len(set(runs[0])) == 3
