"""What a scenario's call rules may name, and the checks that hold them to it.

A rule naming an operation, a field or a code the mock does not have would load and
then never apply (or force what the real service never answers): ``check`` refuses it
with a "did you mean". The names come from the code that serves the calls: the SOAP
operations' parameters and wire types, DQE's parameters, the error tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from mock_efidem.domain.matching import Matcher, matcher_of
from mock_efidem.domain.spelling import did_you_mean
from mock_efidem.dqe.paths import DQE_PARAMETERS

if TYPE_CHECKING:
    from mock_efidem.soap.operations import Param

RulePath = tuple[Any, ...]
"""Where in one rule a problem lies: ("when", "DESTINATON")."""

PROTOCOL_NAMES = {"soap": "SOAP", "dqe": "DQE"}
LISTED = 4
"""Operations named in a message before "and N more"."""


@dataclass(frozen=True)
class KnownOperation:
    protocol: str
    name: str
    channel: str | None
    fields: frozenset[str]
    """Element (SOAP) or parameter (DQE) names a rule's ``when`` can see in its calls."""
    codes: tuple[int, ...]
    """The codes its error table documents (a scenario-only code included)."""


@cache
def known_operations() -> tuple[KnownOperation, ...]:
    """Every operation, SOAP then DQE (computed once; spyne loads on first use)."""
    from mock_efidem.soap.operations import OPERATIONS, WIRE_CHANNELS

    soap = tuple(
        KnownOperation(
            "soap",
            op.wire_name,
            WIRE_CHANNELS.get(op.wire_name),
            _soap_fields(op.params),
            documented_codes(op.operation),
        )
        for op in OPERATIONS
    )
    dqe = tuple(
        KnownOperation("dqe", name, None, frozenset(parameters), ())
        for name, parameters in DQE_PARAMETERS.items()
    )
    return soap + dqe


def _soap_fields(params: Iterable[Param]) -> frozenset[str]:
    """Each parameter (a leaf when sent empty, as an array may be) and every element
    its wire type holds."""
    from mock_efidem.settings import DEFAULT_NAMESPACE
    from mock_efidem.soap.types import wire_types

    types = wire_types(DEFAULT_NAMESPACE)  # element names do not depend on the namespace
    names = set()
    for param in params:
        names.add(param.wire)
        names.update(_element_names(types[param.wire_type]))
    return frozenset(names)


def _element_names(spyne_type: Any) -> Iterator[str]:
    """The names of the elements inside a wire type, at any depth (an array's items and
    their children): each is a leaf of some call."""
    from spyne import ComplexModelBase

    if isinstance(spyne_type, type) and issubclass(spyne_type, ComplexModelBase):
        members: Mapping[str, Any] = getattr(spyne_type, "_type_info", {})
        for name, child in members.items():
            yield name
            yield from _element_names(child)


def documented_codes(operation: str) -> tuple[int, ...]:
    """A domain operation's codes (send_sms's), by magnitude: -1, -2, … -99, 500, …"""
    from mock_efidem.domain.rules import ERROR_TABLES, SCENARIO_ONLY_CODES

    codes = {rule.code for rule in ERROR_TABLES.get(operation, ())}
    return tuple(sorted(codes | set(SCENARIO_ONLY_CODES.get(operation, ())), key=abs))


def rule_problems(section: str, spec: Mapping[str, Any]) -> list[tuple[RulePath, str]]:
    """What a schema-valid ``responses`` or ``faults`` rule names that does not exist."""
    problems: list[tuple[RulePath, str]] = []
    selected = _with_fields(spec, _selected(section, spec, problems), problems)
    if selected and "code" in spec and not spec.get("allow_undocumented", False):
        problems += _code_problems(spec["code"], selected)
    return problems


def _selected(
    section: str, spec: Mapping[str, Any], problems: list[tuple[RulePath, str]]
) -> tuple[KnownOperation, ...]:
    """The operations the rule can apply to; none when a problem says why."""
    protocol = spec.get("protocol")
    if section == "responses" and protocol == "dqe":
        problems.append((("protocol",), _SOAP_ONLY))
        return ()
    scope = "soap" if section == "responses" else protocol
    candidates = tuple(op for op in known_operations() if scope in (None, op.protocol))
    if "operation" in spec:
        candidates = _by_operation(spec["operation"], candidates, scope, problems)
    if "channel" in spec and candidates:
        channels = {spec["channel"]} if isinstance(spec["channel"], str) else set(spec["channel"])
        on_channel = tuple(op for op in candidates if op.channel in channels)
        if not on_channel:
            problems.append((("channel",), _off_channel(candidates, channels)))
        candidates = on_channel
    return candidates


def _with_fields(
    spec: Mapping[str, Any],
    selected: tuple[KnownOperation, ...],
    problems: list[tuple[RulePath, str]],
) -> tuple[KnownOperation, ...]:
    """The selected operations that have every ``when`` field: a call without one of
    them never matches (its value is no value at all)."""
    names = list(spec.get("when", {}))
    if not selected or not names:
        return selected
    unknown = [name for name in names if not any(name in op.fields for op in selected)]
    for name in unknown:
        problems.append((("when", name), _no_field(name, selected, spec)))
    having = tuple(op for op in selected if op.fields.issuperset(names))
    if not unknown and not having:
        problems.append((("when",), f"no operation has all of {', '.join(names)}"))
    return selected if unknown else having  # the code is still checked


def _off_channel(candidates: Sequence[KnownOperation], channels: set[str]) -> str:
    where = " or ".join(sorted(channels))
    if len(candidates) == 1:
        return f"{candidates[0].name} is on {candidates[0].channel or 'no channel'}, not {where}"
    return f"none of {_names(candidates)} is on {where}"


_SOAP_ONLY = "responses answer SOAP calls only (a fault can shape DQE's answers)"


def _by_operation(
    spec: Any,
    candidates: tuple[KnownOperation, ...],
    scope: str | None,
    problems: list[tuple[RulePath, str]],
) -> tuple[KnownOperation, ...]:
    try:
        matcher = matcher_of(spec)
    except Exception:  # a bad pattern: the loader says so
        return ()
    matched = tuple(op for op in candidates if matcher.matches(op.name))
    if not matched:
        problems.append((("operation",), _no_operation(matcher, candidates, scope)))
    return matched


def _no_operation(matcher: Matcher, candidates: Sequence[KnownOperation], scope: str | None) -> str:
    names = [op.name for op in candidates]
    if matcher.kind != "exact":
        # A pattern's letters alone are often the misspelt name: ENVOYER_EMIAL* → ENVOYER_EMAIL.
        letters = re.sub(r"[^A-Za-z0-9_]", "", matcher.pattern)
        kind = "glob" if matcher.kind == "glob" else "regex"
        hint = did_you_mean(letters, names)
        return f"{kind} {matcher.pattern!r} matches no {_operation_word(scope)}{hint}"
    elsewhere = next((op for op in known_operations() if op.name == matcher.pattern), None)
    if elsewhere is not None and elsewhere.protocol == "dqe":
        return f"{matcher.pattern} is a DQE operation: {_SOAP_ONLY}"
    if elsewhere is not None:
        return f"{matcher.pattern} is a SOAP operation, and this rule is for protocol: dqe"
    return f"unknown operation {matcher.pattern}{did_you_mean(matcher.pattern, names)}"


def _operation_word(protocol: str | None) -> str:
    return f"{PROTOCOL_NAMES[protocol]} operation" if protocol else "operation"


def _no_field(name: str, selected: Sequence[KnownOperation], spec: Mapping[str, Any]) -> str:
    fields = set().union(*(op.fields for op in selected))
    hint = did_you_mean(name, sorted(fields))
    if len(selected) == 1:
        return f"{selected[0].name} has no field {name}{hint}"
    if "operation" not in spec and "channel" not in spec:
        return f"no {_operation_word(spec.get('protocol'))} has a field {name}{hint}"
    return f"none of {_names(selected)} has a field {name}{hint}"


def _code_problems(code: int, selected: Sequence[KnownOperation]) -> list[tuple[RulePath, str]]:
    lacking = [op for op in selected if code not in op.codes]
    if not lacking:
        return []
    anyway = "; allow_undocumented: true forces it anyway"
    if len(selected) == 1:
        codes = _codes(selected[0].codes)
        return [
            (("code",), f"code {code} is not in {selected[0].name}'s error table ({codes}){anyway}")
        ]
    common = set.intersection(*(set(op.codes) for op in selected))
    shared = f"codes all of them have: {_codes(sorted(common, key=abs))}" if common else ""
    message = f"code {code} is not in the error table of {_names(lacking)}"
    return [(("code",), f"{message} ({shared or 'no code is in every table'}){anyway}")]


def _codes(codes: Iterable[int]) -> str:
    return ", ".join(str(code) for code in codes) or "none"


def _names(operations: Sequence[KnownOperation]) -> str:
    names = [op.name for op in operations]
    if len(names) <= LISTED:
        return ", ".join(names)
    return f"{', '.join(names[: LISTED - 1])} and {len(names) - LISTED + 1} more"
