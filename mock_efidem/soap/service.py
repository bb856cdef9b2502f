"""The spyne application: one thin method per operation of ``OPERATIONS``.

Each method gets the call's plain fields (``decode``, through ``WireSoap11``), asks the
domain backend, tells the journal's record what came out and why, and renders the
outcome in the wire's shape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from spyne import Application, Fault, ServiceBase, rpc
from spyne.protocol.soap import Soap11

from mock_efidem.domain.backend import EfidemBackend, Outcome, StatusReport
from mock_efidem.domain.store import StoreUnavailable
from mock_efidem.recording import CallRecord, record_of
from mock_efidem.scenario.model import CallFacts, ResponseRule
from mock_efidem.settings import DEFAULT_NAMESPACE
from mock_efidem.soap.decode import WrongValue, arguments, wire_path
from mock_efidem.soap.envelope import PARSED_CALL_KEY, SoapCall, needs_renaming, to_caller
from mock_efidem.soap.operations import OPERATIONS, SoapOperation
from mock_efidem.soap.types import wire_types

OPERATIONS_BY_WIRE = {operation.wire_name: operation for operation in OPERATIONS}

SERVICE_NAME = "EfidemService"

# spyne keeps a process-wide registry of applications by name and warns when a second
# mock instance (a test's own server, a reload) registers the same name; each of our
# applications is served by its own WSGI object, which never reads that registry.
logging.getLogger("spyne.util.appreg").setLevel(logging.ERROR)
FACTS_KEY = "mock_efidem.facts"
"""WSGI environ key of the call's facts, left there by the traffic layer."""


logger = logging.getLogger(__name__)


class ForcedFault(Fault):  # type: ignore[misc]
    """A fault a scenario asked for: answered, but not logged as the mock's failure."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(faultcode=code, faultstring=message)


class StoreFault(Fault):  # type: ignore[misc]
    """The store failed during the call: answered as a Server fault, logged by us in
    one line (the access log has it too), not as a traceback."""

    def __init__(self, error: StoreUnavailable) -> None:
        super().__init__(faultcode="Server", faultstring=str(error))


class _QuietForcedFaults(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        raised = record.exc_info[1] if record.exc_info else None
        return not isinstance(raised, ForcedFault | StoreFault)


for _logger in ("spyne.application", "spyne.application.server", "spyne.application.client"):
    logging.getLogger(_logger).addFilter(_QuietForcedFaults())


class SoapWorld(Protocol):
    """What the service needs of the world; read at each call, so that a reset or a
    new scenario takes effect under a running server."""

    backend: EfidemBackend

    def forced_response(self, facts: CallFacts) -> ResponseRule | None: ...

    def rule_summary(self, rule: ResponseRule) -> dict[str, object]: ...


class WireSoap11(Soap11):  # type: ignore[misc]
    """spyne's SOAP 1.1, reading the tree the endpoint parsed and adapted, and writing
    its answer in the caller's SOAP version and namespace."""

    def create_in_document(self, ctx: Any, charset: str | None = None) -> None:
        parsed = _parsed_call(ctx)
        if parsed is None:
            super().create_in_document(ctx, charset)
        else:
            ctx.in_document = (parsed.envelope, None)  # None: no SOAP-encoding ids

    def deserialize(self, ctx: Any, message: str) -> None:
        """The call's arguments, read from the parsed tree by ``decode`` (not spyne)."""
        parsed = _parsed_call(ctx)
        operation = OPERATIONS_BY_WIRE.get(getattr(ctx.descriptor, "name", ""))
        if parsed is None or parsed.call is None or operation is None:
            super().deserialize(ctx, message)
            return
        self.event_manager.fire_event("before_deserialize", ctx)
        try:
            ctx.in_object = [arguments(operation, parsed.call)]
        except WrongValue as error:
            raise Fault("Client.ValidationError", str(error)) from None
        self.event_manager.fire_event("after_deserialize", ctx)

    def create_out_string(self, ctx: Any, charset: str | None = None) -> None:
        parsed = _parsed_call(ctx)
        served = self.app.interface.get_tns()
        if parsed is not None and ctx.out_document is not None and needs_renaming(parsed, served):
            ctx.out_document = to_caller(ctx.out_document, served, parsed.namespace, parsed.version)
        super().create_out_string(ctx, charset)


def _parsed_call(ctx: Any) -> SoapCall | None:
    parsed = _environ(ctx).get(PARSED_CALL_KEY)
    return parsed if isinstance(parsed, SoapCall) else None


def _environ(ctx: Any) -> dict[str, Any]:
    """The WSGI environ of the call (empty when spyne is driven without WSGI)."""
    environ = getattr(ctx.transport, "req", None)
    return environ if isinstance(environ, dict) else {}


def build_application(world: SoapWorld, namespace: str = DEFAULT_NAMESPACE) -> Application:
    types = wire_types(namespace)
    methods = {operation.wire_name: _method(operation, types, world) for operation in OPERATIONS}
    # A class per application: spyne keeps state on service classes.
    service = type(SERVICE_NAME, (ServiceBase,), {"__module__": __name__, **methods})
    return Application(
        [service],
        tns=namespace,
        name=SERVICE_NAME,
        # No validator: spyne's would fault on a missing element, which the error
        # tables answer with a code (RAPPORT without DATE_DEBUT is -4).
        in_protocol=WireSoap11(validator=None),
        out_protocol=WireSoap11(),
    )


def _method(operation: SoapOperation, types: dict[str, Any], world: SoapWorld) -> Any:
    render = RENDERERS[operation.returns]
    result_type = types[operation.returns]

    def handler(ctx: Any, fields: dict[str, Any]) -> Any:
        backend = world.backend
        record = record_of(_environ(ctx))
        forced = _forced(world, ctx, record)
        try:
            outcome = forced or backend.call(operation.operation, fields)
        except StoreUnavailable as error:
            logger.warning("%s: %s", operation.wire_name, error)
            raise StoreFault(error) from None
        if record is not None:
            _tell(record, operation, outcome, forced is None)
        try:
            result = render(outcome, fields, backend)
        except (TypeError, ValueError) as error:
            if forced is None:
                raise
            raise ForcedFault(
                "Server", f"the scenario's result for {operation.wire_name} is unusable: {error}"
            ) from None
        if isinstance(result, dict):
            result = result_type(
                **{key: value for key, value in result.items() if key in result_type._type_info}
            )
        return result

    handler.__name__ = operation.wire_name
    handler.__qualname__ = f"{SERVICE_NAME}.{operation.wire_name}"
    return rpc(
        *(types[param.wire_type] for param in operation.params),
        _args=tuple(param.wire for param in operation.params),
        _returns=result_type,
    )(handler)


def _forced(world: SoapWorld, ctx: Any, record: CallRecord | None) -> Outcome | None:
    """The scenario's forced answer to this call, if one applies."""
    facts = _environ(ctx).get(FACTS_KEY)
    rule = world.forced_response(facts) if isinstance(facts, CallFacts) else None
    if rule is None:
        return None
    if record is not None:
        record.why = world.rule_summary(rule)
    if rule.fault is not None:
        raise ForcedFault(rule.fault.code, rule.fault.message)
    if rule.code is not None:
        return Outcome(error=rule.code, reason="forced by the scenario")
    return Outcome(value=rule.result)


def _tell(record: CallRecord, operation: SoapOperation, outcome: Outcome, tabled: bool) -> None:
    """The journal's part of the outcome: the result, the messages, and why."""
    record.message_ids.extend(outcome.message_ids)
    if outcome.error is not None:
        record.result = str(outcome.error)
        if tabled:
            record.why = _table_why(operation, outcome)
        return
    record.result = "ok"
    record.value = _summary(outcome.value)


def _table_why(operation: SoapOperation, outcome: Outcome) -> dict[str, Any]:
    why: dict[str, Any] = {
        "table": operation.wire_name,
        "code": outcome.error,
        "meaning": outcome.reason,
    }
    if outcome.culprit is not None:
        why["field"] = wire_path(operation, outcome.culprit.path)
        why["value"] = outcome.culprit.value[:200]
    return why


def _summary(value: Any) -> str:
    if isinstance(value, bytes):
        return f"{len(value)} bytes"
    if isinstance(value, StatusReport):
        return f"{value.code} {value.label}"
    return str(value)


def _status_object(outcome: Outcome, fields: dict[str, Any], backend: EfidemBackend) -> Any:
    if isinstance(outcome.value, dict):  # a scenario's result, already in wire names
        result = dict(outcome.value)
        if isinstance(result.get("DATE_STATUT"), str):
            result["DATE_STATUT"] = datetime.fromisoformat(result["DATE_STATUT"])
        return result
    if outcome.error is not None:
        report = StatusReport(
            outcome.error, backend.clock.now(), outcome.reason, str(fields.get("message_id") or "")
        )
    else:
        report = outcome.value
    return {
        "CODE_STATUT": report.code,
        "DATE_STATUT": report.at,
        "DESCRIPTION_STATUT": report.label,
        "MESSAGEID": report.message_id,
    }


def _code_or(wire: Callable[[Any], Any]) -> Callable[[Outcome, dict[str, Any], Any], Any]:
    """The error code or the value, in the wire type (a scenario's result may be
    written as a number where a string is due, and so on)."""

    def render(outcome: Outcome, fields: dict[str, Any], backend: Any) -> Any:
        return wire(outcome.error if outcome.error is not None else outcome.value)

    return render


def _as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


RENDERERS: dict[str, Callable[[Outcome, dict[str, Any], Any], Any]] = {
    "string": _code_or(str),
    "int": _code_or(int),
    "base64Binary": _code_or(_as_bytes),
    "STATUT_SMS": _status_object,
    "STATUTS": _status_object,
}
