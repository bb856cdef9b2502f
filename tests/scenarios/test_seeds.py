"""Two runs with the same scenario and seed make the same ids and the same invented data;
another seed makes others; the command line's seed (Settings.seed) wins over the
scenario's."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.processes import served

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "delivery-outcomes.yaml"  # seed: 2026
MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
PDF = {"LISTE_FICHIER": [{"NOM": "l.pdf", "CONTENU": b"%PDF-1.4"}]}


def sent(result: str) -> str:
    assert MESSAGE_ID.fullmatch(result), result
    return result


def send_letter(soap: Any, auth: dict[str, str], name: str) -> str:
    return sent(
        soap.COURRIER_ENVOYER(
            **auth,
            Destinataires={"NOM": name, "PRENOM": "Jean"},
            Adresse_postale={
                "ADRESSE1": "1 rue de la Paix",
                "CODE_POSTAL": "75002",
                "VILLE": "Paris",
                "PAYS": "FRANCE",
            },
            Liste_Fichier=PDF,
            Couleur=True,
        )
    )


def sends(mock: Any, auth: dict[str, str]) -> list[str]:
    """The same sequence of sends, every time: emails, SMS and letters."""
    soap = mock.soap
    email = {"SUJET": "s", "TEXTE": "t", "EMETTEUR": "shop@example.com"}
    return [
        sent(soap.ENVOYER_EMAIL(**auth, DESTINATION="jean@example.fr", **email)),
        send_letter(soap, auth, "Dupont"),
        sent(soap.ENVOYER_SMS(**auth, DESTINATION="0601020304", TEXTE="t")),
        sent(
            soap.MULTI_ENVOYER_EMAIL(
                **auth,
                DESTINATION={"DESTINATAIRE": [{"DESTINATION": "a@example.fr"}]},
                **email,
            )
        ),
        send_letter(soap, auth, "Martin"),
        sent(
            soap.MULTI_ENVOYER_SMS(
                **auth,
                DESTINATAIRE={"DESTINATAIRE": [{"DESTINATION": "0601020305"}]},
                TEXTE="t",
            )
        ),
    ]


def run(launch: Any, auth: dict[str, str], scenario: Path, seed: int | None) -> dict[str, Any]:
    with launch(scenario, seed=seed) as mock:
        ids = sends(mock, auth)
        messages = [mock.message(i) for i in ids]
        return {
            "seed": mock.get("/scenario")["seed"],
            "ids": ids,
            "tracking": [m["options"]["tracking"] for m in messages if m["channel"] == "letter"],
            "messages": messages,
        }


@pytest.fixture(scope="module")
def runs(launch, tmp_path_factory) -> dict[str, dict[str, Any]]:
    """The same sends on four fresh servers."""
    auth = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}
    seed_99 = tmp_path_factory.mktemp("seeds") / "seed-99.yaml"
    seed_99.write_text(
        SCENARIO.read_text(encoding="utf-8").replace("seed: 2026", "seed: 99"), encoding="utf-8"
    )
    return {
        "first": run(launch, auth, SCENARIO, None),
        "second": run(launch, auth, SCENARIO, None),
        "settings seed 99": run(launch, auth, SCENARIO, 99),
        "scenario seed 99": run(launch, auth, seed_99, None),
    }


def test_the_same_seed_gives_the_same_ids(runs) -> None:
    assert runs["first"]["seed"] == runs["second"]["seed"] == 2026
    assert runs["first"]["ids"] == runs["second"]["ids"]
    assert len(set(runs["first"]["ids"])) == 6


def test_the_same_seed_gives_the_same_letter_tracking(runs) -> None:
    tracking = runs["first"]["tracking"]
    assert tracking == runs["second"]["tracking"]
    assert len(tracking) == 2 and tracking[0] != tracking[1]
    assert all(re.fullmatch(r"1A\d{11}", t["number"]) for t in tracking)


def test_the_same_seed_gives_the_same_stored_messages_to_the_microsecond(runs) -> None:
    """The clock is frozen at the scenario's start: dates repeat too."""
    assert runs["first"]["messages"] == runs["second"]["messages"]
    assert runs["first"]["messages"][0]["created_at"] == "2026-01-05T09:00:00+00:00"


def test_another_seed_gives_other_ids_and_tracking(runs) -> None:
    other = runs["settings seed 99"]
    assert set(other["ids"]).isdisjoint(runs["first"]["ids"])
    assert [t["number"] for t in other["tracking"]] != [
        t["number"] for t in runs["first"]["tracking"]
    ]


def test_the_settings_seed_wins_over_the_scenarios(runs) -> None:
    by_settings, by_scenario = runs["settings seed 99"], runs["scenario seed 99"]
    assert by_settings["seed"] == by_scenario["seed"] == 99
    assert by_settings["ids"] == by_scenario["ids"]
    assert by_settings["tracking"] == by_scenario["tracking"]


def test_serve_seed_flag_wins_over_the_scenarios(runs) -> None:
    seed_99 = ("--scenario", SCENARIO, "--seed", "99")
    with served(*seed_99, cwd=ROOT, stderr=subprocess.PIPE) as (_, base):
        scenario = requests.get(f"{base}/_mock/scenario", timeout=10).json()
        envelope = (
            '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:e="http://www.efidem.com/"><s:Body><e:ENVOYER_EMAIL>'
            "<e:UTILISATEUR>demo</e:UTILISATEUR><e:MOT_DE_PASSE>demo</e:MOT_DE_PASSE>"
            "<e:AppID>demo</e:AppID><e:DESTINATION>jean@example.fr</e:DESTINATION>"
            "<e:SUJET>s</e:SUJET><e:TEXTE>t</e:TEXTE><e:EMETTEUR>shop@example.com</e:EMETTEUR>"
            "</e:ENVOYER_EMAIL></s:Body></s:Envelope>"
        )
        answer = requests.post(f"{base}/soap", data=envelope, timeout=10)
    assert (scenario["name"], scenario["seed"]) == ("delivery-outcomes", 99)
    assert runs["settings seed 99"]["ids"][0] in answer.text
