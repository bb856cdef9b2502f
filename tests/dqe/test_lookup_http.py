"""/DQEEMAILLOOKUP/ over real HTTP: verdicts, licences, options, latency, journal."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import requests

from mock_efidem.dqe import ACTIVITY_CODES, DEFAULT_DQE_CONFIG, DqeConfig
from mock_efidem.server import MockServer

L1, L2 = "DQE-DEMO-L1", "DQE-DEMO-L2"
JSON_TYPE = "application/json; charset=utf-8"


def answer(url: str, **params: str) -> dict[str, Any]:
    response = requests.get(url, params={"Licence": L1, **params}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON_TYPE
    document: dict[str, Any] = response.json()["1"]
    return document


@pytest.mark.parametrize(
    ("email", "code"),
    [
        ("jean.dupont@gmail.com", "00"),
        ("contact@catchall.example", "01"),
        ("unknown@gmail.com", "02"),
        ("full@orange.fr", "03"),
        ("", "04"),
        ("jean.dupont@", "91"),
        ("test@tesdedet.com", "92"),
        ("x@shop.invalid", "92"),
        ("jean@gmial.com", "92"),
        ("spamtrap@example.com", "93"),
        ("postmaster@free.fr", "94"),
        ("x@yopmail.com", "95"),
        ("x@unavailable.example", "99"),
    ],
)
def test_each_id_error(lookup_url: str, email: str, code: str) -> None:
    document = answer(lookup_url, Email=email)
    assert document == {
        "Redressement": 0,
        "eMailOrigine": email,
        "IdError": code,
        "eMail": email,
    }


def test_missing_email_gives_04(lookup_url: str) -> None:
    assert answer(lookup_url) == {
        "Redressement": 0,
        "eMailOrigine": "",
        "IdError": "04",
        "eMail": "",
    }


def test_misspelt_parameter_gives_04(lookup_url: str) -> None:
    assert answer(lookup_url, Eail="jean@gmail.com")["IdError"] == "04"
    assert answer(lookup_url, email="jean@gmail.com")["IdError"] == "04"


def test_post_form_body(lookup_url: str) -> None:
    response = requests.post(
        lookup_url, data={"Email": "admin@gmail.com", "Licence": L1}, timeout=10
    )
    assert response.status_code == 200
    assert response.json()["1"]["IdError"] == "94"


@pytest.mark.parametrize("path", ["/DQEEMAILLOOKUP/", "/DQEEMAILLOOKUP"])
def test_with_and_without_trailing_slash(server: MockServer, path: str) -> None:
    response = requests.get(
        server.base_url + path, params={"Email": "a@gmail.com", "Licence": L1}, timeout=10
    )
    assert response.json()["1"]["IdError"] == "00"


@pytest.mark.parametrize("flag", ["y", "1", "Y"])
def test_rectify_on_corrects_the_provider(lookup_url: str, flag: str) -> None:
    document = answer(lookup_url, Email="jean@gmial.com", Rectify=flag)
    assert document == {
        "Redressement": 1,
        "eMailOrigine": "jean@gmial.com",
        "IdError": "00",
        "eMail": "jean@gmail.com",
    }


@pytest.mark.parametrize("flag", ["n", "0", ""])
def test_rectify_off_keeps_the_typo(lookup_url: str, flag: str) -> None:
    document = answer(lookup_url, Email="jean@hotmial.com", Rectify=flag)
    assert document["Redressement"] == 0
    assert (document["IdError"], document["eMail"]) == ("92", "jean@hotmial.com")


@pytest.mark.parametrize("flag", ["n", "0"])
def test_checkuser_off_checks_the_domain_only(lookup_url: str, flag: str) -> None:
    assert answer(lookup_url, Email="unknown@gmail.com", checkuser=flag)["IdError"] == "01"
    assert answer(lookup_url, Email="x@yopmail.com", checkuser=flag)["IdError"] == "95"


def test_extendedsyntax(lookup_url: str) -> None:
    assert answer(lookup_url, Email="élodie@exemple.fr")["IdError"] == "91"
    assert answer(lookup_url, Email="élodie@exemple.fr", extendedsyntax="y")["IdError"] == "00"


def test_missing_or_empty_licence_is_licence_ko(lookup_url: str) -> None:
    expected = {
        "1": {
            "Redressement": 0,
            "eMailOrigine": "jean@gmail.com",
            "IdError": "** LICENCE KO **",
            "eMail": "",
        }
    }
    for params in ({"Email": "jean@gmail.com"}, {"Email": "jean@gmail.com", "Licence": ""}):
        response = requests.get(lookup_url, params=params, timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == JSON_TYPE
        assert response.json() == expected


def test_wrong_licence_is_bare_unauthorized_client(lookup_url: str) -> None:
    response = requests.get(
        lookup_url, params={"Email": "jean@gmail.com", "Licence": "NOPE"}, timeout=10
    )
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text == "unauthorized_client"


def test_level_1_has_no_activity_code(lookup_url: str) -> None:
    assert "CodeActivite" not in answer(lookup_url, Email="activity200@gmail.com")


@pytest.mark.parametrize("code", ACTIVITY_CODES)
def test_each_activity_code_at_level_2(lookup_url: str, code: str) -> None:
    document = answer(lookup_url, Email=f"activity{code}@gmail.com", Licence=L2)
    assert document["IdError"] == "00"
    assert document["CodeActivite"] == code


def test_activity_code_is_stable_per_address(lookup_url: str) -> None:
    codes = {
        answer(lookup_url, Email="Marie.Curie@orange.fr", Licence=L2)["CodeActivite"]
        for _ in range(3)
    }
    assert len(codes) == 1
    assert codes <= set(ACTIVITY_CODES)


def test_activity_left_out_without_data_or_for_a_bad_address(lookup_url: str) -> None:
    assert "CodeActivite" not in answer(lookup_url, Email="noactivity@gmail.com", Licence=L2)
    assert "CodeActivite" not in answer(lookup_url, Email="unknown@gmail.com", Licence=L2)


def test_scenario_config_overrides_address_and_activity(
    lookup_url: str, use_config: Callable[[DqeConfig], None]
) -> None:
    use_config(
        replace(
            DEFAULT_DQE_CONFIG,
            licences={"ACME": 2},
            id_errors={"jean@gmail.com": "03"},
            activity_codes={"marie@gmail.com": "300"},
        )
    )
    assert answer(lookup_url, Email="jean@gmail.com", Licence="ACME")["IdError"] == "03"
    assert answer(lookup_url, Email="marie@gmail.com", Licence="ACME")["CodeActivite"] == "300"


def test_latency_above_timeout_answers_99(
    lookup_url: str, use_config: Callable[[DqeConfig], None]
) -> None:
    use_config(replace(DEFAULT_DQE_CONFIG, latency_seconds=0.3))
    started = time.monotonic()
    document = answer(lookup_url, Email="jean@gmail.com", TimeOut="0.1")
    assert 0.1 <= time.monotonic() - started < 0.3
    assert document["IdError"] == "99"


def test_latency_within_timeout_is_waited(
    lookup_url: str, use_config: Callable[[DqeConfig], None]
) -> None:
    use_config(replace(DEFAULT_DQE_CONFIG, latency_seconds=0.2))
    started = time.monotonic()
    assert answer(lookup_url, Email="jean@gmail.com", TimeOut="2")["IdError"] == "00"
    assert time.monotonic() - started >= 0.2


def test_service_unavailable_fault(
    lookup_url: str, use_config: Callable[[DqeConfig], None]
) -> None:
    use_config(replace(DEFAULT_DQE_CONFIG, service_unavailable=True))
    assert answer(lookup_url, Email="jean@gmail.com", Licence=L2) == {
        "Redressement": 0,
        "eMailOrigine": "jean@gmail.com",
        "IdError": "99",
        "eMail": "jean@gmail.com",
    }


def test_calls_appear_in_the_journal(server: MockServer, lookup_url: str) -> None:
    answer(lookup_url, Email="admin@gmail.com")
    requests.get(lookup_url, params={"Email": "a@b.fr", "Licence": "NOPE"}, timeout=10)
    journal = requests.get(f"{server.base_url}/_mock/journal", {"protocol": "dqe"}, timeout=10)
    entries = journal.json()["entries"][::-1]  # newest first
    dqe = [(e["protocol"], e["operation"], e["account"], e["result"]) for e in entries]
    assert dqe == [
        ("dqe", "DQEEMAILLOOKUP", L1, "94"),
        ("dqe", "DQEEMAILLOOKUP", "NOPE", "unauthorized_client"),
    ]
    assert all(e["duration_ms"] >= 0 for e in entries)


def test_other_paths_still_go_to_soap(server: MockServer) -> None:
    response = requests.get(f"{server.base_url}/DQEEMAILLOOKUP/extra", timeout=10)
    assert "SOAP" in response.text
