"""ENVOYER_EMAIL on the memory store against Redis with 1, 2 and 4 workers, in one run.

    .venv/bin/python bench/stores.py [--rounds 4] [--seconds 6] [--warm-up 2]
        [--connections 16] [--workers 1,2,4] [--client wrk|python]
        [--no-profile] [--profile-seconds 8] [--output FILE]

Each configuration is a real `python -m mock_efidem serve --port 0 --log-level WARNING`
process (with its workers, for --workers N):

1. memory x1: the memory store, one process: the reference;
2. redis x1: `--store redis://...`, one process;
3. redis x2, redis x4: the same with `--workers 2`, `--workers 4`.

One redis-server serves the whole run: Debian's, started here on a free loopback port
in a temporary directory, without persistence (`--save "" --appendonly no`: the
benchmark's choice, not the compose example's append-only Redis), emptied after each
measurement. Each measurement starts a fresh server process with a fresh
`--store-prefix`, checks one answer, warms it up, then loads it with ENVOYER_EMAIL
from wrk (a Lua script posting the envelope, bench/harness.py; Python threads if wrk
is missing), 16 kept-alive connections. This machine's absolute figures swing up to
tenfold, so the rounds rotate the configurations' order, and the table gives each
configuration's medians and their ratios to memory x1's.

CPU per call comes from /proc: the serving processes (parent and workers),
redis-server, and the share of both cores busy (wrk and the rest of the machine are
the difference). The machine has 2 cores: wrk, Redis and every worker share them.

Unless --no-profile, one Redis worker (`serve --store redis://...`, one process) then
runs under cProfile twice with the same load: timed by its threads' CPU time (where
the CPU goes), then by the wall clock (where a call's time goes, the waits for Redis's
answers included). bench/profiles/STORES.md (committed) summarises both; the raw
statistics are bench/profiles/stores-redis-c16-*.pstats (git-ignored).

The table goes to stdout, progress to stderr. About 4 minutes with the defaults.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
from harness import (
    BENCH,
    ID_PATTERN,
    SEND_EMAIL,
    Load,
    LoadResult,
    ServerProcess,
    check_answer,
    client_name,
    command_line,
    cpu_seconds,
    load_client,
    log,
    median,
    run_load,
)

PROFILES = BENCH / "profiles"
PROFILED_SERVE = "--profiled-serve"
"""First argument of this script run as a profiled server (the profile's child)."""
TARGET = 1.3
"""Issue #14: Redis with 2 workers answers at least 1.3x memory x1's calls/s."""
TARGET_WORKERS = 2
START_SECONDS = 120.0
"""Four workers starting on two busy cores: generous."""
TOP = 25
SERVE = [sys.executable, "-m", "mock_efidem", "serve", "--port", "0", "--log-level", "WARNING"]


# --- configurations -----------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    store: str
    """``memory`` or ``redis``."""
    workers: int

    @property
    def name(self) -> str:
        return f"{self.store} x{self.workers}"

    def arguments(self, redis_url: str, prefix: str) -> list[str]:
        """serve's options beyond SERVE."""
        if self.store == "memory":
            return []
        shared = ["--store", redis_url, "--store-prefix", prefix]
        return shared + (["--workers", str(self.workers)] if self.workers > 1 else [])


REFERENCE = Config("memory", 1)


def configurations(workers: Sequence[int]) -> list[Config]:
    return [REFERENCE, *(Config("redis", count) for count in workers)]


def rotated(configs: Sequence[Config], number: int) -> list[Config]:
    """Round ``number``'s order: each configuration takes each place in turn."""
    start = number % len(configs)
    return [*configs[start:], *configs[:start]]


# --- redis-server -------------------------------------------------------------------


class RedisServer:
    """Debian's redis-server on a free loopback port, in a temporary directory, without
    persistence: ``with RedisServer() as server: server.url``."""

    def __init__(self) -> None:
        found = shutil.which("redis-server")
        if found is None:
            raise SystemExit("bench/stores.py needs Debian's redis-server (apt-get install)")
        self.binary = found
        self.directory = tempfile.TemporaryDirectory(prefix="mock-efidem-bench-redis-")
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def options(self) -> list[str]:
        return [
            *("--port", str(self.port), "--bind", "127.0.0.1"),
            *("--dir", self.directory.name, "--save", "", "--appendonly", "no"),
            *("--daemonize", "no", "--loglevel", "warning"),
        ]

    def __enter__(self) -> RedisServer:
        self.process = subprocess.Popen(
            [self.binary, *self.options()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                self.client.ping()
                self.version = str(self.client.info("server")["redis_version"])
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.directory.cleanup()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def commands(self) -> int:
        """Commands processed so far (those Lua scripts call included)."""
        return int(self.client.info("stats")["total_commands_processed"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- what a load costs --------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (the parent of --workers and its workers)."""
    found, index = [pid], 0
    while index < len(found):
        for children in Path(f"/proc/{found[index]}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # gone meanwhile
                found += [int(child) for child in children.read_text().split()]
        index += 1
    return found


def tree_cpu(pid: int) -> dict[int, float]:
    spent = {}
    for each in process_tree(pid):
        with contextlib.suppress(OSError):  # gone meanwhile
            spent[each] = cpu_seconds(each)
    return spent


def core_jiffies() -> tuple[int, int]:
    """Busy and total jiffies of every core (/proc/stat's cpu line)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


@dataclass(frozen=True)
class Usage:
    serving: dict[int, float]
    redis_cpu: float
    commands: int
    cores: tuple[int, int]


def usage(server_pid: int, store: RedisServer) -> Usage:
    cpu = tree_cpu(server_pid)
    return Usage(cpu, cpu_seconds(store.pid), store.commands(), core_jiffies())


@dataclass(frozen=True)
class Sample:
    """One measurement of one configuration: the load and what it cost."""

    config: Config
    load: LoadResult
    serving_cpu: dict[int, float]
    """CPU seconds each serving process spent during the load."""
    redis_cpu: float
    commands: int
    busy: float
    """Share of both cores busy during the load."""
    machine_cpu: float
    """CPU seconds every core spent during the load, whoever spent them."""

    @property
    def others_cpu(self) -> float:
        """wrk's and the rest of the machine's: neither serving nor Redis."""
        return self.machine_cpu - sum(self.serving_cpu.values()) - self.redis_cpu

    def per_call_ms(self, seconds: float) -> float:
        return seconds * 1000 / self.load.calls if self.load.calls else float("nan")


def sample(config: Config, load: LoadResult, before: Usage, after: Usage) -> Sample:
    serving = {pid: after.serving[pid] - before.serving.get(pid, 0.0) for pid in after.serving}
    busy, total = (a - b for a, b in zip(after.cores, before.cores, strict=True))
    return Sample(
        config,
        load,
        serving,
        after.redis_cpu - before.redis_cpu,
        after.commands - before.commands,
        busy / total if total else float("nan"),
        busy / os.sysconf("SC_CLK_TCK"),
    )


# --- measuring ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    client: str
    connections: int
    seconds: float
    warm_up: float


def prefix_for(config: Config, number: int) -> str:
    return f"bench-{os.getpid()}-{config.store}{config.workers}-r{number}"


def measure(config: Config, number: int, store: RedisServer, options: Options) -> Sample:
    """A fresh server of ``config`` (fresh prefix), checked, warmed up, then loaded."""
    command = [*SERVE, *config.arguments(store.url, prefix_for(config, number))]
    with ServerProcess(command, start_timeout=START_SECONDS) as server:
        load = Load(f"{server.url}/soap", SEND_EMAIL, ID_PATTERN)
        check_answer(load.url, SEND_EMAIL, ID_PATTERN)
        run_load(options.client, load, options.connections, options.warm_up)
        before = usage(server.pid, store)
        result = run_load(options.client, load, options.connections, options.seconds)
        found = sample(config, result, before, usage(server.pid, store))
    store.client.flushall()  # each measurement starts on an empty Redis
    log(
        f"round {number + 1} {config.name}: {result.rate:,.0f} calls/s, p99 "
        f"{result.p99_ms:.1f} ms, {result.bad} bad, cores {found.busy:.0%} busy"
    )
    return found


def measure_rounds(
    configs: Sequence[Config], rounds: int, store: RedisServer, options: Options
) -> list[Sample]:
    return [
        measure(config, number, store, options)
        for number in range(rounds)
        for config in rotated(configs, number)
    ]


# --- the table ----------------------------------------------------------------------


def of(samples: Iterable[Sample], config: Config) -> list[Sample]:
    return [s for s in samples if s.config == config]


def number(value: float) -> str:
    if value != value:  # NaN
        return "n/a"
    for floor, shown in ((100, ",.0f"), (10, ".1f"), (1, ".2f")):
        if abs(value) >= floor:
            return format(value, shown)
    return f"{value:.3f}"


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}" if reference and value == value else "n/a"


def rate(s: Sample) -> float:
    return s.load.rate


def p99(s: Sample) -> float:
    return s.load.p99_ms


HEADER = (
    "| configuration | calls/s | ÷ memory x1 | p99 ms | ÷ memory x1 | calls/s by round"
    " | serving CPU ms/call | Redis CPU ms/call | wrk & rest CPU ms/call"
    " | Redis commands/call | cores busy |"
)
ALIGN = "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"


def row(samples: Sequence[Sample], config: Config) -> str:
    mine, reference = of(samples, config), of(samples, REFERENCE)
    calls, base_calls = median([rate(s) for s in mine]), median([rate(s) for s in reference])
    tail, base_tail = median([p99(s) for s in mine]), median([p99(s) for s in reference])
    cells = [
        config.name,
        number(calls),
        ratio(calls, base_calls),
        number(tail),
        ratio(tail, base_tail),
        ", ".join(f"{rate(s):,.0f}" for s in mine),
        number(median([s.per_call_ms(sum(s.serving_cpu.values())) for s in mine])),
        number(median([s.per_call_ms(s.redis_cpu) for s in mine])),
        number(median([s.per_call_ms(s.others_cpu) for s in mine])),
        number(median([s.commands / s.load.calls if s.load.calls else 0.0 for s in mine])),
        f"{median([s.busy for s in mine]):.0%}",
    ]
    return f"| {' | '.join(cells)} |"


def paired_ratios(samples: Sequence[Sample], config: Config) -> list[float]:
    """Each round's calls/s of ``config`` over memory x1's in the same round."""
    mine, reference = of(samples, config), of(samples, REFERENCE)
    return [m.load.rate / r.load.rate for m, r in zip(mine, reference, strict=True) if r.load.rate]


def target_line(samples: Sequence[Sample], configs: Sequence[Config]) -> str:
    config = Config("redis", TARGET_WORKERS)
    if config not in configs:
        return f"Target not measured: --workers has no {TARGET_WORKERS}."
    calls = median([rate(s) for s in of(samples, config)])
    base = median([rate(s) for s in of(samples, REFERENCE)])
    reached = "REACHED" if calls >= TARGET * base else "NOT reached"
    rounds = ", ".join(f"{r:.2f}" for r in paired_ratios(samples, config))
    return (
        f"Target (issue #14): {config.name} at least {TARGET}x memory x1's calls/s:"
        f" **{reached}**: {calls / base:.2f}x (round by round: {rounds})."
    )


def cpu_per_call(samples: Sequence[Sample]) -> tuple[float, float, float]:
    """Median ms of CPU per call: serving, Redis, wrk and the rest."""
    return (
        median([s.per_call_ms(sum(s.serving_cpu.values())) for s in samples]),
        median([s.per_call_ms(s.redis_cpu) for s in samples]),
        median([s.per_call_ms(s.others_cpu) for s in samples]),
    )


def budget_line(samples: Sequence[Sample], configs: Sequence[Config]) -> str:
    """What the target leaves each call of CPU on this machine, against what it costs."""
    config, cores = Config("redis", TARGET_WORKERS), os.cpu_count() or 1
    if config not in configs:
        return ""
    wanted = TARGET * median([rate(s) for s in of(samples, REFERENCE)])
    serving, store, others = cpu_per_call(of(samples, config))
    return (
        f"CPU budget: {TARGET}x memory x1 is {wanted:,.0f} calls/s; {cores} cores give"
        f" each call at most {cores * 1000 / wanted:.2f} ms of CPU, all of it: wrk's,"
        f" Redis's and the workers'. {config.name} spent {serving + store + others:.2f} ms"
        f" a call ({serving:.2f} serving, {store:.2f} Redis, {others:.2f} wrk and the rest):"
        f" even if wrk and the rest cost nothing, {cores} cores would answer at most"
        f" {cores * 1000 / (serving + store):,.0f} calls/s of it."
    )


def balance_notes(samples: Sequence[Sample], configs: Sequence[Config]) -> list[str]:
    """How the load spread over the workers: each one's share of the workers' CPU."""
    notes = []
    for config in configs:
        if config.workers < 2:
            continue
        spreads = []
        for s in of(samples, config):
            workers = sorted(s.serving_cpu.values(), reverse=True)[: config.workers]
            spreads.append("/".join(f"{cpu / sum(workers):.0%}" for cpu in workers))
        notes.append(
            f"{config.name}: each worker's share of their CPU, by round: {'; '.join(spreads)}."
        )
    return notes


def parser() -> str:
    """redis-py's reply parser: hiredis (C) when installed, else its own in Python."""
    from redis.utils import HIREDIS_AVAILABLE

    return "hiredis parser" if HIREDIS_AVAILABLE else "pure-Python parser (no hiredis)"


def load_average() -> str:
    """The machine's 1-minute load average (/proc/loadavg)."""
    return Path("/proc/loadavg").read_text().split()[0]


@dataclass
class Report:
    arguments: argparse.Namespace
    client: str
    redis_version: str
    configs: list[Config]
    samples: list[Sample]
    notes: list[str] = field(default_factory=list)
    load_at_start: str = field(default_factory=load_average)

    def caption(self) -> str:
        a, when = self.arguments, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"Table: `{command_line()}` ({when}, {os.cpu_count()} cores shared by wrk, Redis"
            f" and the workers; client {client_name(self.client)}, {a.connections}"
            f" connections, ENVOYER_EMAIL; medians of {a.rounds} rounds of {a.seconds:g} s,"
            f" configurations in rotating order, each a fresh server and --store-prefix after"
            f" a {a.warm_up:g} s warm-up; redis-server {self.redis_version} started for the"
            ' run without persistence, `--save "" --appendonly no`; redis-py'
            f" {redis.__version__}, {parser()}). Ratios: ÷ memory x1."
        )

    def render(self) -> str:
        lines = [self.caption(), "", HEADER, ALIGN]
        lines += [row(self.samples, config) for config in self.configs]
        notes = [
            target_line(self.samples, self.configs),
            budget_line(self.samples, self.configs),
            *self.fixed_notes(),
            *self.notes,
        ]
        notes = [note for note in notes if note]
        return "\n".join([*lines, "", *(f"- {note}" for note in notes)]) + "\n"

    def fixed_notes(self) -> list[str]:
        bad = sum(s.load.bad for s in self.samples)
        calls = sum(s.load.calls for s in self.samples)
        return [
            f"{os.cpu_count()} cores: wrk (2 threads), redis-server and every serving process"
            " share them; 'cores busy' is both cores' busy share during the load (wrk and the"
            " rest of the machine: busy minus serving and Redis CPU). Once they are full, more"
            " workers add no CPU, only processes competing for it.",
            "Serving CPU: the serve process and its workers, /proc/PID/stat; Redis CPU:"
            " redis-server's; Redis commands: INFO's total_commands_processed (the commands"
            " a Lua script calls included).",
            f"Wrong answers (non-2xx, socket errors, no 32-hex id): {bad:,} of {calls:,} calls.",
            f"The machine's 1-minute load average: {self.load_at_start} at the start,"
            f" {load_average()} at the end (other users' processes count in 'wrk & rest').",
            *balance_notes(self.samples, self.configs),
        ]


# --- the profile: one Redis worker under cProfile -----------------------------------


TIMERS: dict[str, Callable[[], float] | None] = {"cpu": time.thread_time, "wall": None}
"""Each thread's CPU time: waiting for the GIL or for Redis counts nowhere; None is
cProfile's own clock, the wall clock."""


def _answer(application: Any, environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """One call of the application, its body produced inside (so in the profile)."""
    return list(application(environ, start_response))


class ProfiledApplication:
    """A WSGI application under one cProfile profiler per thread (cProfile sees the
    thread it runs in only), each timed by ``timer``, as bench/profiled_mock.py; from
    ``on`` only (set by SIGUSR1 after the warm-up)."""

    def __init__(self, application: Any, timer: Callable[[], float] | None) -> None:
        self.application = application
        self.timer = timer
        self.local = threading.local()
        self.profilers: list[cProfile.Profile] = []
        self.lock = threading.Lock()
        self.on = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if not self.on.is_set():
            return _answer(self.application, environ, start_response)
        profiler = getattr(self.local, "profiler", None)
        if profiler is None:
            profiler = cProfile.Profile(self.timer) if self.timer else cProfile.Profile()
            self.local.profiler = profiler
            with self.lock:
                self.profilers.append(profiler)
        answer: list[bytes] = profiler.runcall(_answer, self.application, environ, start_response)
        return answer

    def dump(self, path: str) -> None:
        with self.lock:
            if self.profilers:
                pstats.Stats(*self.profilers).dump_stats(path)


def profiled_serve(argv: Sequence[str]) -> int:
    """In the child: ``mock-efidem serve *argv[2:]`` with its WSGI application under
    ``ProfiledApplication`` (timer ``argv[1]``); the statistics go to ``argv[0]`` when
    it stops (SIGTERM)."""
    from mock_efidem import cli
    from mock_efidem.server import MockServer

    output, timer, *serve = argv
    profiled: list[ProfiledApplication] = []
    start = MockServer.start

    def profiled_start(self: MockServer) -> MockServer:
        started = start(self)
        application = ProfiledApplication(self._server.application, TIMERS[timer])
        self._server.application = application  # waitress reads it at each call
        profiled.append(application)
        return started

    MockServer.start = profiled_start  # type: ignore[method-assign]

    def profile_from_now(*_: object) -> None:
        for each in profiled:
            each.on.set()

    signal.signal(signal.SIGUSR1, profile_from_now)
    try:
        return cli.main(["serve", *serve])
    finally:
        for application in profiled:
            application.dump(output)


@dataclass(frozen=True)
class Profiled:
    timer: str
    path: Path
    load: LoadResult
    process_cpu: float
    commands: Counter[str]
    """Redis's commandstats during the load: calls per command."""


def profile_run(timer: str, store: RedisServer, options: Options, seconds: float) -> Profiled:
    output = PROFILES / f"stores-redis-c{options.connections}-{timer}.pstats"
    output.unlink(missing_ok=True)
    prefix = f"bench-{os.getpid()}-profile-{timer}"
    child = [sys.executable, str(Path(__file__).resolve()), PROFILED_SERVE, str(output), timer]
    command = [*child, *SERVE[4:], *Config("redis", 1).arguments(store.url, prefix)]
    with ServerProcess(command, start_timeout=START_SECONDS) as server:
        load = Load(f"{server.url}/soap", SEND_EMAIL, ID_PATTERN)
        check_answer(load.url, SEND_EMAIL, ID_PATTERN)
        run_load(options.client, load, options.connections, options.warm_up)
        os.kill(server.pid, signal.SIGUSR1)  # profile from now on
        time.sleep(0.2)
        store.client.config_resetstat()
        result = run_load(options.client, load, options.connections, seconds, server.pid)
        commands = command_stats(store)
        errors = server.errors()
    if not output.exists():
        raise RuntimeError(f"the profiled server wrote no statistics: {errors}")
    log(f"profile ({timer} time): {result.rate:,.0f} calls/s, {result.bad} bad")
    cpu = (result.cpu_ms_per_call or 0.0) * result.calls / 1000
    return Profiled(timer, output, result, cpu, commands)


def command_stats(store: RedisServer) -> Counter[str]:
    stats: dict[str, Any] = store.client.info("commandstats")
    return Counter({name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()})


# --- reading a profile --------------------------------------------------------------


Entry = tuple[str, int, str]
"""(file, line, function), as pstats names them."""


def short(file: str) -> str:
    """A file's place: after site-packages/, stdlib/ for Python's own, else relative."""
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1]
    stdlib = re.split(r"/lib/python3\.\d+/", file, maxsplit=1)
    if len(stdlib) == 2:
        return f"stdlib/{stdlib[1]}"
    if file.startswith(str(BENCH.parent)):
        return os.path.relpath(file, BENCH.parent)
    return file


GROUPS: list[tuple[str, Callable[[str, str], bool]]] = [
    ("socket reads and writes (to Redis)", lambda where, name: "_socket.socket" in name),
    ("redis-py", lambda where, name: where.startswith("redis/")),
    (
        "our Redis code (mock_efidem/shared)",
        lambda where, name: where.startswith("mock_efidem/shared"),
    ),
    ("the rest of mock_efidem", lambda where, name: where.startswith("mock_efidem/")),
    ("spyne", lambda where, name: where.startswith("spyne/")),
    ("lxml", lambda where, name: "lxml" in name or where.startswith("lxml/")),
    ("werkzeug", lambda where, name: where.startswith("werkzeug/")),
    ("other built-ins", lambda where, name: where == "~"),
    ("Python's standard library", lambda where, name: where.startswith(("stdlib/", "<frozen"))),
]


def group(file: str, name: str) -> str:
    where = short(file)
    for label, belongs in GROUPS:
        if belongs(where, name):
            return label
    return "other"


class ProfileReading:
    """The statistics of one profiled run, read with pstats."""

    def __init__(self, run: Profiled) -> None:
        self.run = run
        stats = pstats.Stats(str(run.path), stream=io.StringIO())
        self.entries: dict[Entry, Any] = stats.stats  # type: ignore[attr-defined]
        self.total = sum(values[2] for values in self.entries.values()) or 1.0

    def groups(self) -> Counter[str]:
        """Each group's share of the profiled time (own time of its functions)."""
        shares: Counter[str] = Counter()
        for (file, _, name), values in self.entries.items():
            shares[group(file, name)] += values[2] / self.total
        return shares

    def ncalls(self, file_end: str, name: str) -> int:
        found = [
            v[1] for (f, _, n), v in self.entries.items() if f.endswith(file_end) and n == name
        ]
        return max(found, default=0)

    def cumulative(self, file_end: str, name: str) -> float:
        found = [
            v[3] for (f, _, n), v in self.entries.items() if f.endswith(file_end) and n == name
        ]
        return max(found, default=0.0)

    def calls(self) -> int:
        """SOAP calls the profile covers: ``_answer``'s."""
        return self.ncalls("stores.py", "_answer")

    def round_trips(self) -> int:
        return self.ncalls("redis/connection.py", "send_packed_command")

    def top(self, column: int, where: Callable[[str], bool] = lambda _: True) -> list[str]:
        """Markdown rows of the TOP entries by own (2) or cumulative (3) time."""
        chosen = [item for item in self.entries.items() if where(short(item[0][0]))]
        chosen.sort(key=lambda item: item[1][column], reverse=True)
        return [
            f"| {v[column] / self.total:.1%} | {v[1]:,} | `{n}` | {short(f)}:{line} |"
            for (f, line, n), v in chosen[:TOP]
        ]


# --- the profile's summary ----------------------------------------------------------


def waits(cpu: ProfileReading, wall: ProfileReading) -> list[tuple[Entry, float]]:
    """Where calls wait: per function, its own wall-clock time per SOAP call less its own
    CPU time per call, in ms, most first. A lock taken by ``with`` is no call to
    cProfile: its wait is the own time of the function that takes it."""
    per_cpu, per_wall = 1000 / (cpu.calls() or 1), 1000 / (wall.calls() or 1)
    found = [
        (entry, values[2] * per_wall - cpu.entries.get(entry, (0, 0, 0.0))[2] * per_cpu)
        for entry, values in wall.entries.items()
    ]
    return sorted(found, key=lambda item: item[1], reverse=True)


def waits_table(cpu: ProfileReading, wall: ProfileReading) -> list[str]:
    rows = ["| ms per call | function | where |", "|---:|---|---|"]
    return rows + [
        f"| {ms:.2f} | `{name}` | {short(file)}:{line} |"
        for (file, line, name), ms in waits(cpu, wall)[:10]
    ]


def shares_table(cpu: ProfileReading, wall: ProfileReading) -> list[str]:
    cpu_shares, wall_shares = cpu.groups(), wall.groups()
    names = [name for name, _ in (cpu_shares + wall_shares).most_common()]
    rows = ["| where | CPU time | wall clock |", "|---|---:|---:|"]
    return rows + [f"| {n} | {cpu_shares[n]:.1%} | {wall_shares[n]:.1%} |" for n in names]


def in_redis_py(reading: ProfileReading) -> float:
    """Share of the profiled time inside redis-py's commands and pipelines (cumulative)."""
    commands = reading.cumulative("redis/client.py", "execute_command")
    return (commands + reading.cumulative("redis/client.py", "execute")) / reading.total


def per_call_facts(cpu: ProfileReading, wall: ProfileReading) -> list[str]:
    calls = cpu.calls() or 1
    trips = cpu.round_trips() / calls
    wait = wall.cumulative("redis/connection.py", "read_response")
    reads = wall.ncalls("redis/connection.py", "read_response") or 1
    answered = wall.calls() or 1
    return [
        f"Round trips to Redis per ENVOYER_EMAIL (redis-py's send_packed_command): {trips:.1f};"
        f" inside redis-py's commands (cumulative): {in_redis_py(cpu):.0%} of the CPU time,"
        f" {in_redis_py(wall):.0%} of the wall clock.",
        f"Each reply waited for {wait / reads * 1000:.2f} ms on average (wall clock, redis-py's"
        f" read_response, GIL included): {wait / answered * 1000:.2f} ms per call, of a"
        f" {wall.total / answered * 1000:.2f} ms call in the application"
        f" ({wait / wall.total:.0%}).",
    ]


def commands_line(run: Profiled) -> str:
    calls = run.load.calls or 1
    shown = ", ".join(
        f"{name} {count / calls:.2f}"
        for name, count in run.commands.most_common()
        if name != "config|resetstat"
    )
    return f"Redis commands per call during the {run.timer}-time load (commandstats): {shown}."


def describe(run: Profiled, reading: ProfileReading) -> str:
    return (
        f"{run.timer} time: {run.load.rate:,.0f} calls/s while profiled ({run.load.bad} wrong"
        f" answers), process CPU {run.process_cpu:.2f} s, profiled {reading.total:.2f} s over"
        f" {reading.calls():,} calls (after the warm-up); {run.path.name}."
    )


def profile_summary(runs: dict[str, Profiled], command: str, connections: int) -> str:
    cpu, wall = ProfileReading(runs["cpu"]), ProfileReading(runs["wall"])
    ours = lambda where: where.startswith(("mock_efidem/shared", "redis/"))  # noqa: E731
    parts = [
        "# One Redis worker under cProfile: where ENVOYER_EMAIL's time goes",
        "",
        f"Made by `{command}` (bench/stores.py): `serve --store redis://...` in one process,"
        f" its WSGI application under cProfile, {connections} connections of ENVOYER_EMAIL;"
        " once timed by each thread's CPU time, once by the wall clock. cProfile sees the"
        " application only (not waitress's own reading and writing), and its overhead"
        " weighs on small, often-called functions: the worker answers fewer calls than"
        " unprofiled, which leaves Redis less busy than in the table.",
        "",
        *(describe(runs[t], r) for t, r in (("cpu", cpu), ("wall", wall))),
        "",
        *per_call_facts(cpu, wall),
        commands_line(runs["cpu"]),
        "",
        "## Own time by group",
        "",
        *shares_table(cpu, wall),
        "",
        "## Where calls wait: own wall-clock time less own CPU time, per call",
        "",
        "A lock taken by `with` is no call to cProfile: its wait shows as the own time of"
        " the function that takes it. Socket reads wait for Redis's replies (and the GIL).",
        "",
        *waits_table(cpu, wall),
    ]
    for title, reading in (("CPU time", cpu), ("wall clock", wall)):
        head = ["| share | calls | function | where |", "|---:|---:|---|---|"]
        parts += ["", f"## {title}: own time", "", *head, *reading.top(2)]
        parts += ["", f"## {title}: cumulative", "", *head, *reading.top(3)]
        parts += ["", f"## {title}: cumulative, redis-py and mock_efidem/shared", ""]
        parts += [*head, *reading.top(3, ours)]
    return "\n".join(parts) + "\n"


def profile_notes(runs: dict[str, Profiled]) -> list[str]:
    cpu, wall = ProfileReading(runs["cpu"]), ProfileReading(runs["wall"])
    cpu_shares, wall_shares = cpu.groups(), wall.groups()
    shown = ", ".join(
        f"{name} {cpu_shares[name]:.0%} CPU / {wall_shares[name]:.0%} wall"
        for name, _ in cpu_shares.most_common(7)
    )
    waited = "; ".join(
        f"{name} ({short(file)}:{line}) {ms:.2f} ms"
        for (file, line, name), ms in waits(cpu, wall)[:4]
    )
    return [
        "Profile (one Redis worker under cProfile, bench/profiles/STORES.md), own time: "
        + shown
        + ".",
        *per_call_facts(cpu, wall),
        f"Where a call waits (own wall-clock time less own CPU time, per call): {waited}.",
    ]


def run_profiles(store: RedisServer, options: Options, seconds: float) -> list[str]:
    PROFILES.mkdir(exist_ok=True)
    runs = {timer: profile_run(timer, store, options, seconds) for timer in TIMERS}
    text = profile_summary(runs, command_line(), options.connections)
    (PROFILES / "STORES.md").write_text(text, encoding="utf-8")
    return profile_notes(runs)


# --- main ---------------------------------------------------------------------------


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--rounds", type=int, default=4, help="rounds, in rotating order")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each load")
    parser.add_argument("--warm-up", type=float, default=2.0, help="seconds before each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", default="1,2,4", help="Redis configurations' workers")
    parser.add_argument("--client", choices=("wrk", "python"), default=None)
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile runs")
    parser.add_argument("--profile-seconds", type=float, default=8.0)
    parser.add_argument("--output", help="also write the table to this file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    client = load_client(arguments.client)
    options = Options(client, arguments.connections, arguments.seconds, arguments.warm_up)
    configs = configurations([int(w) for w in arguments.workers.split(",")])
    started, load_at_start = time.perf_counter(), load_average()
    with RedisServer() as store:
        log(f"redis-server {store.version} on {store.url}, no persistence")
        samples = measure_rounds(configs, arguments.rounds, store, options)
        report = Report(arguments, client, store.version, configs, samples, [], load_at_start)
        if not arguments.no_profile:
            report.notes += run_profiles(store, options, arguments.profile_seconds)
    report.notes.append(f"The run took {time.perf_counter() - started:.0f} s.")
    table = report.render()
    sys.stdout.write(table)
    if arguments.output:
        Path(arguments.output).write_text(table, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == [PROFILED_SERVE]:
        sys.exit(profiled_serve(sys.argv[2:]))
    main()
