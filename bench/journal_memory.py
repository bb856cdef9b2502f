"""The journal's memory under load: 50,000 calls with 10 KB bodies, RSS sampled.

Two servers, side by side in one run: the reference keeps a 1 MiB journal, the other
the default (64 MiB, or ``--journal-bytes``). Each takes the same calls, ENVOYER_EMAIL
with a 10 KB TEXTE and a malformed address: answered -9, so that no message is stored
and the journal is all that grows. The report gives each server's RSS growth from its
first call on (what the reference grows is the server's own warming up), and the
difference between the two against the difference of their bounds: the journal must
hold within its byte bound plus a fixed margin.

    python bench/journal_memory.py            # 50,000 calls each
    python bench/journal_memory.py --quick    # 5,000: a smoke run
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from harness import (
    Load,
    ServerProcess,
    check_answer,
    load_client,
    log,
    mock_command,
    run_load,
    soap,
)

MIB = 1024 * 1024
REFERENCE_BYTES = 1 * MIB
DEFAULT_BYTES = 64 * MIB
MARGIN = 32 * MIB
"""What the journal may take beyond its byte bound: Python's objects around the texts
counted, and the allocator's slack."""
BODY = soap(
    "ENVOYER_EMAIL",
    DESTINATION="jean.dupont@",
    SUJET="Bench",
    TEXTE="x" * 10_000,
    EMETTEUR="app@example.com",
)
ANSWER = r"Result>.9<"
"""-9, written so that wrk's Lua patterns read it too (a "-" is special there)."""
SLICE_SECONDS = 3.0


@dataclass(frozen=True)
class Run:
    journal_bytes: int
    calls: int
    start_rss: int
    peak_rss: int

    @property
    def growth(self) -> int:
        return self.peak_rss - self.start_rss


def measure(journal_bytes: int, calls: int, client: str) -> Run:
    command = [*mock_command(), "--journal-bytes", str(journal_bytes), "--log-level", "WARNING"]
    with ServerProcess(command) as server:
        url = f"{server.url}/soap"
        check_answer(url, BODY, ANSWER)
        load = Load(url, BODY, ANSWER)
        start = server.rss_bytes()
        peak, done = start, 0
        while done < calls:
            done += _calls_until(server, load, min(calls - done, 10_000), client)
            peak = max(peak, server.rss_bytes())
            log(f"  journal {journal_bytes // MIB} MiB: {done:,} calls, RSS {peak / MIB:.0f} MiB")
        return Run(journal_bytes, done, start, peak)


def _calls_until(server: ServerProcess, load: Load, wanted: int, client: str) -> int:
    done = 0
    while done < wanted:
        result = run_load(client, load, 4, SLICE_SECONDS)
        if result.bad:
            raise RuntimeError(f"{result.bad} bad answers: {server.errors()}")
        done += result.calls
    return done


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 calls instead of 50,000")
    parser.add_argument("--journal-bytes", type=int, default=DEFAULT_BYTES)
    parser.add_argument("--client", choices=("wrk", "python"), default=None)
    arguments = parser.parse_args(argv)
    calls = 5_000 if arguments.quick else 50_000
    client = load_client(arguments.client)
    reference = measure(REFERENCE_BYTES, calls, client)
    measured = measure(arguments.journal_bytes, calls, client)
    print(report(reference, measured))
    excess = measured.growth - reference.growth
    bound = measured.journal_bytes - reference.journal_bytes
    return 0 if excess <= bound + MARGIN else 1


def report(reference: Run, measured: Run) -> str:
    def row(name: str, run: Run) -> str:
        return (
            f"| {name} | {run.journal_bytes / MIB:.0f} MiB | {run.calls:,} | "
            f"{run.start_rss / MIB:.0f} MiB | {run.peak_rss / MIB:.0f} MiB | "
            f"{run.growth / MIB:.0f} MiB |"
        )

    excess = measured.growth - reference.growth
    bound = measured.journal_bytes - reference.journal_bytes
    return "\n".join(
        [
            "| server | journal bound | calls (10 KB bodies) | RSS at start | RSS peak | growth |",
            "|---|---|---|---|---|---|",
            row("reference", reference),
            row("measured", measured),
            "",
            f"growth beyond the reference: {excess / MIB:.1f} MiB, for {bound / MIB:.0f} MiB more "
            f"journal (ratio {excess / bound:.2f}); allowed: the bound + {MARGIN // MIB} MiB.",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
