"""Many threads sending at once, while others poll statuses, read /_mock/ and advance
the clock: every send gets its own id, and every history stays a legal walk.

Raw SOAP envelopes and one requests.Session per thread keep the 8,000 sends fast.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any, Protocol
from xml.sax.saxutils import escape

import requests

from mock_efidem.domain.models import Channel
from mock_efidem.domain.statuses import TRANSITIONS, initial_status

SENDERS = 16
SENDS_PER_SENDER = 500
MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
RESULT = re.compile(r"Result>([^<]*)</")
CREDENTIALS = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}
ENVELOPE = (
    '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">'
    '<soap-env:Body><ns0:{operation} xmlns:ns0="{namespace}">{fields}</ns0:{operation}>'
    "</soap-env:Body></soap-env:Envelope>"
)
LONG_AFTER = 86_400
"""Seconds after which every plan of this test has run out."""


@dataclass(frozen=True)
class Send:
    """One kind of send of the mix, and the statuses its recipient must go through."""

    operation: str
    status_operation: str
    channel: Channel
    path: tuple[str, ...]
    fields: Callable[[int, int], dict[str, str]]
    """(sender, n) -> the envelope's fields beyond the credentials."""


def email_to(local_part: str) -> Callable[[int, int], dict[str, str]]:
    def fields(sender: int, n: int) -> dict[str, str]:
        return {
            "DESTINATION": f"{local_part}.{sender}.{n}@example.fr",
            "SUJET": f"Message {n} of sender {sender}",
            "TEXTE": "Bonjour & bienvenue <3",
            "EMETTEUR": "load@example.com",
        }

    return fields


def sms_ending(digits: str) -> Callable[[int, int], dict[str, str]]:
    def fields(sender: int, n: int) -> dict[str, str]:
        return {"DESTINATION": f"06{sender:02d}{n % 100:02d}{digits}", "TEXTE": f"Code {n}"}

    return fields


MIX = (
    Send("ENVOYER_EMAIL", "STATUT_EMAIL", Channel.EMAIL, ("sent", "delivered"), email_to("jean")),
    Send(
        "ENVOYER_EMAIL", "STATUT_EMAIL", Channel.EMAIL, ("sent", "hard_bounce"), email_to("bounce")
    ),
    Send(
        "ENVOYER_EMAIL",
        "STATUT_EMAIL",
        Channel.EMAIL,
        ("sent", "delivered", "opened", "clicked"),
        email_to("click"),
    ),
    Send(
        "ENVOYER_SMS",
        "STATUT_SMS",
        Channel.SMS,
        ("sent_to_operator", "delivered"),
        sms_ending("1234"),
    ),
    Send(
        "ENVOYER_SMS",
        "STATUT_SMS",
        Channel.SMS,
        ("sent_to_operator", "not_delivered"),
        sms_ending("0000"),
    ),
)


class Namespaced(Protocol):
    @property
    def namespace(self) -> str: ...


class Reachable(Protocol):
    """What these helpers read of a mock: a MockServer, or a served process's address
    (tests/shared)."""

    @property
    def base_url(self) -> str: ...
    @property
    def soap_url(self) -> str: ...
    @property
    def settings(self) -> Namespaced: ...


class SoapCaller:
    """Raw SOAP calls over one session (one per thread)."""

    def __init__(self, server: Reachable) -> None:
        self.url = server.soap_url
        self.namespace = server.settings.namespace
        self.http = requests.Session()

    def call(self, operation: str, fields: dict[str, str]) -> str:
        elements = "".join(
            f"<ns0:{name}>{escape(value)}</ns0:{name}>"
            for name, value in {**CREDENTIALS, **fields}.items()
        )
        body = ENVELOPE.format(operation=operation, namespace=self.namespace, fields=elements)
        response = self.http.post(
            self.url,
            data=body.encode("utf-8"),
            headers={"Content-Type": "text/xml; charset=utf-8"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        found = RESULT.search(response.text)
        assert found is not None, response.text
        return found.group(1)


def every_page(url: str, **filters: str) -> Iterator[dict[str, Any]]:
    """Each page of a /_mock/messages listing, 1,000 messages a page, following ``next``."""
    before: int | None = None
    while True:
        cursor = {"before": before} if before is not None else {}
        page = requests.get(url, params={**filters, "limit": 1000, **cursor}, timeout=60).json()
        yield page
        before = page["next"]
        if before is None:
            return


def coherence_problems(message: dict[str, Any]) -> list[str]:
    """What is wrong with a message's histories, if anything: each must start with the
    channel's initial status, move by legal transitions and never go back in time."""
    channel = Channel(message["channel"])
    first = initial_status(channel).name
    problems = []
    for recipient in message["recipients"]:
        history = recipient["history"]
        names = [event["status"] for event in history]
        if names[:1] != [first]:
            problems.append(f"{message['id']}: starts with {names[:1]}, not {first}")
        problems += [
            f"{message['id']}: {before} -> {after} is no transition"
            for before, after in pairwise(names)
            if after not in TRANSITIONS[channel].get(before, ())
        ]
        moments = [datetime.fromisoformat(event["at"]) for event in history]
        if moments != sorted(moments):
            problems.append(f"{message['id']}: history out of order {moments}")
        if recipient["status"] != names[-1]:
            problems.append(f"{message['id']}: status {recipient['status']} is not the last")
    return problems


def test_concurrent_sends_polls_and_advances_keep_ids_unique_and_histories_legal(
    server: Reachable,
) -> None:
    mock = f"{server.base_url}/_mock"
    sent: list[tuple[str, Send]] = []  # appended by every sender; list.append is atomic
    done = threading.Event()

    def send_all(sender: int) -> list[tuple[str, Send]]:
        soap = SoapCaller(server)
        mine = []
        for n in range(SENDS_PER_SENDER):
            kind = MIX[(sender + n) % len(MIX)]
            answer = soap.call(kind.operation, kind.fields(sender, n))
            assert MESSAGE_ID.fullmatch(answer), f"{kind.operation} answered {answer!r}"
            mine.append((answer, kind))
            sent.append((answer, kind))
        return mine

    def poll_statuses() -> int:
        soap, polls, chooser = SoapCaller(server), 0, random.Random(1)
        while not done.is_set():
            if sent:
                message_id, kind = sent[chooser.randrange(len(sent))]
                code = int(soap.call(kind.status_operation, {"MESSAGEID": message_id}))
                assert code > 0, f"{kind.status_operation} {message_id} answered {code}"
                polls += 1
            time.sleep(0.02)
        return polls

    def read_and_advance() -> int:
        http, reads, chooser = requests.Session(), 0, random.Random(2)
        while not done.is_set():
            response = http.post(f"{mock}/clock/advance", json={"seconds": 0.5}, timeout=30)
            assert response.status_code == 200, response.text
            if sent:
                message_id, _ = sent[chooser.randrange(len(sent))]
                message = http.get(f"{mock}/messages/{message_id}", timeout=30).json()
                assert coherence_problems(message) == []
                reads += 1
            time.sleep(0.05)
        return reads

    with ThreadPoolExecutor(max_workers=SENDERS + 3) as pool:
        background: list[Future[int]] = [
            pool.submit(poll_statuses),
            pool.submit(poll_statuses),
            pool.submit(read_and_advance),
        ]
        senders = [pool.submit(send_all, sender) for sender in range(SENDERS)]
        try:
            returned = [pair for future in senders for pair in future.result()]
        finally:
            done.set()
        polls = [future.result() for future in background]

    assert min(polls) > 0, "the pollers never ran alongside the senders"
    expected = dict(returned)
    assert len(returned) == len(expected) == SENDERS * SENDS_PER_SENDER

    response = requests.post(f"{mock}/clock/advance", json={"seconds": LONG_AFTER}, timeout=30)
    assert response.status_code == 200, response.text
    pages = list(every_page(f"{mock}/messages"))
    stored = {message["id"]: message for page in pages for message in page["messages"]}

    assert {page["total"] for page in pages} == {SENDERS * SENDS_PER_SENDER}
    assert len(pages) == SENDERS * SENDS_PER_SENDER // 1000
    assert len(stored) == SENDERS * SENDS_PER_SENDER
    assert all(MESSAGE_ID.fullmatch(message_id) for message_id in stored)
    assert stored.keys() == expected.keys()
    assert [p for message in stored.values() for p in coherence_problems(message)] == []
    walked = {
        message_id: (
            message["channel"],
            [event["status"] for event in message["recipients"][0]["history"]],
        )
        for message_id, message in stored.items()
    }
    assert walked == {
        message_id: (kind.channel.value, [initial_status(kind.channel).name, *kind.path])
        for message_id, kind in expected.items()
    }
