"""The README's reference tables, made from the data they describe; a test keeps the
README equal to them, so the documentation cannot drift from the code."""

from __future__ import annotations

from mock_efidem.domain.models import Channel
from mock_efidem.domain.outcomes import DEFAULT_OUTCOME_RULES, OutcomeRule
from mock_efidem.domain.rules import ERROR_TABLES, SCENARIO_ONLY_CODES
from mock_efidem.domain.statuses import CATALOGUE, DEFAULT_PATHS, STEP_DELAYS, initial_status
from mock_efidem.soap.operations import OPERATIONS


def error_code_tables() -> str:
    """One table per operation (aliases together), in check order."""
    wire_names: dict[str, list[str]] = {}
    for operation in OPERATIONS:
        wire_names.setdefault(operation.operation, []).append(operation.wire_name)
    return "\n\n".join(
        _error_code_table(" = ".join(f"`{w}`" for w in wires), operation)
        for operation, wires in wire_names.items()
    )


def _error_code_table(title: str, operation: str) -> str:
    rows = [
        f"| `{r.code}` | {r.meaning} | {'mock' if r.chosen_by_mock else 'vendor'} |"
        for r in ERROR_TABLES[operation]
    ]
    rows += [
        f"| `{code}` | only from a scenario (`qa-error-codes.yaml`) | vendor |"
        for code in SCENARIO_ONLY_CODES.get(operation, ())
    ]
    return f"#### {title}\n\n| code | when | source |\n|---|---|---|\n" + "\n".join(rows)


def status_table() -> str:
    rows = [
        f"| {channel} | {s.code} | {s.name} | {s.label} | {'yes' if s.final else 'no'} |"
        for channel in Channel
        for s in CATALOGUE[channel]
    ]
    return (
        "| channel | code | name | label (`DESCRIPTION_STATUT`) | final |\n|---|---|---|---|---|\n"
        + ("\n".join(rows))
    )


def outcome_table() -> str:
    rows = [_outcome_row(rule) for rule in DEFAULT_OUTCOME_RULES]
    rows += [
        f"| {channel} | anything else | {_path(channel, DEFAULT_PATHS[channel])} |"
        for channel in Channel
    ]
    return "| channel | when | path (seconds to each step) |\n|---|---|---|\n" + "\n".join(rows)


def _outcome_row(rule: OutcomeRule) -> str:
    channels = ", ".join(sorted(c.value for c in rule.channels))
    when = " and ".join(f"{attribute} matches `{m.pattern}`" for attribute, m in rule.conditions)
    channel = min(rule.channels)
    detail = f" ({rule.detail})" if rule.detail else ""
    return f"| {channels} | {when} | {_path(channel, rule.path)}{detail} |"


def _path(channel: Channel, path: tuple[str, ...]) -> str:
    steps = [initial_status(channel).name]
    steps += [f"{status} (+{STEP_DELAYS[channel].get(status, 1.0):g})" for status in path]
    return " → ".join(steps)
