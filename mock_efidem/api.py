"""The Python API: start a mock in a thread, or drive one that runs elsewhere.

    with MockEfidem(scenario="delivery-outcomes") as mock:
        message_id = mock.client.service.ENVOYER_EMAIL(...)
        mock.advance(60)
        assert mock.message(message_id)["recipients"][0]["status"] == "delivered"

The helpers speak to the /_mock/ API over HTTP (standard library only), so the same
calls drive a mock started here and one started by Docker (``MockEfidem.connect``).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from mock_efidem.scenario.loader import load_text, resolve_scenario
from mock_efidem.settings import (
    DEFAULT_NAMESPACE,
    DEFAULT_STORE_PREFIX,
    MEMORY_STORE,
    SOAP_PATH,
    Settings,
)
from mock_efidem.verification import journal_query, report
from mock_efidem.world import shipped_scenario_text

HTTP_TIMEOUT = 30.0


ADMIN_TOKEN_VARIABLE = "MOCK_EFIDEM_ADMIN_TOKEN"
PAGE_SIZE = 1000
"""Messages or journal entries asked for in one request (the API's largest page)."""
APPLICATION_PROTOCOLS = "soap,dqe"


class MockApiError(RuntimeError):
    """The /_mock/ API answered an error: ``status`` and its JSON ``document``."""

    def __init__(self, status: int, document: Any) -> None:
        self.status = status
        self.document = document
        message = document.get("error") if isinstance(document, dict) else document
        super().__init__(f"HTTP {status}: {message}")


class MockEfidem:
    """A mock-efidem server in this process (a context manager), or a handle on one.

    ``scenario`` is a shipped scenario's name (``"chaos"``), a path to a YAML file, or
    None for the default scenario.
    """

    def __init__(
        self,
        scenario: str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
        namespace: str = DEFAULT_NAMESPACE,
        public_url: str | None = None,
        admin_token: str | None = None,
        store: str = MEMORY_STORE,
        store_prefix: str = DEFAULT_STORE_PREFIX,
    ) -> None:
        """``store``: ``memory``, or a ``redis://`` URL whose world this mock shares
        with every other one on the same Redis and ``store_prefix`` (``serve --store``)."""
        self._settings = Settings(
            host=host,
            port=port,
            namespace=namespace,
            public_url=public_url,
            seed=seed,
            admin_token=admin_token,
            store=store,
            store_prefix=store_prefix,
        )
        self._scenario = scenario
        self._server: Any = None
        self._base_url = ""
        self._admin_token = admin_token
        self._client: Any = None

    @classmethod
    def connect(cls, base_url: str, admin_token: str | None = None) -> MockEfidem:
        """A handle on a mock that runs elsewhere (Docker, another process); the admin
        token defaults to the environment's ``MOCK_EFIDEM_ADMIN_TOKEN``."""
        handle = cls()
        handle._base_url = base_url.rstrip("/")
        handle._admin_token = admin_token or os.environ.get(ADMIN_TOKEN_VARIABLE) or None
        return handle

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> MockEfidem:
        from mock_efidem.server import MockServer

        scenario = (
            load_text(_scenario_text(self._scenario), default_name=str(self._scenario))
            if self._scenario is not None
            else None
        )
        self._server = MockServer(self._settings, scenario=scenario).start()
        self._base_url = self._server.base_url
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> MockEfidem:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if not self._base_url:
            raise RuntimeError("the mock is not started: use `with MockEfidem() as mock:`")
        return self._base_url

    @property
    def soap_url(self) -> str:
        return f"{self.base_url}{SOAP_PATH}"

    @property
    def wsdl_url(self) -> str:
        return f"{self.soap_url}?wsdl"

    @property
    def dqe_url(self) -> str:
        """The DQE email lookup; MAILSUGGEST is ``{base_url}/MAILSUGGEST/``."""
        return f"{self.base_url}/DQEEMAILLOOKUP/"

    @property
    def client(self) -> Any:
        """A zeep client built from the served WSDL: needs the ``client`` extra (zeep),
        ``pip install 'mock-efidem[client]'``; the rest of the API does not."""
        if self._client is None:
            try:
                import zeep
            except ImportError as error:
                raise ImportError(
                    "MockEfidem.client needs zeep: pip install 'mock-efidem[client]' "
                    "(or call mock.soap_url / mock.wsdl_url with your own SOAP client)",
                    name=error.name,
                ) from error
            self._client = zeep.Client(self.wsdl_url)  # type: ignore[no-untyped-call]
        return self._client

    # --- the /_mock/ API -----------------------------------------------------------------

    def messages(
        self, wait: float = 0.0, limit: int | None = None, **filters: str | bool | datetime
    ) -> list[dict[str, Any]]:
        """Messages, newest first, all of them or the first ``limit``; filters: channel,
        account, recipient, status, refclient, q (a text in any field), final (True or
        False), since and until (datetimes, or ISO 8601 text). ``wait``: seconds to wait
        for a first one."""
        query = {k: _query_value(v) for k, v in filters.items() if v is not None}
        if wait:
            query["wait"] = str(wait)
        return self._pages("/messages", "messages", query, limit)

    def wait_for_message(
        self, timeout: float = 10.0, **filters: str | bool | datetime
    ) -> dict[str, Any]:
        """The newest message matching the filters, waiting up to ``timeout`` seconds;
        the timeout's error lists the messages the mock holds instead."""
        found = self.messages(timeout, 1, **filters)
        if not found:
            raise TimeoutError(
                f"no message matching {filters} within {timeout} s; "
                + _messages_held(self.messages(limit=10))
            )
        return found[0]

    def message(self, message_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._call("GET", f"/messages/{message_id}")
        return found

    def delete_message(self, message_id: str) -> dict[str, Any]:
        """Forget one message: ``{"deleted": id}``; a MockApiError 404 if there is none."""
        deleted: dict[str, Any] = self._call("DELETE", f"/messages/{message_id}")
        return deleted

    def force_status(
        self, message_id: str, status: str, recipient: str | int | None = None, detail: str = ""
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"status": status}
        if recipient is not None:
            body["recipient"] = recipient
        if detail:
            body["detail"] = detail
        changed: dict[str, Any] = self._call("POST", f"/messages/{message_id}/status", body)
        return changed

    def advance(self, seconds: float) -> dict[str, Any]:
        clock: dict[str, Any] = self._call("POST", "/clock/advance", {"seconds": seconds})
        return clock

    def freeze(self) -> dict[str, Any]:
        clock: dict[str, Any] = self._call("POST", "/clock/freeze")
        return clock

    def unfreeze(self) -> dict[str, Any]:
        clock: dict[str, Any] = self._call("POST", "/clock/unfreeze")
        return clock

    def poll_mode(self, polls_per_step: int = 1) -> dict[str, Any]:
        """Each recipient moves one step every ``polls_per_step`` STATUT_* polls."""
        body = {"mode": "polls", "polls_per_step": polls_per_step}
        clock: dict[str, Any] = self._call("POST", "/clock/mode", body)
        return clock

    def load_scenario(self, scenario: str | Path) -> dict[str, Any]:
        """Load a shipped scenario by name, a YAML file, or YAML text."""
        loaded: dict[str, Any] = self._call("POST", "/scenario", raw=_scenario_text(scenario))
        return loaded

    def reset(self, account: str | None = None) -> None:
        self._call("POST", "/reset", {"account": account} if account else None)

    def calls(self, **filters: Any) -> list[dict[str, Any]]:
        """Journalled calls, oldest first: the application's (SOAP and DQE) unless
        ``protocol`` says otherwise (``"control"``, ``"soap,dqe,control"``). Filters:
        protocol, operation (a glob), account, result, http_status, since, message_id;
        any other keyword is a request field:
        ``calls(operation="ENVOYER_SMS", DESTINATION="0601020304")``."""
        protocol = filters.get("protocol") or APPLICATION_PROTOCOLS
        query = journal_query({**filters, "protocol": protocol})
        return self._pages("/journal", "entries", query)[::-1]  # pages come newest first

    journal = calls

    def assert_called(
        self, operation: str, times: int | None = None, **filters: Any
    ) -> list[dict[str, Any]]:
        """The calls of ``operation`` (a glob) matching the filters, as ``calls`` takes
        them; at least one, or exactly ``times``. Else an AssertionError that lists the
        near misses: the same operation with other values, then the closest calls."""
        matching = self.calls(operation=operation, **filters)
        if (times is None and matching) or len(matching) == times:
            return matching
        everything = self.calls(protocol=filters.get("protocol"))
        raise AssertionError(report(operation, times, filters, matching, everything))

    def add_rule(self, section: str, rule: dict[str, Any]) -> AddedRule:
        """Add a rule of ``section`` (responses, faults or outcomes, as in a scenario
        file), applied before the scenario's; use the handle as a context manager to
        remove it on leaving."""
        placed = self._call("POST", "/rules", {"section": section, "rule": rule})
        return AddedRule(self, placed["id"])

    def rules(self) -> list[dict[str, Any]]:
        """Every rule, the added ones and the scenario's, in the order they apply."""
        listed: list[dict[str, Any]] = self._call("GET", "/rules")["rules"]
        return listed

    def remove_rule(self, rule_id: str) -> None:
        self._call("DELETE", f"/rules/{rule_id}")

    def statuses(self) -> dict[str, Any]:
        catalogue: dict[str, Any] = self._call("GET", "/statuses")
        return catalogue

    def _pages(
        self, path: str, key: str, query: dict[str, str], limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a paged list, page after page (its ``next`` as ``before``), or
        its first ``limit``; a ``wait`` holds the first page only."""
        found: list[dict[str, Any]] = []
        while limit is None or len(found) < limit:
            size = min(PAGE_SIZE, limit - len(found)) if limit is not None else PAGE_SIZE
            page = self._call("GET", path, query={**query, "limit": str(size)})
            found += page[key]
            if page["next"] is None:
                break
            query = {k: v for k, v in query.items() if k != "wait"}
            query["before"] = str(page["next"])
        return found

    def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, str] | None = None,
        raw: str | None = None,
    ) -> Any:
        url = f"{self.base_url}/_mock{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = raw.encode("utf-8") if raw is not None else None
        headers = {"Content-Type": "application/yaml" if raw is not None else "application/json"}
        if body is not None or (data is None and method != "GET"):
            data = json.dumps(body or {}).encode("utf-8")
        if self._admin_token:
            headers["Authorization"] = f"Bearer {self._admin_token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise MockApiError(error.code, _json_or_text(error.read())) from None


class AddedRule:
    """A rule added at run time; leaving its ``with`` block removes it."""

    def __init__(self, mock: MockEfidem, rule_id: str) -> None:
        self.mock, self.id = mock, rule_id

    def remove(self) -> None:
        """Remove the rule; already gone (a reset removes them all) is no error."""
        try:
            self.mock.remove_rule(self.id)
        except MockApiError as error:
            if error.status != 404:
                raise

    def __enter__(self) -> AddedRule:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


def _query_value(value: str | bool | datetime) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _messages_held(newest: list[dict[str, Any]]) -> str:
    if not newest:
        return "the mock holds no message at all"
    lines = [
        f"  {m['id']} {m['channel']} {m['account']} to "
        + ", ".join(f"{r['address']} ({r['status']})" for r in m["recipients"])
        for m in newest
    ]
    return "the newest messages held:\n" + "\n".join(lines)


def _scenario_text(scenario: str | Path) -> str:
    """YAML text as given, a YAML file's text, or a shipped scenario's text by name (an
    unknown name is a ScenarioError listing the shipped ones)."""
    if isinstance(scenario, str) and ("\n" in scenario or ":" in scenario):
        return scenario
    found = resolve_scenario(scenario)
    if isinstance(found, Path):
        return found.read_text(encoding="utf-8")
    return shipped_scenario_text(f"{found}.yaml")


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")
