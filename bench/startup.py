"""How long `with MockEfidem() as mock:` takes to be ready, and a reset.

    .venv/bin/python bench/startup.py [--runs 20]

Import time is measured once, apart: it is paid once per test session.
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.request


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    started = time.perf_counter()
    from mock_efidem.api import MockEfidem

    imported = time.perf_counter() - started
    enter, reset = [], []
    for _ in range(runs):
        started = time.perf_counter()
        with MockEfidem() as mock:
            urllib.request.urlopen(f"{mock.base_url}/_mock/health").read()
            enter.append(time.perf_counter() - started)
            started = time.perf_counter()
            mock.reset()
            reset.append(time.perf_counter() - started)
    print(f"import mock_efidem.api: {imported * 1000:.0f} ms (once per process)")
    print(
        f"start, ready and first health answer: median {statistics.median(enter) * 1000:.1f} ms,"
        f" max {max(enter) * 1000:.1f} ms over {runs} runs"
    )
    print(f"reset over HTTP: median {statistics.median(reset) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
