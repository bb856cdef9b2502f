"""What the benchmarks share: SOAP bodies, server processes, load generation, /proc.

Every server runs in a process of its own, read through /proc (CPU time, RSS). The
load generator is wrk when installed (a C client, so the figures are the server's),
else Python threads with requests. Every wait is bounded; every process started here
is stopped by ``ServerProcess.stop`` (a context manager, and an atexit hook as a last
resort).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

import requests

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
NAMESPACE = "http://www.efidem.com/"
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
ENVELOPE = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    '<{op} xmlns="http://www.efidem.com/"><UTILISATEUR>demo</UTILISATEUR>'
    "<MOT_DE_PASSE>demo</MOT_DE_PASSE><AppID>demo</AppID>{fields}</{op}></s:Body></s:Envelope>"
)


def soap(operation: str, **fields: str) -> str:
    """A SOAP 1.1 call of ``operation`` by the demo account."""
    return ENVELOPE.format(
        op=operation, fields="".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    )


SEND_EMAIL = soap(
    "ENVOYER_EMAIL",
    DESTINATION="jean@example.fr",
    SUJET="Bench",
    TEXTE="Bonjour",
    EMETTEUR="app@example.com",
)
"""The ENVOYER_EMAIL call every benchmark sends (bench/throughput.py's)."""
SEND_SMS = soap("ENVOYER_SMS", DESTINATION="33601020304", TEXTE="Bonjour")
ID_PATTERN = r"Result>[0-9a-f]{32}<"
STATUS_PATTERN = r"Result>[0-9]+<"
"""A status operation's answer that is a status code, not a (negative) error code."""

MAX_SECONDS = 600.0
"""No single load run or wait lasts longer than this, whatever the options say."""


def mock_command() -> list[str]:
    """`mock-efidem serve --port 0`, as users run it: the venv's script if there is one."""
    script = Path(sys.executable).with_name("mock-efidem")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "mock_efidem"]
    return [*program, "serve", "--port", "0"]


# --- processes ----------------------------------------------------------------------

_RUNNING: set[subprocess.Popen[bytes]] = set()


@atexit.register
def _stop_leftovers() -> None:
    for process in list(_RUNNING):
        _end(process)


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    _RUNNING.discard(process)


class ServerProcess:
    """A server in a process of its own; its first line on stdout ends with its URL."""

    def __init__(
        self,
        command: Sequence[str],
        env: dict[str, str] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.command = list(command)
        self.env = env
        self.start_timeout = start_timeout
        self.stderr: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.started_at = 0.0
        self.lines: queue.Queue[str | None] = queue.Queue()
        """What the server prints, line by line; None once its output has closed."""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> ServerProcess:
        self.started_at = time.perf_counter()
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=ROOT,
            env={**os.environ, **(self.env or {})},
        )
        _RUNNING.add(self.process)
        threading.Thread(target=self._read, daemon=True).start()
        line = self.readline(self.start_timeout)
        if " on http" not in line:
            errors = self.errors()
            self.stop()
            raise RuntimeError(f"{self.command}: no listening line: {line!r}\n{errors}")
        self.url = line.split(" on ", 1)[1].strip()
        return self

    def readline(self, timeout: float) -> str:
        """The next line the server prints, or "" if none comes within ``timeout``, or at
        once when its output has closed (it has exited: a failed start costs no wait)."""
        try:
            line = self.lines.get(timeout=min(timeout, MAX_SECONDS))
        except queue.Empty:
            return ""
        if line is None:
            self.lines.put(None)  # the end, for the next read too
            return ""
        return line

    def _read(self) -> None:
        """Every line of stdout into ``lines``: read always, so the pipe never fills."""
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.decode(errors="replace"))
        self.lines.put(None)

    def send(self, line: str) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def errors(self) -> str:
        """The end of what the server wrote on stderr."""
        if self.stderr is None or self.stderr.closed:
            return ""
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.process is not None:
            _end(self.process)
        if self.stderr is not None:
            self.stderr.close()

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def rss_bytes(self) -> int:
        return rss_bytes(self.pid)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, all its threads (/proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": fields 3 onwards
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (/proc/PID/status VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def wait_idle(pid: int, limit: float, busy_share: float = 0.05) -> bool:
    """Wait until a process uses less than ``busy_share`` of a core over 0.5 s, at
    most ``limit`` seconds; True if it did."""
    deadline = time.monotonic() + min(limit, MAX_SECONDS)
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < busy_share * 0.5:
            return True
    return False


# --- one call -----------------------------------------------------------------------


def post(url: str, body: str, timeout: float = 30.0) -> str:
    answer = requests.post(url, data=body.encode(), headers=HEADERS, timeout=timeout)
    answer.raise_for_status()
    return answer.text


def check_answer(url: str, body: str, pattern: str) -> str:
    """One call, which must answer 200 with ``pattern``; its answer's result."""
    answer = post(url, body)
    found = re.search(pattern, answer)
    if found is None:
        raise RuntimeError(f"{url}: unexpected answer: {answer[:500]}")
    return found.group(0).split(">", 1)[1].rstrip("<")


# --- load ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What to send: ``body`` POSTed (GET if None), answers checked against ``pattern``."""

    url: str
    body: str | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class LoadResult:
    calls: int
    seconds: float
    p50_ms: float
    p99_ms: float
    bad: int
    """Non-2xx answers, socket errors and answers that miss the expected pattern."""
    cpu_ms_per_call: float | None = None

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0


def load_client(choice: str | None = None) -> str:
    return choice or ("wrk" if shutil.which("wrk") else "python")


def run_load(
    client: str, load: Load, connections: int, seconds: float, pid: int | None = None
) -> LoadResult:
    """Keep ``connections`` kept-alive connections busy for ``seconds``; with ``pid``,
    charge the server process's CPU time to the calls answered."""
    seconds = min(seconds, MAX_SECONDS)
    cpu_before = cpu_seconds(pid) if pid else 0.0
    if client == "wrk":
        result = wrk(load, connections, seconds)
    else:
        result = python_load(load, connections, seconds)
    if pid and result.calls:
        cpu = (cpu_seconds(pid) - cpu_before) * 1000 / result.calls
        result = LoadResult(**{**vars(result), "cpu_ms_per_call": cpu})
    return result


WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
{body}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 or ({check}) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("bad") end
  local e = summary.errors
  io.write(string.format("bench: %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    bad + e.connect + e.read + e.write + e.timeout))
end
"""


def _lua_pattern(pattern: str | None) -> str:
    """The few regular expressions used here, as a Lua test that the body misses it."""
    if pattern is None:
        return "false"
    lua = pattern.replace("[0-9a-f]{32}", "%x" * 32).replace("[0-9]+", "%d+")
    return f'not string.find(body, "{lua}")'


def wrk(load: Load, connections: int, seconds: float) -> LoadResult:
    method = "GET" if load.body is None else "POST"
    body = "" if load.body is None else f"wrk.body = [==[{load.body}]==]"
    script = WRK_SCRIPT.format(method=method, body=body, check=_lua_pattern(load.pattern))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        command = ["wrk", "-s", file.name, f"-c{connections}", f"-t{min(2, connections)}"]
        command += [f"-d{seconds:g}s", f"--timeout={max(10, int(seconds))}s", load.url]
        output = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        ).stdout
    found = re.search(r"^bench: (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.M)
    if found is None:
        raise RuntimeError(f"wrk said: {output}")
    calls, duration_us, p50_us, p99_us, bad = (int(g) for g in found.groups())
    return LoadResult(calls, duration_us / 1e6, p50_us / 1000, p99_us / 1000, bad)


def python_load(load: Load, connections: int, seconds: float) -> LoadResult:
    """wrk's job done by Python threads (which share the 2 cores with the server)."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    bad = [0] * connections
    deadline = time.perf_counter() + seconds
    matcher = re.compile(load.pattern) if load.pattern else None

    def client(index: int) -> None:
        with requests.Session() as session:
            while (started := time.perf_counter()) < deadline:
                if not _one_call(session, load, matcher):
                    bad[index] += 1
                latencies[index].append(time.perf_counter() - started)

    workers = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 60)
    every = sorted(x for each in latencies for x in each)
    if not every:
        return LoadResult(0, seconds, 0.0, 0.0, sum(bad))
    cuts = statistics.quantiles(every, n=100) if len(every) > 1 else every * 99
    elapsed = time.perf_counter() - started
    return LoadResult(len(every), elapsed, cuts[49] * 1000, cuts[98] * 1000, sum(bad))


def _one_call(session: requests.Session, load: Load, matcher: re.Pattern[str] | None) -> bool:
    try:
        if load.body is None:
            answer = session.get(load.url, timeout=30)
        else:
            answer = session.post(load.url, data=load.body.encode(), headers=HEADERS, timeout=30)
    except requests.RequestException:
        return False
    return answer.ok and (matcher is None or matcher.search(answer.text) is not None)


# --- figures ------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def log(message: str) -> None:
    """Progress, on stderr: stdout is the table."""
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def timed(what: str) -> Iterator[None]:
    started = time.perf_counter()
    yield None
    log(f"{what}: {time.perf_counter() - started:.1f} s")


# --- what a table says of its run -------------------------------------------------


def command_line() -> str:
    """This benchmark's command line, as it was typed (paths relative when below here)."""

    def shown(path: str) -> str:
        relative = os.path.relpath(path)
        return path if relative.startswith("..") else relative

    return shlex.join([shown(sys.executable), shown(sys.argv[0]), *sys.argv[1:]])


def client_name(client: str) -> str:
    """The load client, as a table names it: wrk's version, or the Python client."""
    if client != "wrk":
        return "Python threads with requests"
    found = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first = (found.stdout or found.stderr).split("\n", 1)[0]
    return " ".join(first.split()[:2])
