"""The command line in a child process, as people run it: ``python -m mock_efidem ...``
to its end (``run_cli``), or ``serve --port 0`` for the length of a ``with`` block
(``served``), which yields the process and the address its first line announces; and
a free loopback port for a child to listen on (``free_port``)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LISTENING = re.compile(r"^mock-efidem listening on (http://127\.0\.0\.1:\d+)$")
MOCK_EFIDEM = (sys.executable, "-m", "mock_efidem")


def run_cli(
    *arguments: str | Path, cwd: Path | None = None, timeout: float = 60, **environment: str
) -> subprocess.CompletedProcess[str]:
    """``python -m mock_efidem *arguments``, run to its end: its status and its output
    as text. ``environment`` adds to (or overrides) this process's variables."""
    return subprocess.run(
        [*MOCK_EFIDEM, *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **environment},
    )


@contextmanager
def served(
    *arguments: str | Path,
    cwd: Path | None = None,
    stderr: Any = subprocess.DEVNULL,
    program: Sequence[str] = MOCK_EFIDEM,
    new_session: bool = False,
    **environment: str,
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``program serve --port 0 *arguments`` (``program``: ``python -m mock_efidem``
    unless told, e.g. the console script) while the block runs: the process and its
    base URL. ``stderr`` goes where Popen sends it: DEVNULL, PIPE or a file (a pipe
    nobody reads can fill and block a server that logs much). ``new_session`` makes it
    lead a process group of its own, as a terminal's job (for ``os.killpg``). Afterwards
    the process is terminated (SIGTERM) and waited for, killed if it has not stopped in
    10 s: its ``returncode`` is then the exit status."""
    process = subprocess.Popen(
        [*program, "serve", "--port", "0", *map(str, arguments)],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        cwd=cwd,
        env={**os.environ, **environment},
        start_new_session=new_session,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline().strip()
        listening = LISTENING.match(first_line)
        if listening is None:
            end(process)
            raise AssertionError(
                f"mock-efidem serve did not announce its address: first line {first_line!r}, "
                f"exit status {process.returncode}; its stderr: {stderr_of(process, stderr)}"
            )
        yield process, listening.group(1)
    finally:
        stop(process)


def end(process: subprocess.Popen[str]) -> None:
    """SIGTERM (nothing if it has exited), a wait of 10 s, SIGKILL if it has not
    stopped by then."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def stop(process: subprocess.Popen[str]) -> None:
    """``end`` it, then close its pipes."""
    end(process)
    for stream in (process.stdout, process.stderr):
        if stream is not None and not stream.closed:
            stream.close()


def stderr_of(process: subprocess.Popen[str], stderr: Any) -> str:
    """What a stopped server wrote on ``stderr``, where that can be read back: a pipe,
    a readable file, or the file of a file's name."""
    if process.stderr is not None and not process.stderr.closed:
        text: str = process.stderr.read()
        return text
    if hasattr(stderr, "seek") and hasattr(stderr, "read"):
        try:
            stderr.seek(0)
            said: str = stderr.read()
            return said
        except (OSError, ValueError):  # a file opened for writing only
            pass
    name = getattr(stderr, "name", None)
    if isinstance(name, str) and Path(name).is_file():
        return Path(name).read_text(encoding="utf-8", errors="replace")
    return "not kept (DEVNULL, or a stream this cannot read back)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
