"""scenarios/default.yaml: what `serve` uses without --scenario; the demo account, the
DQE demo licences, real time."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.processes import served

ROOT = Path(__file__).resolve().parents[2]
MESSAGE_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def mock(launch):
    with launch("default.yaml") as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(mock) -> None:
    mock.reset()


def test_the_demo_account_sends_and_reads_statuses(mock, auth) -> None:
    email = mock.soap.ENVOYER_EMAIL(
        **auth, DESTINATION="jean@example.fr", SUJET="s", TEXTE="t", EMETTEUR="a@example.com"
    )
    sms = mock.soap.ENVOYER_SMS(**auth, DESTINATION="0601020304", TEXTE="t")

    assert MESSAGE_ID.fullmatch(email) and MESSAGE_ID.fullmatch(sms)
    assert mock.soap.STATUT_EMAIL(**auth, MESSAGEID=email) == 1
    assert mock.soap.STATUT_SMS(**auth, MESSAGEID=sms) == 1
    assert mock.soap.STATUT_EMAIL(**{**auth, "MOT_DE_PASSE": "wrong"}, MESSAGEID=email) == -6


def test_the_demo_account_may_fax(mock, auth) -> None:
    fax = mock.soap.ENVOYER_FAX(
        **auth,
        DESTINATION="01 40 00 00 01",
        LISTE_FICHIERS={"LISTE_FICHIER": [{"NOM": "a.pdf", "CONTENU": b"%PDF-1.4"}]},
    )
    assert MESSAGE_ID.fullmatch(fax)


@pytest.mark.parametrize(("licence", "level_two"), [("DQE-DEMO-L1", False), ("DQE-DEMO-L2", True)])
def test_the_dqe_demo_licences_work(mock, licence: str, level_two: bool) -> None:
    response = mock.dqe_lookup(Email="jean.dupont@gmail.com", Licence=licence)

    assert response.status_code == 200
    answer = response.json()["1"]
    assert answer["IdError"] == "00"
    assert ("CodeActivite" in answer) is level_two


def test_an_unknown_dqe_licence_is_refused(mock) -> None:
    response = mock.dqe_lookup(Email="jean.dupont@gmail.com", Licence="DQE-NOT-MINE")
    assert (response.status_code, response.text) == (401, "unauthorized_client")


def test_the_clock_runs_in_real_time(mock) -> None:
    clock = mock.get("/clock")
    assert clock["frozen"] is False
    assert abs(datetime.fromisoformat(clock["now"]) - datetime.now(UTC)) < timedelta(seconds=5)


def test_serve_without_a_scenario_uses_default_yaml() -> None:
    with served(cwd=ROOT, stderr=subprocess.PIPE) as (_, base_url):
        scenario = requests.get(f"{base_url}/_mock/scenario", timeout=10).json()
    assert scenario["name"] == "default"
    assert scenario["accounts"] == ["demo"]
    assert (scenario["responses"], scenario["faults"]) == (0, 0)
