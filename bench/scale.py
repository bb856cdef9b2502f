"""The mock holding many messages: bench/compare.py's section C.

One mock per size (bench/filled_mock.py), each filled in-process, all running at once.
Memory is read right after each fill. Then, in rounds that alternate the order of the
sizes, each mock is measured over HTTP, side by side: STATUT_EMAIL at 1 connection
(it only reads), the first page of /_mock/messages and of /_mock/inbox, and last the
ENVOYER_EMAIL rate at 16 connections (which adds its calls to the store: a round
later the smallest store holds a few thousand messages more). Figures are medians
over the rounds.

A page request that takes longer than the timeout is reported as a timeout; the
server goes on building that answer, so the next figure waits until the server is
idle again (bounded). A page that timed out at one size is not asked again there or
at larger sizes.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from harness import (
    BENCH,
    ID_PATTERN,
    SEND_EMAIL,
    STATUS_PATTERN,
    Load,
    LoadResult,
    ServerProcess,
    check_answer,
    log,
    median,
    run_load,
    soap,
    wait_idle,
)

PAGE_LIMIT = 100
PAGES = {"messages": "/_mock/messages", "inbox": "/_mock/inbox"}
INBOX_ROW = 'href="/_mock/inbox/'


@dataclass(frozen=True)
class ScaleOptions:
    client: str
    seconds: float
    rounds: int
    page_timeout: float
    page_tries: int
    idle_wait: float


@dataclass
class Page:
    times: list[float] = field(default_factory=list)
    timed_out: str = ""
    """Why there is no figure: a timeout, an HTTP error, a skip."""
    note: str = ""
    refused: str = ""

    @property
    def seconds(self) -> float | None:
        return None if self.timed_out or not self.times else median(self.times)


@dataclass
class ScaleFigures:
    size: int
    fill_seconds: float = 0.0
    fill_path: str = ""
    bytes_per_message: float = 0.0
    stored_at_end: int = 0
    status: list[LoadResult] = field(default_factory=list)
    send: list[LoadResult] = field(default_factory=list)
    pages: dict[str, Page] = field(default_factory=lambda: {name: Page() for name in PAGES})
    notes: list[str] = field(default_factory=list)

    def median_of(self, runs: str, read: Callable[[LoadResult], float]) -> float | None:
        results: list[LoadResult] = getattr(self, runs)
        return median([read(r) for r in results]) if results else None


@dataclass
class FilledMock:
    server: ServerProcess
    figures: ScaleFigures
    status_body: str = ""

    @property
    def soap_url(self) -> str:
        return f"{self.server.url}/soap"


def fill_timeout(size: int) -> float:
    """A million messages fill in under two minutes on a quiet machine."""
    return 120 + size / 500


def measure_sizes(sizes: list[int], options: ScaleOptions) -> list[ScaleFigures]:
    with contextlib.ExitStack() as stack:
        mocks = [start_filled(stack, size) for size in sizes]
        for number in range(options.rounds):
            order = mocks if number % 2 == 0 else mocks[::-1]
            log(f"C. round {number + 1}")
            for mock in order:
                _status(mock, options)
            for name in PAGES:
                for mock in order:
                    _pages(mock, name, options, mocks)
            for mock in order:
                _send(mock, options)
        for mock in mocks:
            mock.figures.stored_at_end = _stored(mock)
        return [mock.figures for mock in mocks]


def start_filled(stack: contextlib.ExitStack, size: int) -> FilledMock:
    server = stack.enter_context(ServerProcess([sys.executable, str(BENCH / "filled_mock.py")]))
    mock = FilledMock(server, ScaleFigures(size))
    check_answer(mock.soap_url, SEND_EMAIL, ID_PATTERN)  # warm: one call stored
    _get(f"{server.url}/_mock/messages?limit={PAGE_LIMIT}", 30)
    middle = _fill(server, size - 1, mock.figures)
    mock.status_body = soap("STATUT_EMAIL", MESSAGEID=middle)
    check_answer(mock.soap_url, mock.status_body, STATUS_PATTERN)
    return mock


def _fill(server: ServerProcess, count: int, figures: ScaleFigures) -> str:
    """Fill the store; note the time and the memory per message; the middle one's id."""
    before = server.rss_bytes()
    server.send(f"fill {max(count, 1)}")
    answer = server.readline(fill_timeout(count)).split()
    if answer[:1] != ["filled"]:
        raise RuntimeError(f"fill failed: {answer}\n{server.errors()}")
    figures.fill_seconds, figures.fill_path = float(answer[2]), " ".join(answer[5:])
    stored = int(answer[4])
    figures.bytes_per_message = (server.rss_bytes() - before) / max(stored - 1, 1)
    if stored < count + 1:
        figures.notes.append(f"the store kept {stored:,} of {count + 1:,} messages")
    log(f"C. {figures.size:,}: filled in {figures.fill_seconds:.1f} s ({figures.fill_path})")
    return answer[3]


def _status(mock: FilledMock, options: ScaleOptions) -> None:
    load = Load(mock.soap_url, mock.status_body, STATUS_PATTERN)
    result = run_load(options.client, load, 1, options.seconds, mock.server.pid)
    mock.figures.status.append(result)


def _send(mock: FilledMock, options: ScaleOptions) -> None:
    load = Load(mock.soap_url, SEND_EMAIL, ID_PATTERN)
    result = run_load(options.client, load, 16, options.seconds, mock.server.pid)
    mock.figures.send.append(result)
    log(f"C. {mock.figures.size:,}: ENVOYER_EMAIL {result.rate:.0f}/s")


def _stored(mock: FilledMock) -> int:
    answer = requests.get(f"{mock.server.url}/_mock/health", timeout=30)
    return int(answer.json().get("messages", 0)) if answer.ok else 0


# --- pages --------------------------------------------------------------------------


def _pages(mock: FilledMock, name: str, options: ScaleOptions, mocks: list[FilledMock]) -> None:
    """``page_tries`` requests of the first page, ``?limit=100`` asked."""
    page = mock.figures.pages[name]
    smaller = [m for m in mocks if m.figures.size < mock.figures.size]
    given_up = [m.figures.size for m in smaller if m.figures.pages[name].timed_out]
    if page.timed_out or given_up:
        page.timed_out = page.timed_out or f"skipped: no answer at {min(given_up):,}"
        return
    url = f"{mock.server.url}{PAGES[name]}?limit={PAGE_LIMIT}"
    for _ in range(options.page_tries):
        fetched = _get(url, options.page_timeout)
        if fetched is None:
            page.timed_out = f"timeout after {options.page_timeout:g} s"
            _settle(mock, options)
            return
        status, seconds, body = fetched
        if 400 <= status < 500 and "?" in url:  # a server without pagination may refuse it
            url, page.refused = url.split("?", 1)[0], f"`limit` refused (HTTP {status}); "
            continue
        if status != 200:
            page.timed_out = f"HTTP {status}"
            return
        page.times.append(seconds)
        listed = _listed(name, body)
        shown = "limit honoured" if listed <= PAGE_LIMIT else "limit ignored"
        page.note = f"{page.refused}{shown}: {listed:,} listed, {len(body) / 1e6:,.1f} MB"


def _settle(mock: FilledMock, options: ScaleOptions) -> None:
    """After a timeout the server still builds the abandoned answer: wait for it."""
    started = time.perf_counter()
    idle = wait_idle(mock.server.pid, options.idle_wait)
    mock.figures.notes.append(
        f"waited {time.perf_counter() - started:.0f} s for the server to finish an"
        " abandoned page" + ("" if idle else " (still busy: later figures overlap it)")
    )


def _get(url: str, timeout: float) -> tuple[int, float, bytes] | None:
    """Status, seconds and body of a GET; None if the whole answer took over ``timeout``."""
    started = time.perf_counter()
    deadline = started + timeout
    chunks = []
    try:
        with requests.get(url, timeout=timeout, stream=True) as answer:
            for chunk in answer.iter_content(1 << 16):
                chunks.append(chunk)
                if time.perf_counter() > deadline:
                    return None
            return answer.status_code, time.perf_counter() - started, b"".join(chunks)
    except requests.Timeout:
        return None


def _listed(name: str, body: bytes) -> int:
    """How many messages a page lists."""
    if name == "inbox":
        return body.count(INBOX_ROW.encode())
    return len(re.findall(rb'"id": ?"[0-9a-f]{32}"', body))
