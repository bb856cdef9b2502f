"""The spyne application: one thin method per operation of ``OPERATIONS``.

Each method turns its wire arguments into plain fields, asks the domain backend,
records the call in the journal and renders the outcome in the wire's shape.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from spyne import Application, ServiceBase, rpc
from spyne.protocol.soap import Soap11

from mock_efidem.domain.backend import EfidemBackend, Outcome, StatusReport
from mock_efidem.journal import Journal
from mock_efidem.settings import DEFAULT_NAMESPACE
from mock_efidem.soap.convert import FROM_WIRE, fold_variables
from mock_efidem.soap.operations import OPERATIONS, SoapOperation
from mock_efidem.soap.types import wire_types

SERVICE_NAME = "EfidemService"

_application_numbers = itertools.count(1)


BackendSource = Callable[[], EfidemBackend]


def build_application(
    backend: BackendSource, journal: Journal, namespace: str = DEFAULT_NAMESPACE
) -> Application:
    """``backend`` is asked for the current backend at each call, so that a reset may
    replace it under a running server."""
    types = wire_types(namespace)
    methods = {
        operation.wire_name: _method(operation, types, backend, journal) for operation in OPERATIONS
    }
    # A class per application: spyne keeps state on service classes.
    service = type(SERVICE_NAME, (ServiceBase,), {"__module__": __name__, **methods})
    application = Application(
        [service],
        tns=namespace,
        name=SERVICE_NAME,
        in_protocol=Soap11(validator="soft"),
        out_protocol=Soap11(),
    )
    application.number = next(_application_numbers)
    return application


def _method(
    operation: SoapOperation,
    types: dict[str, Any],
    current_backend: BackendSource,
    journal: Journal,
) -> Any:
    render = RENDERERS[operation.returns]
    result_type = types[operation.returns]

    def handler(ctx: Any, *arguments: Any) -> Any:
        started = time.perf_counter()
        backend = current_backend()
        fields = _fields(operation, arguments)
        outcome = backend.call(operation.operation, fields)
        result = render(outcome, fields, backend)
        if isinstance(result, dict):
            result = result_type(
                **{key: value for key, value in result.items() if key in result_type._type_info}
            )
        journal.record(
            "soap",
            operation.wire_name,
            str(fields.get("user") or ""),
            str(outcome.error if outcome.error is not None else "ok"),
            (time.perf_counter() - started) * 1000,
        )
        return result

    handler.__name__ = operation.wire_name
    handler.__qualname__ = f"{SERVICE_NAME}.{operation.wire_name}"
    return rpc(
        *(types[param.wire_type] for param in operation.params),
        _args=tuple(param.wire for param in operation.params),
        _returns=result_type,
    )(handler)


def _fields(operation: SoapOperation, arguments: tuple[Any, ...]) -> dict[str, Any]:
    fields = {
        param.field: FROM_WIRE[param.wire_type](value)
        for param, value in zip(operation.params, arguments, strict=True)
    }
    return fold_variables(fields)


def _status_object(outcome: Outcome, fields: dict[str, Any], backend: EfidemBackend) -> Any:
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


def _code_or(value: Callable[[Any], Any]) -> Callable[[Outcome, dict[str, Any], Any], Any]:
    def render(outcome: Outcome, fields: dict[str, Any], backend: Any) -> Any:
        return value(outcome.error) if outcome.error is not None else outcome.value

    return render


RENDERERS: dict[str, Callable[[Outcome, dict[str, Any], Any], Any]] = {
    "string": _code_or(str),
    "int": _code_or(int),
    "base64Binary": _code_or(lambda code: str(code).encode("ascii")),
    "STATUT_SMS": _status_object,
    "STATUTS": _status_object,
}
