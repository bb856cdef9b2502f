"""Unit tests of the DQE verdicts, config and domain knowledge: plain Python, no HTTP."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from mock_efidem.dqe.config import ACTIVITY_CODES, DEFAULT_DQE_CONFIG, ID_ERRORS, DqeConfig
from mock_efidem.dqe.domains import one_edit_apart, provider_near_miss
from mock_efidem.dqe.verdicts import RULES, LookupOptions, activity_code, id_error, lookup

DEFAULTS = LookupOptions()


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("jean.dupont@gmail.com", "00"),
        ("user@example.com", "00"),
        ("fuller@orange.fr", "00"),
        ("unknownartist@free.fr", "00"),
        ("x@catchall.example", "01"),
        ("unknown@catchall.example", "01"),
        ("x@sub.catch-all.example", "01"),
        ("unknown@gmail.com", "02"),
        ("notfound.42@orange.fr", "02"),
        ("Unknown+tag@free.fr", "02"),
        ("full@gmail.com", "03"),
        ("full2@laposte.net", "03"),
        ("", "04"),
        ("   ", "04"),
        ("jean.dupont", "91"),
        ("a@@b.fr", "91"),
        ("jean dupont@gmail.com", "91"),
        ("x@localhost", "91"),
        ("été@exemple.fr", "91"),
        ("x@foo.invalid", "92"),
        ("x@shop.test", "92"),
        ("x@printer.local", "92"),
        ("x@dead.example", "92"),
        ("test@tesdedet.com", "92"),
        ("jean@gmial.com", "92"),
        ("jean@hotmial.com", "92"),
        ("jean@gmail.con", "92"),
        ("jean@orange.fe", "92"),
        ("spamtrap@example.com", "93"),
        ("anyone@blacklisted.example", "93"),
        ("admin@gmail.com", "94"),
        ("No-Reply@orange.fr", "94"),
        ("postmaster+x@free.fr", "94"),
        ("x@yopmail.com", "95"),
        ("x@mailinator.com", "95"),
        ("x@10minutemail.com", "95"),
        ("x@unavailable.example", "99"),
    ],
)
def test_default_id_errors(address: str, code: str) -> None:
    assert id_error(address.strip(), DEFAULTS, DEFAULT_DQE_CONFIG) == code


def test_every_id_error_has_a_rule_or_is_the_fallback() -> None:
    assert {rule.code for rule in RULES} | {"00"} == set(ID_ERRORS)


def test_a_near_miss_that_is_also_disposable_is_a_typo_first() -> None:
    """gmial.com catches Gmail users' typos and is on the disposable list too."""
    assert id_error("jean@gmial.com", DEFAULTS, DEFAULT_DQE_CONFIG) == "92"


def test_extended_syntax_allows_international_addresses() -> None:
    options = LookupOptions(extended_syntax=True)
    assert id_error("été@exemple.fr", options, DEFAULT_DQE_CONFIG) == "00"


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("unknown@gmail.com", "01"),
        ("full@gmail.com", "01"),
        ("admin@gmail.com", "01"),
        ("jean@gmail.com", "01"),
        ("x@yopmail.com", "95"),
        ("x@foo.invalid", "92"),
        ("bad", "91"),
    ],
)
def test_checkuser_off_checks_the_domain_only(address: str, code: str) -> None:
    assert id_error(address, LookupOptions(check_user=False), DEFAULT_DQE_CONFIG) == code


def test_rectify_corrects_a_provider_typo_and_judges_the_correction() -> None:
    verdict = lookup("Jean@gmial.com", LookupOptions(rectify=True), DEFAULT_DQE_CONFIG)
    assert (verdict.id_error, verdict.email, verdict.rectified) == ("00", "Jean@gmail.com", True)
    unknown = lookup("unknown@hotmial.com", LookupOptions(rectify=True), DEFAULT_DQE_CONFIG)
    assert (unknown.id_error, unknown.email) == ("02", "unknown@hotmail.com")


def test_rectify_leaves_other_unknown_domains_alone() -> None:
    verdict = lookup("x@dead.example", LookupOptions(rectify=True), DEFAULT_DQE_CONFIG)
    assert (verdict.id_error, verdict.email, verdict.rectified) == ("92", "x@dead.example", False)


def test_without_rectify_a_typo_stays_unknown() -> None:
    verdict = lookup("jean@gmial.com", DEFAULTS, DEFAULT_DQE_CONFIG)
    assert (verdict.id_error, verdict.email, verdict.rectified) == ("92", "jean@gmial.com", False)


def test_scenario_overrides_address_then_domain() -> None:
    config = replace(
        DEFAULT_DQE_CONFIG,
        id_errors={"VIP@Gmail.com": "03", "corp.example": "93", "gmail.com": "02"},
    )
    assert id_error("vip@gmail.com", DEFAULTS, config) == "03"
    assert id_error("anyone@gmail.com", DEFAULTS, config) == "02"
    assert id_error("x@mail.corp.example", DEFAULTS, config) == "93"


def test_scenario_lists_replace_the_defaults() -> None:
    config = replace(
        DEFAULT_DQE_CONFIG,
        dead_domains=frozenset({"gone.fr"}),
        disposable_domains=frozenset({"burner.fr"}),
        catch_all_domains=frozenset({"Corp.FR"}),
        service_unavailable=False,
    )
    assert id_error("x@gone.fr", DEFAULTS, config) == "92"
    assert id_error("x@dead.example", DEFAULTS, config) == "00"
    assert id_error("x@burner.fr", DEFAULTS, config) == "95"
    assert id_error("x@corp.fr", DEFAULTS, config) == "01"


def test_service_unavailable_answers_99() -> None:
    config = replace(DEFAULT_DQE_CONFIG, service_unavailable=True)
    assert id_error("jean@gmail.com", DEFAULTS, config) == "99"


@pytest.mark.parametrize("code", ACTIVITY_CODES)
def test_every_activity_code_has_a_trigger(code: str) -> None:
    assert lookup(f"activity{code}@gmail.com", DEFAULTS, DEFAULT_DQE_CONFIG).activity == code


def test_activity_is_deterministic_and_case_blind() -> None:
    first = activity_code("Jean.Dupont@Gmail.com", "00", DEFAULT_DQE_CONFIG)
    assert first == activity_code("jean.dupont@gmail.com", "00", DEFAULT_DQE_CONFIG)
    assert first in ACTIVITY_CODES


def test_activity_spreads_over_the_codes() -> None:
    codes = {activity_code(f"user{n}@gmail.com", "00", DEFAULT_DQE_CONFIG) for n in range(200)}
    assert codes == set(ACTIVITY_CODES)


def test_activity_only_for_valid_verdicts() -> None:
    assert activity_code("jean@gmail.com", "02", DEFAULT_DQE_CONFIG) is None
    assert activity_code("noactivity@gmail.com", "00", DEFAULT_DQE_CONFIG) is None
    assert activity_code("x@catchall.example", "01", DEFAULT_DQE_CONFIG) in ACTIVITY_CODES


def test_activity_overrides() -> None:
    config = replace(DEFAULT_DQE_CONFIG, activity_codes={"Jean@gmail.com": "201", "no@x.fr": None})
    assert activity_code("jean@gmail.com", "00", config) == "201"
    assert activity_code("no@x.fr", "00", config) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"id_errors": {"x@y.fr": "07"}},
        {"activity_codes": {"x@y.fr": "205"}},
        {"licences": {"L": 3}},
        {"licences": {" ": 1}},
        {"latency_seconds": -1.0},
    ],
)
def test_config_refuses_unknown_codes(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        DqeConfig(**bad)


def test_config_levels() -> None:
    assert DEFAULT_DQE_CONFIG.level_of("DQE-DEMO-L1") == 1
    assert DEFAULT_DQE_CONFIG.level_of(" DQE-DEMO-L2 ") == 2
    assert DEFAULT_DQE_CONFIG.level_of("dqe-demo-l2") is None


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("gmial.com", "gmail.com", True),
        ("gmai.com", "gmail.com", True),
        ("gmaill.com", "gmail.com", True),
        ("gmsil.com", "gmail.com", True),
        ("gmail.com", "gmail.com", False),
        ("gmali.cmo", "gmail.com", False),
        ("hotmail.de", "hotmail.fr", False),
    ],
)
def test_one_edit_apart(first: str, second: str, expected: bool) -> None:
    assert one_edit_apart(first, second) is expected


def test_real_providers_are_never_typos() -> None:
    assert provider_near_miss("ymail.com") is None
    assert provider_near_miss("hotmail.fr") is None
    assert provider_near_miss("yahoo.fe") == "yahoo.fr"
