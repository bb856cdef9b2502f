"""Where the mock spends its time, per call: bench/compare.py --profile (section D).

The mock runs as users run it while wrk (or Python threads) sends ENVOYER_EMAIL, then
STATUT_SMS, at 1 and 16 connections, under two profilers (``--profiler auto``):

- py-spy, from outside, on `mock-efidem serve --port 0` (installed with pip if
  missing). Its default sampling counts every thread it finds running: on this
  machine that counts threads waiting to take the GIL back after lxml's parser or a
  socket send, so it is kept for the shape of the calls (and the speedscope files),
  not for shares of CPU. ``--gil`` (the GIL holder only) was worse here: it lost nine
  samples in ten at 1 connection and kept long holds, such as spyne's gc.collect(),
  best, making them look several times bigger than gc.callbacks measured them.
- cProfile inside the mock (bench/profiled_mock.py), timed by each thread's CPU time:
  the shares to read for where the CPU goes. It is also the fallback when py-spy
  cannot attach (ptrace refused).

Output in bench/profiles/: ``SUMMARY.md`` (committed: the top lines of each case and
profiler), and per case the speedscope profile (``*.speedscope.json``) and the pstats
file (``*.pstats``), both git-ignored.
"""

from __future__ import annotations

import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    BENCH,
    ID_PATTERN,
    SEND_EMAIL,
    SEND_SMS,
    STATUS_PATTERN,
    Load,
    LoadResult,
    ServerProcess,
    check_answer,
    log,
    mock_command,
    run_load,
    soap,
)

PROFILES = BENCH / "profiles"
TOP = 30
RATE = 100
"""Samples a second (py-spy's default): each sample pauses the mock, so more would
slow it down further."""
CONNECTIONS = (1, 16)
OPERATIONS = ("ENVOYER_EMAIL", "STATUT_SMS")


@dataclass(frozen=True)
class Case:
    operation: str
    connections: int
    load: Load

    @property
    def name(self) -> str:
        return f"{self.operation}-c{self.connections}"


@dataclass(frozen=True)
class Line:
    function: str
    where: str
    share: float


@dataclass(frozen=True)
class CaseProfile:
    case: Case
    load: LoadResult
    """The load while profiled, with the process's CPU time per call."""
    profiled_seconds: float
    """Seconds the profile covers: threads running (py-spy), their CPU in the app (cProfile)."""
    by_self: list[Line]
    by_total: list[Line]
    by_package: list[Line]
    output: Path

    def describe(self, profiler: str) -> str:
        load, covered = self.load, "sampled" if profiler == "py-spy" else "CPU in the app"
        cpu = (load.cpu_ms_per_call or 0.0) * load.calls / 1000
        return (
            f"{load.rate:,.0f} calls/s while profiled, {load.bad} wrong answers; process CPU"
            f" {cpu:.2f} s, {covered} {self.profiled_seconds:.2f} s; {self.output.name}."
        )


def cases(url: str, sms_id: str) -> list[Case]:
    """ENVOYER_EMAIL, then STATUT_SMS (of the SMS ``sms_id``), at each connection count."""
    status = soap("STATUT_SMS", MESSAGEID=sms_id)
    loads = {
        "ENVOYER_EMAIL": Load(url, SEND_EMAIL, ID_PATTERN),
        "STATUT_SMS": Load(url, status, STATUS_PATTERN),
    }
    return [Case(op, c, loads[op]) for op in OPERATIONS for c in CONNECTIONS]


# --- py-spy -------------------------------------------------------------------------


def py_spy() -> str | None:
    """The py-spy program, installed with pip if missing; None if it cannot be had."""
    found = shutil.which("py-spy") or _beside_python("py-spy")
    if found:
        return found
    log("py-spy missing: pip install py-spy")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "py-spy"], check=False, timeout=300
    )
    return shutil.which("py-spy") or _beside_python("py-spy")


def _beside_python(name: str) -> str | None:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else None


def can_attach(program: str, pid: int) -> bool:
    result = subprocess.run(
        [program, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        log(f"py-spy cannot attach: {result.stderr.strip()[:300]}")
    return result.returncode == 0


def record(
    program: str, server: ServerProcess, case: Case, client: str, seconds: float
) -> tuple[Path, LoadResult]:
    """Sample the mock while it serves ``case``; the profile and the load's figures."""
    output = PROFILES / f"{case.name}.speedscope.json"
    command = [program, "record", "--pid", str(server.pid), "--output", str(output)]
    command += ["--format", "speedscope", "--function", "--rate", str(RATE)]
    command += ["--duration", str(max(1, round(seconds)))]
    sampler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(0.3)  # attached
        result = run_load(client, case.load, case.connections, seconds, server.pid)
        log(f"  {case.name}: {result.rate:.0f} calls/s under py-spy, {result.bad} bad")
        _, errors = sampler.communicate(timeout=seconds + 60)
    finally:
        if sampler.poll() is None:
            sampler.kill()
            sampler.wait(timeout=10)
    if sampler.returncode != 0 or not output.exists():
        raise RuntimeError(f"py-spy record failed: {errors.decode(errors='replace')[-500:]}")
    return output, result


def speedscope_profile(case: Case, path: Path, load: LoadResult) -> CaseProfile:
    """Self and total shares per function, over every thread's samples."""
    document = json.loads(path.read_text())
    frames = document["shared"]["frames"]
    stacks = [
        (stack, weight)
        for profile in document["profiles"]
        for stack, weight in zip(profile["samples"], profile["weights"], strict=True)
    ]
    self_count: Counter[int] = Counter()
    total_count: Counter[int] = Counter()
    for stack, weight in stacks:
        if stack:
            self_count[stack[-1]] += weight
        for frame in set(stack):
            total_count[frame] += weight
    weights = sum(weight for _, weight in stacks)

    def lines(counts: Counter[int]) -> list[Line]:
        return [
            Line(frames[i]["name"], _where(frames[i]["file"], frames[i].get("line")), n / weights)
            for i, n in counts.most_common(TOP)
        ]

    every = ((_where(frames[i]["file"]), n / weights) for i, n in self_count.items())
    by_self, by_total, by_package = lines(self_count), lines(total_count), packages(every)
    return CaseProfile(case, load, len(stacks) / RATE, by_self, by_total, by_package, path)


def _where(file: str, line: Any = None) -> str:
    short = file
    for marker in ("site-packages/", "/lib/python3"):
        if marker in file:
            short = file.split(marker, 1)[1]
            break
    else:
        short = os.path.relpath(file, BENCH.parent) if file.startswith("/") else file
    return f"{short}:{line}" if line else short


def profile_with_py_spy(program: str, client: str, seconds: float) -> list[CaseProfile]:
    with ServerProcess(mock_command()) as server:
        if not can_attach(program, server.pid):
            raise PermissionError("py-spy cannot attach")
        soap_url = f"{server.url}/soap"
        sms_id = check_answer(soap_url, SEND_SMS, ID_PATTERN)
        run_load(client, Load(soap_url, SEND_EMAIL, ID_PATTERN), 16, 1.0)  # warm-up
        found = []
        for case in cases(soap_url, sms_id):
            path, load = record(program, server, case, client, seconds)
            found.append(speedscope_profile(case, path, load))
        return found


# --- cProfile -----------------------------------------------------------------------


def profile_with_cprofile(client: str, seconds: float) -> list[CaseProfile]:
    """One mock under cProfile per case, so that each case has its own statistics."""
    found = []
    for index, name in enumerate(f"{op}-c{c}" for op in OPERATIONS for c in CONNECTIONS):
        output = PROFILES / f"{name}.pstats"
        launcher = [sys.executable, str(BENCH / "profiled_mock.py"), str(output)]
        with ServerProcess(launcher) as server:
            soap_url = f"{server.url}/soap"
            case = cases(soap_url, check_answer(soap_url, SEND_SMS, ID_PATTERN))[index]
            result = run_load(client, case.load, case.connections, seconds, server.pid)
            log(f"  {case.name}: {result.rate:.0f} calls/s under cProfile, {result.bad} bad")
        found.append(pstats_profile(case, output, result))
    return found


def pstats_profile(case: Case, path: Path, load: LoadResult) -> CaseProfile:
    stats = pstats.Stats(str(path), stream=io.StringIO())
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(tottime for _, _, tottime, _, _ in entries.values()) or 1.0

    def lines(column: int) -> list[Line]:
        ranked = sorted(entries.items(), key=lambda item: item[1][column], reverse=True)
        return [
            Line(name, _where(file, line), values[column] / total)
            for (file, line, name), values in ranked[:TOP]
        ]

    every = ((_where(file), values[2] / total) for (file, _, _), values in entries.items())
    return CaseProfile(case, load, total, lines(2), lines(3), packages(every), path)


# --- the summary --------------------------------------------------------------------


def summary(profiles: Sequence[CaseProfile], profiler: str, command: str) -> str:
    how = f"--function, {RATE} samples/s" if profiler == "py-spy" else "threads' CPU time"
    parts = [
        f"# Where the mock spends its time: {profiler}",
        "",
        f"Made by `{command}` with {profiler} ({how}); see bench/profiling.py.",
        "A share is of the profiled time: *self* is time in the function's own code"
        " (tottime), *total* includes what it calls (cumulative). Native code (lxml,"
        " gc.collect) counts as self time of the Python function that called it"
        + (" in py-spy." if profiler == "py-spy" else "; cProfile names built-ins apart."),
        PROFILER_CAVEATS[profiler],
    ]
    for found in profiles:
        parts += ["", f"## {found.case.name}", "", found.describe(profiler), ""]
        parts += [*_table("self", found.by_package), ""]
        parts += [*_table("self", found.by_self), "", *_table("total", found.by_total)]
    return "\n".join(parts) + "\n"


PROFILER_CAVEATS = {
    "py-spy": "py-spy samples the wall clock, every thread it finds running. Here the"
    " sampled seconds are two to three times the process's CPU seconds, and the excess"
    " lands where native code releases the GIL: `parse_call` (lxml's parser) and"
    " `dispatcher.send` (a socket send). A thread waiting there to take the GIL back"
    " counts as running there. Read it for the shape of the calls (*total*), and"
    " cProfile's CPU-time shares for where the CPU goes.",
    "cProfile": "cProfile times each thread's own CPU (time.thread_time), so waiting for"
    " the GIL or a core counts nowhere; it sees the WSGI application only (not waitress's"
    " reading and writing), and its overhead weighs on small, often-called functions.",
}


def packages(self_shares: Iterable[tuple[str, float]]) -> list[Line]:
    """Self time per package: the first part of each function's place."""
    totals: dict[str, float] = {}
    for where, share in self_shares:
        package = _package(where)
        totals[package] = totals.get(package, 0.0) + share
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    return [Line(name, "", share) for name, share in ranked]


def _package(where: str) -> str:
    first = where.split("/", 1)[0]
    if where.startswith(("<frozen", ".")) or first.startswith(("python3", "3.")):
        return "Python's standard library"
    if where.startswith("<string>"):
        return "generated code (dataclasses)"
    if where.startswith("~"):
        return "built-in functions"
    return first


def _table(kind: str, lines: Iterable[Line]) -> list[str]:
    rows = [f"| {kind} | function | where |", "|---:|---|---|"]
    return rows + [f"| {x.share:.1%} | `{x.function}` | {x.where} |" for x in lines]


def run_profiles(client: str, seconds: float, profiler: str, command: str) -> list[str]:
    """Profile the four cases with py-spy, cProfile or both (``auto``); write SUMMARY.md;
    return notes for the table: the top self times at 16 connections."""
    PROFILES.mkdir(exist_ok=True)
    runs: dict[str, list[CaseProfile]] = {}
    program = py_spy() if profiler in ("auto", "py-spy") else None
    if program is not None:
        try:
            runs["py-spy"] = profile_with_py_spy(program, client, seconds)
        except PermissionError:
            if profiler == "py-spy":
                raise
    if profiler == "cprofile" or (profiler == "auto"):
        runs["cProfile"] = profile_with_cprofile(client, seconds)
    text = "\n".join(summary(profiles, name, command) for name, profiles in runs.items())
    (PROFILES / "SUMMARY.md").write_text(text)
    notes = [f"D: profiles by {' and '.join(runs)} in bench/profiles/ (SUMMARY.md)."]
    name = "cProfile" if "cProfile" in runs else "py-spy"
    notes += [
        f"D, top self time of {p.case.name} ({name}): "
        + "; ".join(f"{x.function} ({x.where}) {x.share:.0%}" for x in p.by_self[:10])
        for p in runs.get(name, [])
        if p.case.connections == 16
    ]
    return notes
