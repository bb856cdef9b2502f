"""What the mock costs, side by side with a reference, in one Markdown table.

    .venv/bin/python bench/compare.py [--quick] [--sections abc] [--profile]
        [--rounds N] [--seconds S] [--startup-runs N] [--sizes 1000,100000,1000000]
        [--page-timeout S] [--client wrk|python] [--profiler auto|py-spy|cprofile]
        [--output FILE]

On a shared machine absolute figures swing up to tenfold from one minute to the next,
so every figure stands beside a reference measured in the same run, and the table
gives their ratio:

A. per call: the mock as users run it (`mock-efidem serve --port 0`) against a bare
   spyne app with ENVOYER_EMAIL's signature on the same waitress (bench/bare_spyne.py),
   each in its own process, the same ENVOYER_EMAIL call at 1 then 16 connections, in
   alternating rounds; calls/s, p50, p99, and the server's CPU time per call (from
   /proc/PID/stat). Medians of the rounds.
B. start-up: from launching the process to the first correct ENVOYER_EMAIL answer.
C. scale: the mock holding 1,000, 100,000 and 1,000,000 messages (bench/scale.py),
   against the same mock holding the first size.
D. with --profile: py-spy and cProfile profiles of ENVOYER_EMAIL and STATUT_SMS at
   1 and 16 connections, in bench/profiles/ (bench/profiling.py).

--quick runs shorter rounds, fewer starts and sizes 1,000 and 20,000: A to C in about
a minute, two with --profile; the full run, --profile included, takes about seven.
The table goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from harness import (
    BENCH,
    ID_PATTERN,
    SEND_EMAIL,
    Load,
    LoadResult,
    ServerProcess,
    client_name,
    command_line,
    load_client,
    log,
    median,
    mock_command,
    post,
    run_load,
)
from profiling import run_profiles
from scale import ScaleFigures, ScaleOptions, measure_sizes

MODES: dict[str, dict[str, Any]] = {
    "full": {
        "rounds": 5,
        "seconds": 5.0,
        "startup_runs": 10,
        "sizes": "1000,100000,1000000",
        "scale_rounds": 3,
        "page_timeout": 20.0,
        "page_tries": 3,
        "idle_wait": 300.0,
        "profile_seconds": 15.0,
    },
    "quick": {
        "rounds": 3,
        "seconds": 2.0,
        "startup_runs": 5,
        "sizes": "1000,20000",
        "scale_rounds": 2,
        "page_timeout": 5.0,
        "page_tries": 3,
        "idle_wait": 30.0,
        "profile_seconds": 3.0,
    },
}
CONNECTIONS = (1, 16)
BARE = "bare spyne"
MOCK = "mock"
Row = tuple[str, str, str, str]
PerCall = dict[tuple[str, int], list[LoadResult]]


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)

    def section(self, title: str) -> None:
        self.rows.append((f"**{title}**", "", "", ""))

    def figure(self, what: str, mock: float | None, reference: float | None) -> None:
        self.rows.append((what, _number(mock), _number(reference), _ratio(mock, reference)))


def _number(value: float | None) -> str:
    if value is None:
        return "timeout"
    if value != value:  # NaN: nothing measured
        return "n/a"
    for floor, shown in ((100, ",.0f"), (10, ".1f"), (1, ".2f")):
        if abs(value) >= floor:
            return format(value, shown)
    return f"{value:.3f}"


def _ratio(mock: float | None, reference: float | None) -> str:
    if mock is None or reference is None or not reference or mock != mock:
        return "n/a"
    return f"{mock / reference:.2f}"


# --- A. per call --------------------------------------------------------------------


def bare_command() -> list[str]:
    return [sys.executable, str(BENCH / "bare_spyne.py"), "--port", "0"]


def measure_per_call(client: str, rounds: int, seconds: float) -> PerCall:
    """Rounds of bare, mock (then mock, bare) at each connection count."""
    results: dict[tuple[str, int], list[LoadResult]] = defaultdict(list)
    with ServerProcess(bare_command()) as bare, ServerProcess(mock_command()) as mock:
        loads = {
            BARE: (bare, Load(f"{bare.url}/", SEND_EMAIL, ID_PATTERN)),
            MOCK: (mock, Load(f"{mock.url}/soap", SEND_EMAIL, ID_PATTERN)),
        }
        for _, load in loads.values():
            _check(load)
            run_load(client, load, 16, min(seconds, 1.0))  # warm-up
        for number in range(rounds):
            order = (BARE, MOCK) if number % 2 == 0 else (MOCK, BARE)
            for connections in CONNECTIONS:
                for name in order:
                    server, load = loads[name]
                    result = run_load(client, load, connections, seconds, server.pid)
                    results[name, connections].append(result)
                    log(f"A. round {number + 1} {name} c{connections}: {result.rate:.0f}/s")
    return results


def _check(load: Load) -> None:
    assert load.body is not None and load.pattern is not None
    answer = post(load.url, load.body)
    if re.search(load.pattern, answer) is None:
        raise RuntimeError(f"{load.url} answers ENVOYER_EMAIL with {answer[:300]}")


def per_call_rows(report: Report, results: PerCall) -> None:
    report.section("A. per ENVOYER_EMAIL call: the mock vs a bare spyne app, same waitress")
    measures: list[tuple[str, Callable[[LoadResult], float]]] = [
        ("calls/s", lambda r: r.rate),
        ("p50 latency, ms", lambda r: r.p50_ms),
        ("p99 latency, ms", lambda r: r.p99_ms),
        ("server CPU per call, ms", lambda r: r.cpu_ms_per_call or float("nan")),
    ]
    for connections in CONNECTIONS:
        for label, read in measures:
            mock, bare = (
                median([read(r) for r in results[name, connections]]) for name in (MOCK, BARE)
            )
            plural = "s" if connections > 1 else ""
            report.figure(f"{connections} connection{plural}: {label}", mock, bare)
    runs = {name: [r for c in CONNECTIONS for r in results[name, c]] for name in (MOCK, BARE)}
    report.notes.append(
        "A: wrong answers (non-2xx, socket errors, no 32-hex id): "
        + ", ".join(
            f"{name} {sum(r.bad for r in rs):,} of {sum(r.calls for r in rs):,} calls"
            for name, rs in runs.items()
        )
        + "."
    )


# --- B. start-up --------------------------------------------------------------------


def time_to_first_answer(command: Sequence[str], path: str, timeout: float = 60.0) -> float:
    """Seconds from launching a server to its first correct ENVOYER_EMAIL answer."""
    with ServerProcess(command, start_timeout=timeout) as server:
        url, deadline = f"{server.url}{path}", time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if re.search(ID_PATTERN, post(url, SEND_EMAIL, timeout=5)):
                    return time.perf_counter() - server.started_at
            except requests.RequestException:
                pass
        raise RuntimeError(f"{command}: no correct answer within {timeout:g} s")


def startup_rows(report: Report, runs: int) -> None:
    times: dict[str, list[float]] = {BARE: [], MOCK: []}
    commands = {BARE: (bare_command(), "/"), MOCK: (mock_command(), "/soap")}
    for number in range(runs):
        order = (BARE, MOCK) if number % 2 == 0 else (MOCK, BARE)
        for name in order:
            times[name].append(time_to_first_answer(*commands[name]))
    log(f"B. start-up: {', '.join(f'{n} {median(t) * 1000:.0f} ms' for n, t in times.items())}")
    report.section("B. start-up: launch to first correct ENVOYER_EMAIL answer, vs bare spyne")
    report.figure(
        f"`mock-efidem serve --port 0`, ms (median of {runs})",
        median(times[MOCK]) * 1000,
        median(times[BARE]) * 1000,
    )


# --- C. scale -----------------------------------------------------------------------


def scale_rows(report: Report, figures: list[ScaleFigures]) -> None:
    base = figures[0]
    report.section(f"C. scale: the mock holding N messages vs holding {base.size:,}")
    for figure in figures[1:] or figures:
        for label, read in SCALE_MEASURES:
            report.figure(f"{figure.size:,} stored: {label}", read(figure), read(base))
    scale_notes(report, figures)


SCALE_MEASURES: list[tuple[str, Callable[[ScaleFigures], float | None]]] = [
    ("ENVOYER_EMAIL at 16 connections, calls/s", lambda f: f.median_of("send", _rate)),
    ("ENVOYER_EMAIL at 16 connections, p99 ms", lambda f: f.median_of("send", _p99)),
    ("STATUT_EMAIL at 1 connection, p50 ms", lambda f: f.median_of("status", _p50)),
    ("STATUT_EMAIL at 1 connection, p99 ms", lambda f: f.median_of("status", _p99)),
    ("`GET /_mock/messages?limit=100`, ms", lambda f: _page_ms(f, "messages")),
    ("`GET /_mock/inbox?limit=100`, ms", lambda f: _page_ms(f, "inbox")),
    ("memory per stored message, bytes", lambda f: f.bytes_per_message),
]


def _rate(result: LoadResult) -> float:
    return result.rate


def _p50(result: LoadResult) -> float:
    return result.p50_ms


def _p99(result: LoadResult) -> float:
    return result.p99_ms


def _page_ms(figures: ScaleFigures, name: str) -> float | None:
    seconds = figures.pages[name].seconds
    return None if seconds is None else seconds * 1000


def scale_notes(report: Report, figures: list[ScaleFigures]) -> None:
    report.notes.append(
        "C: `/_mock/messages` and `/_mock/inbox` may not be paginated (without `limit`"
        " they would list every message); `?limit=100` is always sent, and what came back"
        " is noted here. A page slower than the timeout reads `timeout`."
    )
    for figure in figures:
        rate = figure.size / figure.fill_seconds if figure.fill_seconds else 0.0
        pages = "; ".join(
            f"{name}: {page.timed_out or page.note}" for name, page in figure.pages.items()
        )
        bad = sum(r.bad for r in (*figure.send, *figure.status))
        report.notes.append(
            f"C at {figure.size:,}: filled in {figure.fill_seconds:.2f} s ({rate:,.0f}/s,"
            f" {figure.fill_path}); {pages}; {figure.stored_at_end:,} stored at the end;"
            f" wrong answers: {bad}" + "".join(f"; {note}" for note in figure.notes) + "."
        )


# --- the table ----------------------------------------------------------------------


def caption(arguments: argparse.Namespace, client: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ran = arguments.sections.lower()
    seconds = f"{arguments.seconds:g} s"
    parts = [
        f"A: medians of {arguments.rounds} alternating rounds of {seconds}" if "a" in ran else "",
        f"B: medians of {arguments.startup_runs} starts each" if "b" in ran else "",
        f"C: medians of {arguments.scale_rounds} alternating rounds of {seconds}, all sizes"
        " running at once"
        if "c" in ran
        else "",
    ]
    details = "; ".join(part for part in parts if part)
    return (
        f"Table: `{command_line()}` ({when}, {os.cpu_count()} cores, client"
        f" {client_name(client)}{'; ' + details if details else ''}). Ratio: mock ÷ reference."
    )


def render(arguments: argparse.Namespace, client: str, report: Report) -> str:
    lines = [caption(arguments, client), ""]
    if report.rows:
        lines += ["| what | mock | reference | ratio |", "|---|---:|---:|---:|"]
        lines += [f"| {' | '.join(row)} |" for row in report.rows]
    total = sum(report.durations.values())
    spent = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report.durations.items())
    notes = [*report.notes, f"The run took {total:.0f} s ({spent})."]
    return "\n".join([*lines, "", *(f"- {note}" for note in notes)]) + "\n"


# --- main ---------------------------------------------------------------------------


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="short runs, sizes 1000,20000")
    parser.add_argument("--sections", default="abc", help="any of a, b, c, d (d: profile)")
    parser.add_argument("--profile", action="store_true", help="add section d: profiles")
    parser.add_argument("--profiler", choices=("auto", "py-spy", "cprofile"), default="auto")
    parser.add_argument("--client", choices=("wrk", "python"), default=None)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=float, help="length of each load run")
    parser.add_argument("--startup-runs", type=int)
    parser.add_argument("--sizes", help="stored messages, comma-separated")
    parser.add_argument("--scale-rounds", type=int, help="rounds over the sizes")
    parser.add_argument("--page-timeout", type=float, help="seconds before a page is 'timeout'")
    parser.add_argument("--page-tries", type=int)
    parser.add_argument("--idle-wait", type=float, help="most seconds to wait for an idle server")
    parser.add_argument("--profile-seconds", type=float)
    parser.add_argument("--output", help="also write the table to this file")
    arguments = parser.parse_args(argv)
    for name, value in MODES["quick" if arguments.quick else "full"].items():
        if getattr(arguments, name) is None:
            setattr(arguments, name, value)
    if arguments.profile:
        arguments.sections += "d"
    return arguments


def section_a(report: Report, arguments: argparse.Namespace, client: str) -> None:
    per_call_rows(report, measure_per_call(client, arguments.rounds, arguments.seconds))


def section_b(report: Report, arguments: argparse.Namespace, client: str) -> None:
    startup_rows(report, arguments.startup_runs)


def section_c(report: Report, arguments: argparse.Namespace, client: str) -> None:
    options = ScaleOptions(
        client,
        arguments.seconds,
        arguments.scale_rounds,
        arguments.page_timeout,
        arguments.page_tries,
        arguments.idle_wait,
    )
    sizes = [int(size) for size in arguments.sizes.split(",")]
    scale_rows(report, measure_sizes(sizes, options))


def section_d(report: Report, arguments: argparse.Namespace, client: str) -> None:
    seconds, profiler = arguments.profile_seconds, arguments.profiler
    report.notes.extend(run_profiles(client, seconds, profiler, command_line()))


SECTIONS = {"a": section_a, "b": section_b, "c": section_c, "d": section_d}


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    client = load_client(arguments.client)
    report = Report()
    for letter, run in SECTIONS.items():
        if letter in arguments.sections.lower():
            started = time.perf_counter()
            try:
                run(report, arguments, client)
            except Exception as error:  # the other sections' figures still count
                log(f"section {letter.upper()} failed: {error!r}")
                report.notes.append(f"Section {letter.upper()} failed: {error}")
            report.durations[letter.upper()] = time.perf_counter() - started
    table = render(arguments, client, report)
    sys.stdout.write(table)
    if arguments.output:
        with open(arguments.output, "w", encoding="utf-8") as file:
            file.write(table)


if __name__ == "__main__":
    main()
