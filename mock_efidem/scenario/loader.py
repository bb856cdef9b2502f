"""Reading a scenario file: YAML, checked against the shipped JSON Schema, then built.

Every problem is reported with its line and column; a scenario with any problem is
refused whole, so an invalid file never half-loads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from mock_efidem.domain.accounts import Account
from mock_efidem.domain.lifecycle import LifecycleSettings
from mock_efidem.domain.matching import Matcher, matcher_of
from mock_efidem.domain.models import Channel
from mock_efidem.domain.outcomes import ATTRIBUTES, OutcomeRule
from mock_efidem.domain.spelling import did_you_mean
from mock_efidem.dqe.config import DEFAULT_DQE_CONFIG, DqeConfig
from mock_efidem.scenario.model import (
    FaultRule,
    HttpAnswer,
    Latency,
    ResponseRule,
    Scenario,
    Selection,
    SoapFault,
)
from mock_efidem.scenario.strict import rule_problems

FIRST_CLOCK_YEAR, LAST_CLOCK_YEAR = 1900, 8999
MAX_SCENARIO_BYTES = 256 * 1024
"""PyYAML reads about 300 KB a second: a bigger file would hold a worker for long."""
MAX_EXPANDED_VALUES = 200_000
ALIAS_PROBLEM = (
    f"anchors and aliases (&name / *name) expand this to more than {MAX_EXPANDED_VALUES:,} "
    "values: refused"
)


@cache
def schema_validator() -> Any:
    """The shipped JSON Schema's validator; jsonschema is imported when first needed (a
    third of the server's start-up otherwise, for the shipped scenario it never needs)."""
    from jsonschema import Draft202012Validator

    text = resources.files("mock_efidem.scenario").joinpath("schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


@dataclass(frozen=True)
class Problem:
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}" if self.line else self.message


class ScenarioError(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


SHIPPED_PACKAGE = "mock_efidem.scenarios"
SECTIONS = ("responses", "faults", "outcomes")
"""The sections whose rules ``load_rule`` takes one at a time."""


def shipped_names() -> list[str]:
    """The shipped scenarios' names: ``chaos``, ``default``, …"""
    files = resources.files(SHIPPED_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml"))


def resolve_scenario(given: str | Path) -> Path | str:
    """The file ``given`` names, else the shipped scenario of that name (``chaos`` or
    ``chaos.yaml``, no folder), returned as its name. A bare name that is neither is a
    ScenarioError listing the shipped names; a path with a folder stays a path (reading
    it says what is wrong)."""
    path = Path(given)
    if path.is_file() or path.parent != Path():
        return path
    name = path.name.removesuffix(".yaml")
    if name in shipped_names():
        return name
    shipped = ", ".join(shipped_names())
    message = f"no file {given}, nor a shipped scenario of that name (shipped: {shipped})"
    raise ScenarioError([Problem(0, 0, message)])


def load_file(path: Path | str) -> Scenario:
    """A scenario file, or a shipped scenario by name when no such file exists."""
    found = resolve_scenario(path)
    if isinstance(found, str):
        text = resources.files(SHIPPED_PACKAGE).joinpath(f"{found}.yaml").read_text("utf-8")
        return load_text(text, default_name=found, source=f"{found}.yaml")
    try:
        text = found.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([Problem(0, 0, f"cannot read {found}: {error}")]) from error
    return load_text(text, default_name=found.stem, source=found.name)


def load_text(
    text: str, default_name: str = "scenario", check_schema: bool = True, source: str = ""
) -> Scenario:
    """``check_schema=False`` only for the shipped scenarios, which the test suite checks.
    ``source`` names the text in each rule's ``origin`` (default: the scenario's name)."""
    document, node = _parse(text)
    loaded = _load(document, node, default_name, check_schema, source)
    return replace(loaded, text=text, source=source)


def load_rule(section: str, rule: Any, origin: str = "") -> ResponseRule | FaultRule | OutcomeRule:
    """One rule of ``section`` (responses, faults or outcomes), checked as in a scenario
    file; each problem is placed at ``rule/…`` (line and column 0: there is no file)."""
    if section not in SECTIONS:
        known = ", ".join(SECTIONS)
        raise ScenarioError([Problem(0, 0, f"section: {section!r} is none of {known}")])
    try:
        scenario = _load({section: [_plain(rule)]}, None, "rule", True, "")
    except ScenarioError as error:
        prefix = f"{section}/0"
        raise ScenarioError(
            [Problem(0, 0, "rule" + p.message.removeprefix(prefix)) for p in error.problems]
        ) from None
    built: ResponseRule | FaultRule | OutcomeRule = getattr(scenario, _FIELDS[section])[0]
    return replace(built, origin=origin)


_FIELDS = {"responses": "responses", "faults": "faults", "outcomes": "outcome_rules"}


def _load(
    document: dict[str, Any],
    node: yaml.Node | None,
    default_name: str,
    check_schema: bool,
    source: str,
) -> Scenario:
    errors = _errors(document) if check_schema else ()
    # dict.fromkeys: two branches of a schema may fail the same way.
    schema_problems = list(dict.fromkeys(_schema_problem(node, error) for error in errors))
    if schema_problems:
        raise ScenarioError(sorted(schema_problems, key=lambda p: (p.line, p.column)))
    builder = _Builder(node, source or str(document.get("name", default_name)))
    scenario = builder.build(document, default_name)
    if builder.problems:
        raise ScenarioError(sorted(builder.problems, key=lambda p: (p.line, p.column)))
    return scenario


def _parse(text: str) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree (for line and column), from one parse."""
    if len(text.encode("utf-8", "replace")) > MAX_SCENARIO_BYTES:
        limit = f"{MAX_SCENARIO_BYTES // 1024} KiB"
        raise ScenarioError([Problem(0, 0, f"a scenario is at most {limit}")])
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        _refuse_alias_bombs(node)
        document = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        words = [getattr(error, "context", None), getattr(error, "problem", None)]
        reason = ", ".join(w for w in words if w) or str(error).splitlines()[0]
        raise ScenarioError([Problem(line, column, f"not valid YAML: {reason}")]) from error
    finally:
        loader.dispose()
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ScenarioError([Problem(1, 1, "a scenario is a mapping of sections")])
    return _plain(document), node


def _refuse_alias_bombs(root: yaml.Node | None) -> None:
    """Anchors are handy; a "billion laughs" of nested aliases expands to more values
    than memory holds. The expanded size is counted on the node graph, each node once
    (an aliased node is one object reached again), before anything is built."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)] if root is not None else []
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children_of(node)
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
        if sizes[id(node)] > MAX_EXPANDED_VALUES:
            mark = node.start_mark
            raise ScenarioError([Problem(mark.line + 1, mark.column + 1, ALIAS_PROBLEM)])


def _children_of(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def _plain(value: Any) -> Any:
    """YAML dates become strings: the schema speaks JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _errors(document: Any) -> Iterable[Any]:
    from jsonschema.exceptions import best_match

    errors = list(schema_validator().iter_errors(document))
    for error in errors:
        nested = any(
            other is not error and list(other.path)[: len(error.path)] == list(error.path)
            for other in errors
        )
        if error.validator == "unevaluatedProperties" and nested:
            continue  # a consequence of the nested error, which says more
        # A oneOf/anyOf failure says more through its most relevant sub-error.
        yield best_match([error])


def _schema_problem(node: yaml.Node | None, error: Any) -> Problem:
    """A schema error, placed on the offending key when the error is about a key."""
    path = list(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        unexpected = [k for k in re.findall(r"'([^']+)'", error.message) if k in error.instance]
        if unexpected:
            path.append(_KeyOf(unexpected[0]))
    return _problem_at(node, path, error.message)


class _KeyOf(str):
    """A path step that stops on a mapping's key rather than on its value."""


def _problem_at(node: yaml.Node | None, path: Iterable[Any], message: str) -> Problem:
    line, column = _position(node, path)
    where = "/".join(str(p) for p in path if not isinstance(p, _KeyOf))
    return Problem(line, column, f"{where}: {message}" if where else message)


def _position(node: yaml.Node | None, path: Iterable[Any]) -> tuple[int, int]:
    for part in path:
        child = _child(node, part)
        if child is None:
            break
        node = child
    if node is None:
        return (1, 1)
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _child(node: yaml.Node | None, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        wanted = 0 if isinstance(part, _KeyOf) else 1
        return next((pair[wanted] for pair in node.value if pair[0].value == str(part)), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None


class _Builder:
    """Turns a schema-valid document into a Scenario, collecting semantic problems."""

    def __init__(self, node: yaml.Node | None, source: str) -> None:
        self.node = node
        self.source = source
        self.problems: list[Problem] = []

    def fail(self, path: Sequence[Any], message: str) -> None:
        self.problems.append(_problem_at(self.node, path, message))

    def origin(self, path: Sequence[Any]) -> str:
        """``"file.yaml:14"``: where the rule at ``path`` starts ("" without a text)."""
        return f"{self.source}:{_position(self.node, path)[0]}" if self.node else ""

    def strict(self, section: str, index: int, spec: Mapping[str, Any]) -> None:
        for where, message in rule_problems(section, spec):
            self.fail([section, index, *where], message)

    def build(self, document: Mapping[str, Any], default_name: str) -> Scenario:
        clock = document.get("clock", {})
        accounts = tuple(self.account(a) for a in document.get("accounts", ()))
        scenario = Scenario(
            name=document.get("name", default_name),
            seed=document.get("seed"),
            # Open accounts list no one by default: demo/demo/demo is then a tenant too.
            accounts=accounts or (() if document.get("open_accounts") else Scenario().accounts),
            open_accounts=document.get("open_accounts", False),
            forbidden_sequences=tuple(
                document.get("forbidden_sequences", Scenario().forbidden_sequences)
            ),
            clock_frozen=clock.get("frozen", False),
            clock_start=self.start(clock.get("start")),
            lifecycle=LifecycleSettings(
                mode=clock.get("mode", "time"),
                polls_per_step=clock.get("polls_per_step", 1),
                delay_scale=clock.get("delay_scale", 1.0),
                delays=self.delays(document.get("delays", {})),
            ),
            responses=tuple(
                self.response(i, r) for i, r in enumerate(document.get("responses", ()))
            ),
            faults=tuple(self.fault(i, f) for i, f in enumerate(document.get("faults", ()))),
            dqe=self.dqe(document.get("dqe", {}), document.get("accounts", ())),
        )
        if "outcomes" in document:
            rules = tuple(self.outcome(i, o) for i, o in enumerate(document["outcomes"]))
            scenario = replace(scenario, outcome_rules=rules)
        return scenario

    def account(self, spec: Mapping[str, Any]) -> Account:
        return Account(spec["user"], spec["password"], spec["app_id"], spec.get("fax", True))

    def start(self, text: str | None) -> datetime | None:
        """The clock's start: a date and time from 1900 to 8999, so that years of
        advances still fit in a datetime (which stops at 9999)."""
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(str(text))
        except ValueError:
            self.fail(["clock", "start"], f"{text!r} is not an ISO 8601 date and time")
            return None
        if not FIRST_CLOCK_YEAR <= moment.year <= LAST_CLOCK_YEAR:
            self.fail(
                ["clock", "start"],
                f"{text!r}: the clock starts from {FIRST_CLOCK_YEAR} to {LAST_CLOCK_YEAR}",
            )
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def delays(self, spec: Mapping[str, Mapping[str, float]]) -> dict[Channel, dict[str, float]]:
        from mock_efidem.domain.statuses import CATALOGUE, status_named

        for channel, steps in spec.items():
            known = [s.name for s in CATALOGUE[Channel(channel)]]
            for status in steps:
                if status_named(Channel(channel), status) is None:
                    message = f"{channel} has no status {status}{did_you_mean(status, known)}"
                    self.fail(["delays", channel, status], message)
        return {Channel(c): dict(steps) for c, steps in spec.items()}

    def outcome(self, index: int, spec: Mapping[str, Any]) -> OutcomeRule:
        path = ["outcomes", index]
        conditions = []
        for attribute, pattern in spec.get("match", {}).items():
            if attribute not in ATTRIBUTES:
                hint = did_you_mean(attribute, ATTRIBUTES)
                self.fail([*path, "match", attribute], f"cannot match on {attribute!r}{hint}")
            conditions.append((attribute, self.matcher([*path, "match", attribute], pattern)))
        rule = OutcomeRule(
            _channels(spec["channel"]),
            tuple(conditions),
            tuple(spec["path"]),
            spec.get("detail", ""),
            origin=self.origin(path),
        )
        for problem in rule.problems():
            self.fail([*path, "path"], problem)
        return rule

    def matcher(self, path: Sequence[Any], spec: Any) -> Matcher:
        try:
            return matcher_of(spec)
        except Exception as error:  # re.error and friends: a bad pattern
            self.fail(path, f"bad pattern: {error}")
            return matcher_of("*")

    def selection(self, path: Sequence[Any], spec: Mapping[str, Any]) -> Selection:
        channel = spec.get("channel")
        return Selection(
            protocol=spec.get("protocol"),
            operation=self.matcher([*path, "operation"], spec["operation"])
            if "operation" in spec
            else None,
            channels=frozenset(c.value for c in _channels(channel)) if channel else None,
            account=self.matcher([*path, "account"], spec["account"])
            if "account" in spec
            else None,
            when=tuple(
                (name, self.matcher([*path, "when", name], m))
                for name, m in spec.get("when", {}).items()
            ),
            after=spec.get("after", 0),
            every=spec.get("every", 1),
            times=spec.get("times"),
            probability=spec.get("probability", 1.0),
        )

    def response(self, index: int, spec: Mapping[str, Any]) -> ResponseRule:
        fault = spec.get("fault")
        self.strict("responses", index, spec)
        return ResponseRule(
            self.selection(["responses", index], spec),
            code=spec.get("code"),
            result=spec.get("result"),
            fault=SoapFault(**fault) if fault is not None else None,
            allow_undocumented=spec.get("allow_undocumented", False),
            origin=self.origin(["responses", index]),
        )

    def fault(self, index: int, spec: Mapping[str, Any]) -> FaultRule:
        http, soap = spec.get("http"), spec.get("soap_fault")
        self.strict("faults", index, spec)
        return FaultRule(
            self.selection(["faults", index], spec),
            latency=_latency(spec["latency"]) if "latency" in spec else None,
            http=HttpAnswer(**http) if http else None,
            soap_fault=SoapFault(**soap) if soap is not None else None,
            reset=spec.get("reset", False),
            empty=spec.get("empty", False),
            truncate=spec.get("truncate", False),
            origin=self.origin(["faults", index]),
        )

    def dqe(self, spec: Mapping[str, Any], accounts: Iterable[Mapping[str, Any]]) -> DqeConfig:
        licences = dict(spec.get("licences", DEFAULT_DQE_CONFIG.licences))
        for account in accounts:
            licences.update(account.get("dqe_licences", {}))
        fields: dict[str, Any] = {
            k: (frozenset(v) if isinstance(v, list) else v) for k, v in spec.items()
        }
        try:
            return replace(DEFAULT_DQE_CONFIG, **{**fields, "licences": licences})
        except ValueError as error:
            self.fail(["dqe"], str(error))
            return DEFAULT_DQE_CONFIG


def _channels(spec: str | list[str]) -> frozenset[Channel]:
    return frozenset(Channel(c) for c in ([spec] if isinstance(spec, str) else spec))


def _latency(spec: Any) -> Latency:
    if isinstance(spec, (int, float)):
        return Latency("fixed", (float(spec),))
    ((kind, value),) = spec.items()
    if kind == "uniform":
        return Latency(kind, (float(value[0]), float(value[1])))
    if kind == "normal":
        return Latency(kind, (float(value["mean"]), float(value["stddev"])))
    if kind == "exponential":
        return Latency(kind, (float(value["mean"]),))
    return Latency("fixed", (float(value),))
