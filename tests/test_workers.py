"""``serve --workers N`` (issue 14): its options, its refusals, and N real processes on
one port behind a parent that announces the address, forwards SIGTERM and SIGINT, and
restarts a worker that dies."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import requests

from mock_efidem.workers import MAX_RESTARTS
from tests.processes import MOCK_EFIDEM, run_cli, served, stderr_of
from tests.redis_server import RedisServer
from tests.test_drain import SLOW, slow_calls_through_sigterm

WAIT_SECONDS = 30.0
"""How long a test waits at most for what it expects (a restarted worker, a stop)."""


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with RedisServer() as running:
        yield running


@pytest.fixture
def redis_url(redis: RedisServer) -> str:
    redis.flush()
    return redis.url


@pytest.fixture
def log(tmp_path: Path) -> Iterator[IO[str]]:
    """The server's stderr, in a file: read back on failure, never a full pipe."""
    with (tmp_path / "stderr.log").open("w+", encoding="utf-8") as file:
        yield file


def test_several_workers_with_the_memory_store_are_refused() -> None:
    result = run_cli("serve", "--workers", "2", timeout=30)
    assert result.returncode == 2
    assert "--workers 2 needs a shared store" in result.stderr
    assert "diverge between processes" in result.stderr
    assert "--store redis://" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_the_refusal_holds_when_the_options_come_from_the_environment() -> None:
    result = run_cli("serve", timeout=30, MOCK_EFIDEM_WORKERS="3", MOCK_EFIDEM_STORE="memory")
    assert result.returncode == 2
    assert "--workers 3 needs a shared store" in result.stderr


@pytest.mark.parametrize(
    "value", ["http://localhost:6379", "memroy", "redis://", "unix://", "localhost:6379", ""]
)
def test_a_bad_store_is_a_usage_error_naming_what_is_accepted(value: str) -> None:
    result = run_cli("serve", "--store", value, timeout=30)
    assert result.returncode == 2
    assert "--store" in result.stderr and "Traceback" not in result.stderr
    if value.startswith(("redis:", "unix:")):
        assert "URL must name" in result.stderr
    else:
        assert "must be memory or a redis://, rediss:// or unix:// URL" in result.stderr


def test_a_bad_store_url_is_not_repeated_in_the_error() -> None:
    """A URL may hold a password: the error names its scheme only."""
    result = run_cli("serve", "--store", "https://user:secret@redis.example", timeout=30)
    assert result.returncode == 2
    assert "'https'" in result.stderr and "secret" not in result.stderr


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--store-prefix", "two words"),
        ("--store-prefix", "tab\there"),
        ("--workers", "0"),
        ("--workers", "many"),
    ],
)
def test_a_bad_prefix_or_worker_count_is_a_usage_error(flag: str, value: str) -> None:
    result = run_cli("serve", flag, value, timeout=30)
    assert result.returncode == 2
    assert flag in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "value", ["memory", "redis://127.0.0.1:6379/0", "rediss://:pw@cache:6380/2", "unix:///r.sock"]
)
def test_a_good_store_is_taken_as_given(value: str) -> None:
    from mock_efidem.cli import build_parser

    assert build_parser().parse_args(["serve", "--store", value]).store == value


def test_the_defaults_and_the_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_efidem.cli import build_parser

    defaults = build_parser().parse_args(["serve"])
    assert (defaults.store, defaults.store_prefix, defaults.workers) == ("memory", "mock-efidem", 1)
    assert defaults.listen_fd is None
    monkeypatch.setenv("MOCK_EFIDEM_STORE", "redis://cache:6379/1")
    monkeypatch.setenv("MOCK_EFIDEM_STORE_PREFIX", "ci-42")
    monkeypatch.setenv("MOCK_EFIDEM_WORKERS", "4")
    given = build_parser().parse_args(["serve"])
    assert (given.store, given.store_prefix, given.workers) == ("redis://cache:6379/1", "ci-42", 4)
    assert build_parser().parse_args(["serve", "--workers", "2"]).workers == 2


def test_the_options_reach_the_settings() -> None:
    from mock_efidem.cli import _settings, build_parser

    arguments = ["serve", "--store", "redis://cache/0", "--store-prefix", "p", "--workers", "3"]
    settings = _settings(build_parser().parse_args([*arguments, "--listen-fd", "5"]))
    assert (settings.store, settings.store_prefix, settings.workers) == ("redis://cache/0", "p", 3)
    assert settings.listen_fd == 5 and settings.shared


def test_the_options_between_parent_and_worker_stay_out_of_the_help() -> None:
    shown = run_cli("serve", "--help", timeout=30).stdout
    assert "--workers" in shown
    assert "listen-fd" not in shown and "parent-fd" not in shown


def health(base: str) -> dict[str, Any]:
    """A health check on a fresh connection (requests.get opens one each time)."""
    response = requests.get(f"{base}/_mock/health", timeout=10)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def pids_until(base: str, enough: Callable[[set[int]], bool]) -> set[int]:
    """The pids that answer health checks, until ``enough`` of them have (bounded)."""
    seen: set[int] = set()
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        seen.add(health(base)["pid"])
        if enough(seen):
            return seen
        time.sleep(0.01)
    raise AssertionError(f"health checks for {WAIT_SECONDS} s, answered by {seen} only")


def state_and_parent(pid: int) -> tuple[str, int] | None:
    """A process's state letter and its parent's pid, from Linux's /proc; None if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1])


def children_of(parent: int) -> set[int]:
    pids = (int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return {pid for pid in pids if (state_and_parent(pid) or ("", 0))[1] == parent}


def gone(pid: int) -> bool:
    """Exited: no process, or a zombie (whoever adopted an orphan may never reap it)."""
    found = state_and_parent(pid)
    return found is None or found[0] == "Z"


def wait_until(done: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
    return done()


def test_two_workers_answer_on_one_port(redis_url: str, log: IO[str]) -> None:
    with served("--workers", "2", "--store", redis_url, stderr=log) as (process, base):
        pids = pids_until(base, lambda seen: len(seen) == 2)
        assert process.pid not in pids
        wsdl = requests.get(f"{base}/soap?wsdl", timeout=10)
        assert wsdl.status_code == 200 and f'location="{base}/soap"' in wsdl.text
    assert process.returncode == 0, stderr_of(process, log)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_every_worker_and_exits_0(
    redis_url: str, log: IO[str], stop: signal.Signals
) -> None:
    with served("--workers", "2", "--store", redis_url, stderr=log) as (process, base):
        pids = pids_until(base, lambda seen: len(seen) == 2)
        assert children_of(process.pid) == pids
        process.send_signal(stop)
        assert process.wait(timeout=WAIT_SECONDS) == 0, stderr_of(process, log)
    assert all(gone(pid) for pid in pids)


def test_a_ctrl_c_to_the_whole_group_drains_each_worker_once(redis_url: str, log: IO[str]) -> None:
    """A terminal's Ctrl-C signals the process group: the workers leave it to the parent."""
    group = served("--workers", "2", "--store", redis_url, stderr=log, new_session=True)
    with group as (process, base):
        pids = pids_until(base, lambda seen: len(seen) == 2)
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=WAIT_SECONDS) == 0, stderr_of(process, log)
    assert all(gone(pid) for pid in pids)
    assert "Traceback" not in stderr_of(process, log)


def test_kill_9_of_the_group_leaves_no_worker(redis_url: str, log: IO[str]) -> None:
    group = served("--workers", "2", "--store", redis_url, stderr=log, new_session=True)
    with group as (process, _):
        assert wait_until(lambda: len(children_of(process.pid)) == 2)
        pids = children_of(process.pid)
        assert {os.getpgid(pid) for pid in pids} == {process.pid}
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=WAIT_SECONDS)
    assert wait_until(lambda: all(gone(pid) for pid in pids))


def test_a_killed_worker_is_restarted_and_the_port_keeps_answering(
    redis_url: str, log: IO[str]
) -> None:
    with served("--workers", "2", "--store", redis_url, stderr=log) as (process, base):
        first, second = pids_until(base, lambda seen: len(seen) == 2)
        os.kill(first, signal.SIGKILL)
        # Connections the kernel queued on the dying worker's own socket (SO_REUSEPORT)
        # in the moments around its death are reset, as with any crashed server; a
        # second later every check answers: the other worker serves while the new one
        # starts.
        assert wait_until(lambda: gone(first))
        time.sleep(1.0)
        answered = pids_until(base, lambda seen: bool(seen - {first, second}))
        assert first not in answered
        assert process.poll() is None
    assert process.returncode == 0
    said = stderr_of(process, log)
    assert f"worker {first} died (signal SIGKILL): restarting it" in said


def test_a_worker_dying_again_and_again_stops_them_all_with_1(redis_url: str, log: IO[str]) -> None:
    with served("--workers", "2", "--store", redis_url, stderr=log) as (process, _):
        killed: set[int] = set()
        # Each as soon as it is started: the restarts' bound, without waiting for any.
        while len(killed) <= MAX_RESTARTS and wait_until(
            lambda: bool(children_of(process.pid) - killed)
        ):
            for pid in children_of(process.pid) - killed:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        assert process.wait(timeout=WAIT_SECONDS) == 1
    said = stderr_of(process, log)
    assert f"{MAX_RESTARTS + 1} deaths in 60 s: giving up, stopping every worker" in said


def test_workers_stop_when_their_parent_is_killed(redis_url: str, log: IO[str]) -> None:
    with served("--workers", "2", "--store", redis_url, stderr=log) as (process, base):
        pids = pids_until(base, lambda seen: len(seen) == 2)
        process.kill()
        process.wait(timeout=WAIT_SECONDS)
        # Orphans: reaped by whoever adopts them, so gone once they exit.
        assert wait_until(lambda: all(gone(pid) for pid in pids)), stderr_of(process, log)


def test_workers_stop_when_their_parent_is_killed_while_they_start(
    redis_url: str, log: IO[str]
) -> None:
    process = subprocess.Popen(
        [*MOCK_EFIDEM, "serve", "--port", "0", "--workers", "2", "--store", redis_url],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        assert wait_until(lambda: len(children_of(process.pid)) == 2)
        pids = children_of(process.pid)
    finally:
        process.kill()
        process.wait(timeout=WAIT_SECONDS)
    assert wait_until(lambda: all(gone(pid) for pid in pids)), stderr_of(process, log)


def test_a_configuration_the_workers_refuse_stops_the_parent_with_2(
    redis_url: str, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\naccounts: nope\n", encoding="utf-8")
    result = run_cli(
        *("serve", "--port", "0", "--workers", "2", "--store", redis_url, "--scenario", broken),
        timeout=WAIT_SECONDS,
    )
    assert result.returncode == 2
    assert result.stdout == ""  # never announced: it never served
    assert "accounts: 'nope' is not of type 'array'" in result.stderr
    assert "exited before serving (exit status 2)" in result.stderr
    assert "restarting" not in result.stderr


def test_a_busy_port_is_a_clear_error_with_workers(redis_url: str) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), "--workers", "2", "--store", redis_url)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


# The slow calls (SLOW) that tests/test_drain.py drains.


def test_a_sigterm_during_calls_lets_every_worker_answer_its_own(
    redis_url: str, log: IO[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "slow.yaml"
    scenario.write_text(SLOW, encoding="utf-8")
    arguments = ("--workers", "2", "--store", redis_url, "--scenario", scenario)
    with served(*arguments, stderr=log) as (process, base):
        pids_until(base, lambda seen: len(seen) == 2)  # both up: each accepts its share
        answers = slow_calls_through_sigterm(base, process)
        assert [a.status_code for a in answers] == [200] * 32
        assert process.wait(timeout=WAIT_SECONDS) == 0, stderr_of(process, log)


def test_the_workers_do_not_announce_the_address_again(redis_url: str) -> None:
    with served("--workers", "2", "--store", redis_url, stderr=subprocess.DEVNULL) as (
        process,
        base,
    ):
        pids_until(base, lambda seen: len(seen) == 2)
        process.send_signal(signal.SIGTERM)
        assert process.stdout is not None
        rest = process.stdout.read()  # to the end: every worker has exited by then
    assert "listening" not in rest
    assert rest.splitlines() == [
        f"  SOAP endpoint {base}/soap (WSDL: {base}/soap?wsdl)",
        f"  inbox {base}/_mock/inbox",
    ]
