"""MAILSUGGEST: the name folding as unit tests, then the endpoint over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
import requests

from mock_efidem.dqe import DEFAULT_DQE_CONFIG, DqeConfig
from mock_efidem.dqe.suggest import fold, suggestions, syntax
from mock_efidem.server import MockServer

L1, L2 = "DQE-DEMO-L1", "DQE-DEMO-L2"


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Jérôme", "jerome"),
        ("Dupont-Lefèvre", "dupont-lefevre"),
        ("d'Artagnan", "dartagnan"),
        ("Œuvray", "oeuvray"),
        ("  De La Fontaine ", "de-la-fontaine"),
        ("Müller--Straße", "muller-strasse"),
        ("Ñúñez 2", "nunez"),
        ("李", ""),
    ],
)
def test_fold(name: str, folded: str) -> None:
    assert fold(name) == folded


def test_suggestions_order_and_forms() -> None:
    assert suggestions("Jérôme", "Dupont") == [
        "jdupont@",
        "j.dupont@",
        "jerome.dupont@",
        "jeromedupont@",
        "dupont.jerome@",
        "dupontj@",
        "jerome_dupont@",
    ]


def test_suggestions_with_a_compound_first_name() -> None:
    assert suggestions("Jean-Pierre", "Éluard")[:2] == ["jpeluard@", "jp.eluard@"]


def test_suggestions_with_one_name_or_none() -> None:
    assert suggestions("", "Dupont") == ["dupont@"]
    assert suggestions("Anaïs", "") == ["anais@"]
    assert suggestions("", "") == []


def test_suggestions_have_no_duplicates() -> None:
    found = suggestions("A", "B")
    assert len(found) == len(set(found))


@pytest.mark.parametrize(
    ("email", "verdict"),
    [("", "ok"), ("jean@gmail.com", "ok"), ("jean@", "ko"), ("jean", "ko")],
)
def test_syntax(email: str, verdict: str) -> None:
    assert syntax(email) == verdict


def test_mailsuggest_with_accented_names(suggest_url: str) -> None:
    response = requests.get(
        suggest_url,
        params={"Nom": "Lefèvre", "Prenom": "Hélène", "Licence": L1, "Pays": "FRA"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "Instance": "0",
        "suggest": [
            "hlefevre@",
            "h.lefevre@",
            "helene.lefevre@",
            "helenelefevre@",
            "lefevre.helene@",
            "lefevreh@",
            "helene_lefevre@",
        ],
        "syntaxe": "ok",
    }


def test_mailsuggest_post_with_instance_and_bad_email(suggest_url: str) -> None:
    response = requests.post(
        suggest_url,
        data={"Nom": "Çelik", "Prenom": "Zoé", "Email": "zoe@", "Licence": L2, "Instance": "3"},
        timeout=10,
    )
    document = response.json()
    assert (document["Instance"], document["syntaxe"]) == ("3", "ko")
    assert document["suggest"][0] == "zcelik@"


def test_mailsuggest_without_trailing_slash(server: MockServer) -> None:
    response = requests.get(
        f"{server.base_url}/MAILSUGGEST", params={"Nom": "Dupont", "Licence": L1}, timeout=10
    )
    assert response.json()["suggest"] == ["dupont@"]


@pytest.mark.parametrize("params", [{"Nom": "Dupont"}, {"Nom": "Dupont", "Licence": " "}])
def test_mailsuggest_missing_licence_is_400(suggest_url: str, params: dict[str, str]) -> None:
    response = requests.get(suggest_url, params=params, timeout=10)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["status"] == 400


def test_mailsuggest_wrong_licence_is_empty(suggest_url: str) -> None:
    response = requests.get(suggest_url, params={"Nom": "Dupont", "Licence": "NOPE"}, timeout=10)
    assert response.status_code == 200
    assert response.content == b""


def test_mailsuggest_fault_is_503(
    suggest_url: str, use_config: Callable[[DqeConfig], None]
) -> None:
    use_config(replace(DEFAULT_DQE_CONFIG, service_unavailable=True))
    response = requests.get(suggest_url, params={"Nom": "Dupont", "Licence": L1}, timeout=10)
    assert response.status_code == 503


def test_mailsuggest_in_the_journal(server: MockServer, suggest_url: str) -> None:
    requests.get(suggest_url, params={"Nom": "Dupont", "Licence": L1}, timeout=10)
    requests.get(suggest_url, params={"Nom": "Dupont"}, timeout=10)
    journal = requests.get(f"{server.base_url}/_mock/journal", {"protocol": "dqe"}, timeout=10)
    entries = journal.json()["entries"][::-1]  # newest first
    assert [(e["operation"], e["account"], e["result"]) for e in entries] == [
        ("MAILSUGGEST", L1, "ok"),
        ("MAILSUGGEST", "", "400"),
    ]
