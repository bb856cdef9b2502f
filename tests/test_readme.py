"""The README says what the code does: its catalogue table and its CI command."""

from __future__ import annotations

import re
from pathlib import Path

from mock_efidem.domain.models import Channel
from mock_efidem.domain.statuses import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def first_section_commands() -> list[str]:
    first = README.split("\n## ")[1]
    return re.findall(r"```sh\n(.+?)\n```", first, flags=re.S)


def test_the_first_section_holds_exactly_two_commands() -> None:
    serve, test = first_section_commands()
    assert serve.endswith("mock-efidem serve")
    assert "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, test = first_section_commands()
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_status_table_is_the_catalogue() -> None:
    rows = re.findall(
        r"^\| ([a-z, ]+) \| (\d+) \| (\w+) \| (.+?) \| (yes|no) \|$", README, flags=re.M
    )
    documented = {
        (channel.strip(), int(code), name, label, final == "yes")
        for channels, code, name, label, final in rows
        for channel in channels.split(",")
    }
    actual = {
        (channel.value, status.code, status.name, status.label, status.final)
        for channel in Channel
        for status in CATALOGUE[channel]
    }
    assert documented == actual
