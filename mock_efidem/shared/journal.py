"""The request journal in Redis (``--store redis://``): one journal for every worker
and replica that names the same Redis and prefix, with ``Journal``'s interface and
semantics (``mock_efidem.journal.JournalLike``)."""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import redis

from mock_efidem.events import call_data
from mock_efidem.journal import (
    DEFAULT_BODY_LIMIT,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ENTRIES,
    Body,
    Headers,
    JournalEntry,
    JournalPage,
    JournalQuery,
    Request,
    Response,
    page_of,
)
from mock_efidem.shared.connection import guarded

# KEYS: journal, exchanges, order, bytes, generation (the last full clear's moment), ids.
# ARGV: id (0: the next one), head, exchange, weight, account, the call's start ("" for
# any: see generation), max entries, max bytes, the call's live event (JSON, no id).
# KEYS[7]: the live events' channel. Returns the id kept, 0 if dropped.
_RECORD = """
if ARGV[6] ~= '' and tonumber(redis.call('GET', KEYS[5]) or '0') > tonumber(ARGV[6]) then
  return 0
end
local id = ARGV[1]
if id == '0' then id = tostring(redis.call('INCR', KEYS[6])) end
redis.call('HSET', KEYS[1], id, ARGV[2])
redis.call('HSET', KEYS[2], id, ARGV[3])
redis.call('ZADD', KEYS[3], id, id .. ' ' .. ARGV[4] .. ' ' .. ARGV[5])
local total = redis.call('INCRBY', KEYS[4], ARGV[4])
local count = redis.call('ZCARD', KEYS[3])
while count > 0 and (count > tonumber(ARGV[7]) or total > tonumber(ARGV[8])) do
  local id, weight = string.match(redis.call('ZPOPMIN', KEYS[3])[1], '^(%d+) (%d+) ')
  redis.call('HDEL', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  total = redis.call('DECRBY', KEYS[4], weight)
  count = count - 1
end
local call = cjson.decode(ARGV[9])
call.id = tonumber(id)
redis.call('PUBLISH', KEYS[7], cjson.encode({name='call', data=call}))
return tonumber(id)
"""

# KEYS: journal, exchanges, order, bytes. ARGV: account.
_CLEAR_ACCOUNT = """
local dropped = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  local id, weight, account = string.match(member, '^(%d+) (%d+) (.*)$')
  if account == ARGV[1] then
    redis.call('ZREM', KEYS[3], member)
    redis.call('HDEL', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('DECRBY', KEYS[4], weight)
    dropped = dropped + 1
  end
end
return dropped
"""


class RedisJournal:
    """``Journal`` in Redis: entries oldest first, ids that grow across every process,
    a generation that a full clear from any process bumps; thread-safe.

    Its keys, each after ``prefix``:

    - ``journal``: a hash, id -> the entry's facts as JSON (all but its exchange);
    - ``journal:exchanges``: a hash, id -> its request and response as JSON (bodies
      in base64), read only for the entries shown, so that filters and counts do not
      carry every body over the network;
    - ``journal:order``: a sorted set of ``"ID WEIGHT ACCOUNT"`` scored by id: the
      oldest entry goes first, what it weighs and whose it is are known without
      reading it;
    - ``journal:bytes``: the sum of the weights kept;
    - ``journal:ids``: the last id given (``INCR``);
    - ``journal:generation``: the moment of the last full clear (µs since the epoch);
    - ``events``: the channel each kept call's live event is published on.

    Both bounds hold, atomically with each record (a Lua script): ``max_entries``
    and ``max_bytes``, the latter on the same weights as ``Journal`` (bodies cut at
    ``body_limit``, headers and fields), so that both keep the same entries. What
    Redis itself spends on them differs (base64 bodies, its own overhead): its memory
    limit is the operator's.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        body_limit: int = DEFAULT_BODY_LIMIT,
        on_record: Callable[[JournalEntry], None] | None = None,
        url: str = "",
    ) -> None:
        """``on_record`` hears of each entry this process kept, as it is kept (one at
        a time): it must be quick and must not block."""
        self.client, self.prefix, self.url = client, prefix, url
        self.max_entries, self.max_bytes, self.body_limit = max_entries, max_bytes, body_limit
        self.on_record = on_record
        self._journal, self._exchanges = f"{prefix}journal", f"{prefix}journal:exchanges"
        self._order, self._bytes = f"{prefix}journal:order", f"{prefix}journal:bytes"
        self._ids, self._generation = f"{prefix}journal:ids", f"{prefix}journal:generation"
        self._events = f"{prefix}events"
        self._record = client.register_script(_RECORD)
        self._clear_account = client.register_script(_CLEAR_ACCOUNT)
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        """This moment (µs since the epoch): a call that started before a full clear,
        in any process, is not recorded. A moment, not a counter, so that a call asks
        Redis nothing when it starts (replicas' clocks agree well enough for this)."""
        return time.time_ns() // 1000

    @property
    @guarded
    def size_in_bytes(self) -> int:
        return int(self.client.get(self._bytes) or 0)

    @guarded
    def __len__(self) -> int:
        return self.client.zcard(self._order)

    @guarded
    def next_id(self) -> int:
        return self.client.incr(self._ids)

    @guarded
    def record(self, entry: JournalEntry, generation: int | None = None) -> bool:
        """Keep ``entry`` (made with ``next_id``), unless the journal was cleared since
        ``generation``; the oldest entries make room."""
        kept = self._record(
            keys=[
                self._journal,
                self._exchanges,
                self._order,
                self._bytes,
                self._generation,
                self._ids,
                self._events,
            ],
            args=[
                entry.id,
                _dumps(_head_json(entry)),
                _dumps(_exchange_json(entry)),
                entry.weight,
                entry.account,
                "" if generation is None else generation,
                self.max_entries,
                self.max_bytes,
                _dumps(_event_json(entry)),
            ],
        )
        if not kept:
            return False
        if kept != entry.id:
            entry = dataclasses.replace(entry, id=int(kept))
        if self.on_record is not None:
            with self._lock:
                self.on_record(entry)
        return True

    @guarded
    def entries(self) -> list[JournalEntry]:
        pipe = self.client.pipeline(transaction=True)
        pipe.hgetall(self._journal)
        pipe.hgetall(self._exchanges)
        heads, exchanges = pipe.execute()
        whole = [
            _exchanged(_head(key, head), exchanges[key])
            for key, head in heads.items()
            if key in exchanges
        ]
        return sorted(whole, key=lambda entry: entry.id)

    @guarded
    def get(self, entry_id: int) -> JournalEntry | None:
        pipe = self.client.pipeline(transaction=True)
        pipe.hget(self._journal, entry_id)
        pipe.hget(self._exchanges, entry_id)
        head, exchange = pipe.execute()
        if head is None or exchange is None:
            return None
        return _exchanged(_head(entry_id, head), exchange)

    @guarded
    def find_page(self, query: JournalQuery, limit: int, before: int | None = None) -> JournalPage:
        """Matching entries newest first, ``limit`` of them from below id ``before``:
        chosen on their facts, then read whole."""
        page = page_of(self._heads(), query, limit, before)
        return dataclasses.replace(page, entries=self._with_exchanges(page.entries))

    @guarded
    def count(self, query: JournalQuery) -> int:
        return sum(1 for e in self._heads() if query.matches(e))

    @guarded
    def clear(self, account: str | None = None) -> None:
        """Everything (and calls still in flight, in every process), or one account's
        entries."""
        if account is not None:
            self._clear_account(
                keys=[self._journal, self._exchanges, self._order, self._bytes], args=[account]
            )
            return
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self._journal, self._exchanges, self._order, self._bytes)
        pipe.set(self._generation, self.generation)
        pipe.execute()

    def _heads(self) -> list[JournalEntry]:
        """Every entry, oldest first, with its facts but an empty exchange: enough for
        a query to match."""
        heads = self.client.hgetall(self._journal).items()
        return sorted((_head(i, head) for i, head in heads), key=lambda entry: entry.id)

    def _with_exchanges(self, heads: list[JournalEntry]) -> list[JournalEntry]:
        """The entries whole; one dropped since its facts were read is left out."""
        if not heads:
            return []
        exchanges = self.client.hmget(self._exchanges, [entry.id for entry in heads])
        return [
            _exchanged(head, exchange)
            for head, exchange in zip(heads, exchanges, strict=True)
            if exchange is not None
        ]


def _dumps(document: Mapping[str, Any]) -> str:
    # ASCII keeps any lone surrogate a text may carry; str() a value JSON cannot
    # carry, for a journal entry must never fail the call it records.
    return json.dumps(document, separators=(",", ":"), default=str)


def _head_json(entry: JournalEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "protocol": entry.protocol,
        "operation": entry.operation,
        "account": entry.account,
        "result": entry.result,
        "duration_ms": entry.duration_ms,
        "client": entry.client,
        "http_status": entry.http_status,
        "value": entry.value,
        "why": dict(entry.why) if entry.why is not None else None,
        "message_ids": list(entry.message_ids),
        "fields": {name: list(values) for name, values in entry.fields.items()},
    }


def _event_json(entry: JournalEntry) -> dict[str, Any]:
    """The call's live event but its id, which the record script adds."""
    data = call_data(entry)
    del data["id"]
    return data


def _exchange_json(entry: JournalEntry) -> dict[str, Any]:
    request, response = entry.request, entry.response
    return {
        "request": {**_side_json(request), "method": request.method, "target": request.target},
        "response": {**_side_json(response), "note": response.note},
    }


def _side_json(side: Request | Response) -> dict[str, Any]:
    return {
        "headers": [list(pair) for pair in side.headers],
        "body": base64.b64encode(side.body.data).decode("ascii"),
        "size": side.body.size,
    }


def _head(entry_id: int | bytes | str, raw: bytes | str) -> JournalEntry:
    """An entry's facts, with an empty exchange that answered its HTTP status."""
    document = json.loads(raw)
    return JournalEntry(
        id=int(entry_id),
        at=datetime.fromisoformat(document["at"]),
        protocol=document["protocol"],
        operation=document["operation"],
        account=document["account"],
        result=document["result"],
        duration_ms=document["duration_ms"],
        client=document["client"],
        request=Request((), Body(b"", 0)),
        response=Response((), Body(b"", 0), document["http_status"]),
        value=document["value"],
        why=document["why"],
        message_ids=tuple(document["message_ids"]),
        fields={name: tuple(values) for name, values in document["fields"].items()},
    )


def _exchanged(head: JournalEntry, raw: bytes | str) -> JournalEntry:
    """``head`` with its request and response."""
    document = json.loads(raw)
    request, response = document["request"], document["response"]
    return dataclasses.replace(
        head,
        request=Request(_headers(request), _body(request), request["method"], request["target"]),
        response=Response(_headers(response), _body(response), head.http_status, response["note"]),
    )


def _headers(side: Mapping[str, Any]) -> Headers:
    return tuple((name, value) for name, value in side["headers"])


def _body(side: Mapping[str, Any]) -> Body:
    return Body(base64.b64decode(side["body"]), side["size"])
