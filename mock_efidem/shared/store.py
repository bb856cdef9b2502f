"""The message store in Redis, shared by every process that names the same Redis and
prefix: the second implementation of ``mock_efidem.domain.store.Store``.

Keys, under the prefix:

- ``m:ID``, a hash: ``c`` what the send carried (JSON, written once), ``s`` its
  recipients' state (JSON), ``r`` the state's revision, ``a`` account, ``ch`` channel,
  ``q`` arrival number;
- ``i:all``, ``i:a:ACCOUNT``, ``i:c:CHANNEL``: sorted sets of ids by arrival number (the
  indexes pages walk);
- ``seq``, the arrival counter; ``due``, a sorted set of ids by their next step's due
  time; ``changes``, a capped stream of changes (what long polls block on);
- ``events``, the channel each change is published on, as a live event
  (shared/events.py relays it to every process's listeners).

A send is one Lua script (number, name, store, index, log: atomic). A change is
optimistic: it is made on the copy read, and saved by a script only if the revision is
still the one read; else it is made again on a fresh copy. So no status is applied
twice and none is lost, whichever process makes it.

Filtered pages (beyond one index and a cursor) read every message of the narrowest
index: fine for the thousands a test run holds, slow for millions (the memory store
keeps its indexes in the process for that).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import redis

from mock_efidem.domain.models import Message
from mock_efidem.domain.store import (
    ALL,
    DEFAULT_MAX_MESSAGES,
    Change,
    ChangeListener,
    Changes,
    IndexKey,
    MessageChange,
    MessageFilter,
    Page,
    Version,
    _all_of,
    newest_page,
    next_step_due,
    page_of,
    statuses_reached,
)
from mock_efidem.shared.codec import decode, encode_carried, encode_state
from mock_efidem.shared.connection import Keys, guarded, unlink_matching

CHANGE_LOG_SIZE = 100_000
READ_BATCH = 500
UPDATE_ATTEMPTS = 1000
EVICTION_BATCH = 200
BLOCK_SLICE_SECONDS = 2.0
"""A long poll blocks on Redis in slices, each well inside the client's read timeout."""
START = "0-0"

_ADD = """
local seq = redis.call('INCR', KEYS[1])
local id = ARGV[2]
if ARGV[3] ~= '' then id = string.sub(redis.sha1hex(ARGV[3] .. ':' .. seq), 1, 32) end
local key = ARGV[1] .. id
if redis.call('EXISTS', key) == 1 then return {'', seq, 0} end
redis.call('HSET', key, 'c', ARGV[6], 's', ARGV[7], 'r', 1, 'a', ARGV[4], 'ch', ARGV[5],
           'q', seq)
redis.call('ZADD', KEYS[2], seq, id)
redis.call('ZADD', KEYS[3], seq, id)
redis.call('ZADD', KEYS[4], seq, id)
if ARGV[8] ~= '' then redis.call('ZADD', KEYS[5], ARGV[8], id) end
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[9], '*', 'id', id, 'change', 'created')
redis.call('PUBLISH', ARGV[10], cjson.encode({name='message',
  data={id=id, channel=ARGV[5], account=ARGV[4], change='created'}}))
return {id, seq, redis.call('ZCARD', KEYS[2])}
"""
# (ids: domain/ids.py's seeded_id, sha1("SEED:N") cut to 32, in Lua.)
_UPDATE = """
local revision = redis.call('HGET', KEYS[1], 'r')
if not revision then return -1 end
if revision ~= ARGV[1] then return 0 end
local saved = tonumber(revision) + 1
redis.call('HSET', KEYS[1], 's', ARGV[2], 'r', saved)
if ARGV[3] == '' then redis.call('ZREM', KEYS[2], ARGV[4])
else redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) end
if ARGV[6] == '1' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'id', ARGV[4], 'change', 'status')
  local owner = redis.call('HMGET', KEYS[1], 'a', 'ch')
  redis.call('PUBLISH', ARGV[7], cjson.encode({name='message',
    data={id=ARGV[4], channel=owner[2], account=owner[1], change='status'}}))
end
return saved
"""
_DELETE = """
local found = redis.call('HMGET', KEYS[1], 'a', 'ch')
if not found[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', ARGV[2] .. found[1], ARGV[1])
redis.call('ZREM', ARGV[3] .. found[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[4], '*', 'id', ARGV[1], 'change', 'deleted')
redis.call('PUBLISH', ARGV[5], cjson.encode({name='message',
  data={id=ARGV[1], channel=found[2], account=found[1], change='deleted'}}))
return 1
"""
_FIELDS = ("c", "s", "r", "a", "ch", "q")


class RedisStore:
    shared = True

    def __init__(
        self,
        client: redis.Redis,
        url: str,
        prefix: str,
        seed: int | None = None,
        max_messages: int = DEFAULT_MAX_MESSAGES,
        on_change: ChangeListener | None = None,
    ) -> None:
        """``seed``: ids follow from it and each arrival number (the same after a reset),
        else they are random."""
        # Any: redis-py's stubs type every reply as bytes | str | None | …
        self.client: Any = client
        self.url = url
        self.key = Keys(prefix)
        self.seed = seed
        self.max_messages = max_messages
        self.on_change = on_change
        self._add = client.register_script(_ADD)
        self._update = client.register_script(_UPDATE)
        self._delete = client.register_script(_DELETE)
        self._next_eviction = 0

    # --- writing ---------------------------------------------------------------------

    @guarded
    def add(self, message: Message, evictable: MessageFilter | None = None) -> None:
        due = next_step_due(message)
        arguments = [
            self.key("m", ""),
            "",
            "" if self.seed is None else str(self.seed),
            message.account,
            message.channel.value,
            encode_carried(message),
            encode_state(message),
            "" if due is None else repr(due.timestamp()),
            CHANGE_LOG_SIZE,
            self.key("events"),
        ]
        keys = [
            self.key("seq"),
            *self._index_keys(message.account, message.channel.value),
            self.key("due"),
            self.key("changes"),
        ]
        while True:
            arguments[1] = message.id or secrets.token_hex(16)
            named, seq, count = self._add(keys=keys, args=arguments)
            if named:
                break
            message.id = ""  # taken (a seed replayed over old messages): the next one
        message.id, message.seq, message.revision = named.decode(), int(seq), 1
        if evictable is not None and count > self.max_messages and seq >= self._next_eviction:
            self._evict(evictable, int(count))
        self._told(message, Change.CREATED)

    def _index_keys(self, account: str, channel: str) -> tuple[str, str, str]:
        return (self.key("i", "all"), self.key("i", "a", account), self.key("i", "c", channel))

    @guarded
    def update(self, message: Message, change: MessageChange) -> Message:
        current = message
        for _ in range(UPDATE_ATTEMPTS):
            reached = statuses_reached(current)
            if not change(current):
                return current
            moved = statuses_reached(current) != reached
            due = next_step_due(current)
            saved = self._update(
                keys=[self.key("m", current.id), self.key("due"), self.key("changes")],
                args=[
                    current.revision,
                    encode_state(current),
                    "" if due is None else repr(due.timestamp()),
                    current.id,
                    CHANGE_LOG_SIZE,
                    "1" if moved else "",
                    self.key("events"),
                ],
            )
            if saved > 0:
                current.revision = int(saved)
                if moved:
                    self._told(current, Change.STATUS)
                return current
            fresh = self._load([current.id])[0] if saved == 0 else None
            if fresh is None:  # deleted meanwhile: nothing left to change
                return current
            current = fresh
        raise RuntimeError(f"message {message.id}: {UPDATE_ATTEMPTS} changes collided")

    @guarded
    def delete(self, message_id: str) -> Message | None:
        found = self._load([message_id.strip().lower()])[0]
        if found is not None and self._forget(found.id):
            self._told(found, Change.DELETED)
            return found
        return None

    def _forget(self, message_id: str) -> bool:
        return bool(
            self._delete(
                keys=[
                    self.key("m", message_id),
                    self.key("i", "all"),
                    self.key("due"),
                    self.key("changes"),
                ],
                args=[
                    message_id,
                    self.key("i", "a", ""),
                    self.key("i", "c", ""),
                    CHANGE_LOG_SIZE,
                    self.key("events"),
                ],
            )
        )

    def _evict(self, evictable: MessageFilter, count: int) -> None:
        oldest = self.client.zrange(self.key("i", "all"), 0, EVICTION_BATCH - 1)
        removed = 0
        for message in self._load([i.decode() for i in oldest]):
            if removed >= count - self.max_messages:
                break
            if message is not None and evictable(message) and self._forget(message.id):
                removed += 1
                self._told(message, Change.DELETED)
        if removed < count - self.max_messages:
            # Everything old is still on its way: look again after a few more arrivals.
            self._next_eviction = count + max(1, self.max_messages // 100)

    @guarded
    def touch(self) -> None:
        self.client.xadd(
            self.key("changes"), {"change": "touch"}, maxlen=CHANGE_LOG_SIZE, approximate=True
        )

    @guarded
    def clear(self, account: str | None = None) -> None:
        if account is None:
            for pattern in ("m:*", "i:*"):
                unlink_matching(self.client, self.key(pattern))
            self.client.delete(self.key("seq"), self.key("due"))
        else:
            for message_id in self.client.zrange(self.key("i", "a", account), 0, -1):
                self._forget(message_id.decode())
        self.touch()

    def _told(self, message: Message, change: Change) -> None:
        if self.on_change is not None:
            self.on_change(message, change)

    # --- reading ---------------------------------------------------------------------

    @guarded
    def find(self, message_id: str) -> Message | None:
        return self._load([message_id.strip().lower()])[0]

    def get(self, account: str, message_id: str) -> Message | None:
        found = self.find(message_id)
        return found if found is not None and found.account == account else None

    def _load(self, message_ids: Sequence[str]) -> list[Message | None]:
        """The messages of ``message_ids``, in order, None for each one gone."""
        found: list[Message | None] = []
        for start in range(0, len(message_ids), READ_BATCH):
            chunk = message_ids[start : start + READ_BATCH]
            pipeline = self.client.pipeline(transaction=False)
            for message_id in chunk:
                pipeline.hmget(self.key("m", message_id), _FIELDS)
            found += [_decoded(i, row) for i, row in zip(chunk, pipeline.execute(), strict=True)]
        return found

    def _ids(self, index: str, newest_first: bool = False) -> list[str]:
        listed = self.client.zrange(index, 0, -1, desc=newest_first)
        return [i.decode() for i in listed]

    @guarded
    def due(self, now: datetime) -> list[Message]:
        due = self.client.zrangebyscore(self.key("due"), "-inf", now.timestamp())
        return [m for m in self._load([i.decode() for i in due]) if m is not None]

    @guarded
    def next_due(self) -> datetime | None:
        first = self.client.zrange(self.key("due"), 0, 0, withscores=True)
        return datetime.fromtimestamp(first[0][1], UTC) if first else None

    @guarded
    def page(
        self,
        keys: Iterable[IndexKey],
        matches: MessageFilter | None,
        limit: int,
        before: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page:
        chosen, others = self._narrowest(keys)
        wanted = _all_of(others, matches)
        if wanted is None and since is None and until is None:
            return self._index_page(chosen, limit, before)
        matched = [
            m
            for m in self._load(self._ids(chosen))
            if m is not None
            and (since is None or m.created_at >= since)
            and (until is None or m.created_at <= until)
            and (wanted is None or wanted(m))
        ]
        return page_of(matched, limit, before)  # in arrival order: the index's

    def _index_page(self, index: str, limit: int, before: int | None) -> Page:
        highest = "+inf" if before is None else f"({before}"
        pipeline = self.client.pipeline(transaction=False)
        pipeline.zrevrangebyscore(index, highest, "-inf", 0, limit + 1)
        pipeline.zcard(index)
        listed, total = pipeline.execute()
        found = [m for m in self._load([i.decode() for i in listed]) if m is not None]
        return newest_page(found, int(total), limit)

    def _narrowest(self, keys: Iterable[IndexKey]) -> tuple[str, list[IndexKey]]:
        wanted = list(keys) or [ALL]
        pipeline = self.client.pipeline(transaction=False)
        for key in wanted:
            pipeline.zcard(self._index_of(key))
        sizes = pipeline.execute()
        chosen = wanted[sizes.index(min(sizes))]
        return self._index_of(chosen), [k for k in wanted if k not in (chosen, ALL)]

    def _index_of(self, key: IndexKey) -> str:
        kind, value = key
        return {"all": self.key("i", "all"), "account": self.key("i", "a", value)}.get(
            kind, self.key("i", "c", value)
        )

    @guarded
    def created_between(self, account: str, start: datetime, end: datetime) -> list[Message]:
        return [m for m in self.in_arrival_order(account) if start <= m.created_at <= end]

    @guarded
    def in_arrival_order(self, account: str) -> list[Message]:
        listed = self._load(self._ids(self.key("i", "a", account)))
        return [m for m in listed if m is not None]

    @guarded
    def changes_since(self, version: Version, timeout: float) -> Changes:
        entries, version = self._read_changes(version, timeout, CHANGE_LOG_SIZE)
        if len(entries) >= CHANGE_LOG_SIZE:
            return Changes(None, version)
        changed = list(dict.fromkeys(i for i in entries if i))
        return Changes([m for m in self._load(changed) if m is not None], version)

    @guarded
    def wait_for_change(self, version: Version, timeout: float) -> Version:
        return self._read_changes(version, timeout, 1)[1]

    def _read_changes(self, version: Version, timeout: float, most: int) -> tuple[list[str], str]:
        """The message ids (empty for a touch) logged after ``version``, waiting up to
        ``timeout`` for one; and the version then."""
        stream, after = self.key("changes"), str(version)
        block = max(0.0, timeout)
        while True:
            blocking = min(block, BLOCK_SLICE_SECONDS)
            read: Any = self.client.xread(
                {stream: after}, count=most, block=int(blocking * 1000) if blocking else None
            )
            block -= blocking
            if read or block <= 0:
                break
        entries = read[0][1] if read else []
        if entries:
            after = entries[-1][0].decode()
        return [fields.get(b"id", b"").decode() for _, fields in entries], after

    @property
    @guarded
    def version(self) -> Version:
        last = self.client.xrevrange(self.key("changes"), count=1)
        return last[0][0].decode() if last else START

    @guarded
    def __len__(self) -> int:
        return int(self.client.zcard(self.key("i", "all")))


def _decoded(message_id: str, row: list[bytes | None]) -> Message | None:
    carried, state, revision, account, channel, seq = row
    if carried is None or state is None:
        return None
    assert revision is not None and account is not None and channel is not None
    message = decode(message_id, channel.decode(), account.decode(), int(seq or 0), carried, state)
    message.revision = int(revision)
    return message
