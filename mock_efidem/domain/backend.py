"""The Efidem service in plain English: every operation, validated by its error table.

Nothing here knows of SOAP. A protocol adapter hands ``call`` an operation name and
a mapping of plain-English fields, and gets back an ``Outcome``: either an error code
from the operation's table, or the operation's value.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mock_efidem.domain.accounts import DEMO_ACCOUNT, Account, AccountRegistry
from mock_efidem.domain.clock import Clock
from mock_efidem.domain.esmtp import describe_esmtp_code
from mock_efidem.domain.ids import IdFactory
from mock_efidem.domain.invented import Inventor
from mock_efidem.domain.lifecycle import Lifecycle, LifecycleSettings
from mock_efidem.domain.models import (
    Channel,
    Message,
    PostalAddress,
    PostalName,
    Recipient,
    RecipientInput,
)
from mock_efidem.domain.outcomes import DEFAULT_OUTCOME_RULES, OutcomeRule
from mock_efidem.domain.phones import normalise_number
from mock_efidem.domain.queries import MessageQuery
from mock_efidem.domain.report import build_report
from mock_efidem.domain.rules import ERROR_TABLES
from mock_efidem.domain.statuses import label_of
from mock_efidem.domain.store import (
    DEFAULT_MAX_MESSAGES,
    ChangeListener,
    MessageStore,
    Page,
    Store,
    StoreUnavailable,
)
from mock_efidem.domain.validation import (
    DEFAULT_FORBIDDEN_SEQUENCES,
    CheckContext,
    Culprit,
    first_failure,
)

Fields = Mapping[str, Any]
DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True)
class Outcome:
    """An operation's answer: ``error`` set to a table code, or ``value`` set."""

    error: int | None = None
    value: Any = None
    reason: str = ""
    culprit: Culprit | None = None
    """With an error from the table: the field and value that broke its rule."""
    message_ids: tuple[str, ...] = ()
    """The messages the call created or read."""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class StatusReport:
    code: int
    at: datetime
    label: str
    message_id: str


@dataclass(frozen=True)
class ValidCall:
    operation: str
    account: Account
    fields: Fields


Handler = Callable[["EfidemBackend", ValidCall], Any]


class EfidemBackend:
    """Accounts, the message store and the operations over them."""

    def __init__(
        self,
        accounts: Iterable[Account] = (DEMO_ACCOUNT,),
        forbidden_sequences: Sequence[str] = DEFAULT_FORBIDDEN_SEQUENCES,
        seed: int | None = None,
        clock: Clock | None = None,
        outcome_rules: Sequence[OutcomeRule] = DEFAULT_OUTCOME_RULES,
        lifecycle: LifecycleSettings | None = None,
        open_accounts: bool = False,
        max_messages: int = DEFAULT_MAX_MESSAGES,
        on_change: ChangeListener | None = None,
        store: Store | None = None,
        account_registry: AccountRegistry | None = None,
    ) -> None:
        """``on_change`` hears of each message stored, moved to a status or deleted (in
        this process). ``store`` and ``account_registry``: shared ones, instead of this
        process's own."""
        self.accounts = (
            account_registry
            if account_registry is not None
            else AccountRegistry(_fresh(accounts), open=open_accounts)
        )
        self.inventor = Inventor(seed)
        self.forbidden_sequences = tuple(forbidden_sequences)
        # One lock for every change of a recipient's state: sends, due steps, polls,
        # forcing; the memory store shares it, so that its pages may settle what they
        # read. A shared store's changes are atomic in the store, made again if they
        # collide: a lock held over its round trips would only queue this process's calls.
        own_lock = threading.RLock()
        self.lock: AbstractContextManager[Any] = own_lock
        if store is not None and store.shared:
            self.lock = contextlib.nullcontext()
        self.store: Store = (
            store
            if store is not None  # an empty store is falsy
            else MessageStore(max_messages, lock=own_lock, on_change=on_change, ids=IdFactory(seed))
        )
        self.clock = clock or Clock()
        self.lifecycle = Lifecycle(self.clock, outcome_rules, lifecycle)
        self._stopping = False

    def call(self, operation: str, fields: Fields) -> Outcome:
        context = CheckContext(fields, self.accounts, self.forbidden_sequences, self._find)
        failed = first_failure(ERROR_TABLES[operation], context)
        if failed is not None:
            culprit = failed.check.culprit(context)
            return Outcome(failed.code, reason=failed.meaning, culprit=culprit)
        assert context.account is not None  # every table checks the credentials
        value = HANDLERS[operation](self, ValidCall(operation, context.account, fields))
        return Outcome(value=value, message_ids=_touched(operation, value, context))

    def _find(self, account: Account, message_id: str) -> Message | None:
        found = self.store.get(account.name, message_id)
        if found is not None:
            self.settle(found)
        return found

    def settle(self, message: Message) -> Message:
        """The message with its due steps fired (and its watchers told)."""
        with self.lock:
            return self.store.update(message, self.lifecycle.settle)

    def settle_due(self) -> None:
        """Fire every due step of every message, so that waiters see them."""
        if not self.lifecycle.timed:
            return
        with self.lock:
            for message in self.store.due(self.clock.now()):
                self.store.update(message, self.lifecycle.settle)

    def watch_due(self, longest: float) -> None:
        """Fire the steps due now, then sleep until another may be: the next due time, a
        change in the store (a send, the clock advanced), or ``longest`` seconds. In a
        loop, statuses move as time passes though nobody reads the messages."""
        version = self.store.version
        self.settle_due()
        self.store.wait_for_change(version, self._sleep_for(longest))

    def find_page(
        self,
        query: MessageQuery,
        limit: int = DEFAULT_PAGE_SIZE,
        before: int | None = None,
        wait: float = 0.0,
    ) -> Page:
        """Matching messages, newest first, one page; with ``wait``, wait up to that many
        seconds for one to match (a long poll, so tests need not sleep). A waiter looks
        only at the messages that changed, and sleeps until a change or the next due
        step: waiting costs nothing however many messages are stored."""
        deadline = time.monotonic() + wait
        version = self.store.version
        page = self._page(query, limit, before)
        while not page.messages and (remaining := deadline - time.monotonic()) > 0:
            if self._stopping:
                break
            changes = self.store.changes_since(version, self._sleep_for(remaining))
            version = changes.version
            self.settle_due()
            if changes.messages is None or any(
                query.matches(self.settle(m)) for m in changes.messages
            ):
                page = self._page(query, limit, before)
        return page

    def stop_waiting(self) -> None:
        """The server is stopping: every long poll answers what it has now."""
        self._stopping = True
        with contextlib.suppress(StoreUnavailable):  # then they see it at their next look
            self.store.touch()

    def _page(self, query: MessageQuery, limit: int, before: int | None) -> Page:
        with self.lock:
            # Every due step fired at once: the scan then reads each message as it is,
            # without settling each one of (maybe) a million.
            self.settle_due()
            return self.store.page(
                query.index_keys(), query.scan, limit, before, query.since, query.until
            )

    def _sleep_for(self, remaining: float) -> float:
        """Seconds until the next due step (the clock moves it; nobody else would say)."""
        due = self.store.next_due() if self.lifecycle.timed else None
        if due is None or self.clock.frozen:
            return remaining
        return max(0.001, min(remaining, (due - self.clock.now()).total_seconds()))

    def find_any(self, message_id: str) -> Message | None:
        """A message of any account, by id (for the control API)."""
        found = self.store.find(message_id)
        return self.settle(found) if found is not None else None

    def delete(self, message_id: str) -> Message | None:
        """Forget a message of any account: the one forgotten, None if there is none."""
        with self.lock:
            return self.store.delete(message_id)

    def polled(self, message: Message, recipient: Recipient) -> Recipient:
        """A status operation read this recipient: count the poll, answer its state."""
        position = _position(message, recipient)

        def poll(current: Message) -> bool:
            return self.lifecycle.poll(current, current.recipients[position])

        with self.lock:
            return self.store.update(message, poll).recipients[position]

    def force_status(
        self, message: Message, recipients: list[Recipient], status: str, detail: str = ""
    ) -> Message:
        """Move recipients to a status now; all or none (the first illegal one raises).
        The message as it is then."""
        positions = [_position(message, r) for r in recipients]

        def force(current: Message) -> bool:
            self.lifecycle.settle(current)
            chosen = [current.recipients[p] for p in positions]
            for recipient in chosen:
                self.lifecycle.check_force(current, recipient, status)
            for recipient in chosen:
                self.lifecycle.force(current, recipient, status, detail)
            return True

        with self.lock:
            return self.store.update(message, force)

    # --- sends -------------------------------------------------------------------

    def accept(
        self,
        call: ValidCall,
        channel: Channel,
        recipients: list[Recipient],
        **options: Any,
    ) -> str:
        """Store an accepted send with everything it carried; return its id."""
        fields = call.fields
        with self.lock:
            if not self.store.shared:
                # Due steps first: they keep the store's heap short, and a message they
                # finish may make room for this one. (A shared store's reads fire them:
                # a look at the shared heap at each send would cost a round trip.)
                self.settle_due()
            message = Message(
                id="",  # the store names it
                channel=channel,
                account=call.account.name,
                operation=call.operation,
                # Read under the lock: arrival order is also the order of creation times.
                created_at=self.clock.now(),
                recipients=recipients,
                subject=_text(fields, "subject"),
                text=_text(fields, "text"),
                html=_text(fields, "html"),
                sender=_text(fields, "sender") or _text(fields, "sender_name"),
                reply_to=_text(fields, "reply_to"),
                reference=_text(fields, "reference"),
                billing_code=_text(fields, "billing_code"),
                attachments=tuple(fields.get("attachments") or ()),
                options=options,
            )
            self.lifecycle.start(message)
            self.store.add(message, evictable=_finished)
        return message.id

    # --- reads ---------------------------------------------------------------------

    def message(self, call: ValidCall) -> Message:
        found = self._find(call.account, _text(call.fields, "message_id"))
        assert found is not None  # the error table ruled out unknown ids
        return found

    def status_report(self, message: Message, recipient: Recipient) -> StatusReport:
        event = recipient.current
        return StatusReport(
            event.code, event.at, label_of(message.channel, event.status), message.id
        )

    def report(self, account: Account, start: datetime, end: datetime) -> bytes:
        sent = self.store.created_between(account.name, _aware(start), _aware(end))
        return build_report([self.settle(m) for m in reversed(sent)])

    def count_billing_code(self, account: Account, code: str) -> int:
        wanted = code.strip()
        sent = self.store.in_arrival_order(account.name)
        return sum(len(m.recipients) for m in sent if m.billing_code == wanted)


def _touched(operation: str, value: Any, context: CheckContext) -> tuple[str, ...]:
    """The message a send created, or the one a status call read."""
    if operation in SENDS:
        return (str(value),)
    read = context.__dict__.get("message")  # set only if the call looked a message up
    return (read.id,) if isinstance(read, Message) else ()


def _position(message: Message, recipient: Recipient) -> int:
    """Where the recipient is in its message: the store may hand the change a fresher
    copy of the message, in which the same place holds the same recipient."""
    return next(i for i, r in enumerate(message.recipients) if r is recipient)


def _finished(message: Message) -> bool:
    """Nothing left to happen: every recipient has reached the end of its path (a final
    status, or one only a test could move on, such as an email's "delivered"). The store
    may evict such a message; one with a step still to come, never."""
    return all(not r.plan for r in message.recipients)


def _fresh(accounts: Iterable[Account]) -> list[Account]:
    """Copies, so that console users added at run time never leak into the defaults."""
    return [
        Account(a.name, a.password, a.app_id, a.fax_enabled, dict(a.console_users))
        for a in accounts
    ]


def _text(fields: Fields, name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- one handler per operation ---------------------------------------------------


def _recipients(inputs: Iterable[RecipientInput], *, phone: bool = False) -> list[Recipient]:
    return [
        Recipient(
            address=normalise_number(item.address) if phone else item.address.strip(),
            name=item.name,
            reference=item.reference,
            variables=item.variables,
        )
        for item in inputs
    ]


def _send_email(backend: EfidemBackend, call: ValidCall) -> str:
    single = RecipientInput(
        address=_text(call.fields, "recipient"),
        name=_text(call.fields, "recipient_name"),
        reference=_text(call.fields, "reference"),
        variables=tuple(call.fields.get("variables") or ()),
    )
    return backend.accept(call, Channel.EMAIL, _recipients([single]))


def _send_multi_email(backend: EfidemBackend, call: ValidCall) -> str:
    return backend.accept(call, Channel.EMAIL, _recipients(call.fields["recipients"]))


def _send_relay_email(backend: EfidemBackend, call: ValidCall) -> str:
    recipients = [Recipient(address=a.strip(), kind="to") for a in call.fields["to"]]
    recipients += [
        Recipient(address=a.strip(), kind="cc") for a in call.fields.get("cc") or () if a.strip()
    ]
    return backend.accept(
        call,
        Channel.RELAY,
        recipients,
        errors_to=_text(call.fields, "errors_to"),
        track_opens=bool(call.fields.get("track_opens")),
        track_clicks=bool(call.fields.get("track_clicks")),
    )


def _send_sms(backend: EfidemBackend, call: ValidCall) -> str:
    single = RecipientInput(address=_text(call.fields, "recipient"))
    return backend.accept(call, Channel.SMS, _recipients([single], phone=True))


def _send_multi_sms(backend: EfidemBackend, call: ValidCall) -> str:
    return backend.accept(call, Channel.SMS, _recipients(call.fields["recipients"], phone=True))


def _send_letter(backend: EfidemBackend, call: ValidCall) -> str:
    name: PostalName = call.fields["postal_name"]
    address: PostalAddress = call.fields["postal_address"]
    full_name = " ".join(p for p in (name.civility, name.first_name, name.last_name) if p)
    recipient = Recipient(
        address=_postal_line(address), name=full_name, reference=_text(call.fields, "reference")
    )
    return backend.accept(
        call,
        Channel.LETTER,
        [recipient],
        postal_name=name,
        postal_address=address,
        colour=bool(call.fields.get("colour")),
        envelope=_text(call.fields, "envelope").upper() or "C5",
        tracking=backend.inventor.letter_tracking(),
    )


def _postal_line(address: PostalAddress) -> str:
    parts = (
        address.line1,
        address.line2,
        address.line3,
        f"{address.postcode} {address.city}".strip(),
        address.country,
    )
    return ", ".join(p.strip() for p in parts if p and p.strip())


def _send_fax(backend: EfidemBackend, call: ValidCall) -> str:
    recipient = Recipient(
        address=normalise_number(_text(call.fields, "recipient")),
        name=_text(call.fields, "recipient_name"),
        reference=_text(call.fields, "reference"),
    )
    return backend.accept(
        call, Channel.FAX, [recipient], cover_page=_text(call.fields, "cover_page")
    )


def _first_recipient_code(backend: EfidemBackend, call: ValidCall) -> int:
    message = backend.message(call)
    return backend.polled(message, message.recipients[0]).current.code


def _multi_email_status(backend: EfidemBackend, call: ValidCall) -> int:
    message = backend.message(call)
    found = message.recipient_by_reference(_text(call.fields, "recipient_reference"))
    assert found is not None  # the error table ruled out unknown references
    return backend.polled(message, found).current.code


def _relay_status(backend: EfidemBackend, call: ValidCall) -> int:
    message = backend.message(call)
    found = message.recipient_by_address(_text(call.fields, "recipient"))
    assert found is not None  # the error table ruled out unknown recipients
    return backend.polled(message, found).current.code


def _full_status(backend: EfidemBackend, call: ValidCall) -> StatusReport:
    message = backend.message(call)
    return backend.status_report(message, backend.polled(message, message.recipients[0]))


def _report(backend: EfidemBackend, call: ValidCall) -> bytes:
    return backend.report(call.account, call.fields["start"], call.fields["end"])


def _count_billing_code(backend: EfidemBackend, call: ValidCall) -> int:
    return backend.count_billing_code(call.account, _text(call.fields, "billing_code"))


def _describe_esmtp(backend: EfidemBackend, call: ValidCall) -> str:
    return describe_esmtp_code(_text(call.fields, "esmtp_code")) or ""


def _normalise_number(backend: EfidemBackend, call: ValidCall) -> str:
    return normalise_number(_text(call.fields, "number"))


def _add_console_user(backend: EfidemBackend, call: ValidCall) -> int:
    backend.accounts.add_console_user(
        call.account, _text(call.fields, "user_name"), _text(call.fields, "user_password")
    )
    return 0


def _remove_console_user(backend: EfidemBackend, call: ValidCall) -> int:
    backend.accounts.remove_console_user(call.account, _text(call.fields, "user_name"))
    return 0


HANDLERS: Mapping[str, Handler] = {
    "send_email": _send_email,
    "send_multi_email": _send_multi_email,
    "email_status": _first_recipient_code,
    "multi_email_status": _multi_email_status,
    "send_relay_email": _send_relay_email,
    "relay_status": _relay_status,
    "send_sms": _send_sms,
    "send_multi_sms": _send_multi_sms,
    "sms_status": _first_recipient_code,
    "sms_full_status": _full_status,
    "send_letter": _send_letter,
    "letter_status": _full_status,
    "send_fax": _send_fax,
    "fax_status": _first_recipient_code,
    "report": _report,
    "count_billing_code": _count_billing_code,
    "verify_address": lambda backend, call: 0,
    "describe_esmtp": _describe_esmtp,
    "normalise_number": _normalise_number,
    "add_console_user": _add_console_user,
    "remove_console_user": _remove_console_user,
}
SENDS = frozenset(name for name in HANDLERS if name.startswith("send_"))
"""The operations that store a message and answer its id."""
