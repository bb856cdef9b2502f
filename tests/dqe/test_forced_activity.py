"""A forced CodeActivite (``DqeConfig.activity_codes``) goes with any checked IdError.

DQE's own level-2 example answers IdError 92 with CodeActivite 200, so activity
data is not kept for 00 and 01 only; it is left out only when no check happened.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from mock_efidem.dqe import DEFAULT_DQE_CONFIG, LookupOptions, lookup
from mock_efidem.dqe.config import VENDOR_EXAMPLE_ACTIVITY, DqeConfig
from mock_efidem.dqe.verdicts import activity_code

OPTIONS = LookupOptions()


def test_the_vendor_example_is_the_default() -> None:
    assert DEFAULT_DQE_CONFIG.activity_codes == {"test@tesdedet.com": "200"}
    assert dict(VENDOR_EXAMPLE_ACTIVITY) == {"test@tesdedet.com": "200"}


def test_the_vendor_example_answers_92_with_200() -> None:
    verdict = lookup(" Test@Tesdedet.com ", OPTIONS, DEFAULT_DQE_CONFIG)
    assert (verdict.id_error, verdict.activity) == ("92", "200")


@pytest.mark.parametrize("code", ["02", "03", "91", "92", "93", "94", "95"])
def test_forced_activity_with_a_checked_error(code: str) -> None:
    config = replace(DEFAULT_DQE_CONFIG, activity_codes={"marie@gmail.com": "300"})
    assert activity_code("marie@gmail.com", code, config) == "300"


@pytest.mark.parametrize("code", ["04", "99"])
def test_no_activity_when_nothing_was_checked(code: str) -> None:
    assert activity_code("test@tesdedet.com", code, DEFAULT_DQE_CONFIG) is None


def test_service_down_hides_the_forced_activity() -> None:
    config = replace(DEFAULT_DQE_CONFIG, service_unavailable=True)
    verdict = lookup("test@tesdedet.com", OPTIONS, config)
    assert (verdict.id_error, verdict.activity) == ("99", None)


def test_unforced_bad_addresses_still_have_no_activity() -> None:
    verdict = lookup("jean@dead.example", OPTIONS, DEFAULT_DQE_CONFIG)
    assert (verdict.id_error, verdict.activity) == ("92", None)


def test_a_scenarios_activity_codes_replace_the_default() -> None:
    config = DqeConfig(activity_codes={"marie@gmail.com": "300"})
    assert lookup("test@tesdedet.com", OPTIONS, config).activity is None
