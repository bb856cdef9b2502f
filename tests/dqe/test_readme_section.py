"""The DQE section's default table says what the verdicts do: each example is checked."""

from __future__ import annotations

import re
from pathlib import Path

from mock_efidem.dqe.config import DEFAULT_DQE_CONFIG, ID_ERRORS
from mock_efidem.dqe.verdicts import LookupOptions, id_error

ROOT = Path(__file__).resolve().parents[2]
TABLE_HEADER = "| IdError | meaning | default trigger | example |"


def section_text() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert TABLE_HEADER in text, "no DQE IdError table in the README"
    return text


def examples() -> list[tuple[str, str]]:
    table = section_text().split(TABLE_HEADER, 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| (\d\d) \|.*\| ([^|]*) \|$", table, flags=re.M)
    return [
        (code, example)
        for code, cell in rows
        for example in re.findall(r"`([^`]*@[^`]*)`", cell)
        if "=" not in example
    ]


def test_every_code_is_in_the_table() -> None:
    table = section_text().split(TABLE_HEADER, 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"^\| (\d\d) \|", table, flags=re.M)) == set(ID_ERRORS)


def test_each_example_gives_its_code() -> None:
    found = examples()
    assert len(found) >= 12
    for code, address in found:
        assert id_error(address, LookupOptions(), DEFAULT_DQE_CONFIG) == code, address
