"""SOAP and DQE throughput over loopback, with concurrent clients.

    .venv/bin/python bench/throughput.py [--server waitress|werkzeug] [--client wrk|python]
                                         [--connections 8] [--seconds 5] [--rounds 3]

The server runs in its own process: `mock-efidem serve` (waitress), or the same
application under werkzeug's threaded development server, for comparison. The client
is wrk when it is installed (apt-get install wrk: a C client, so the figure is the
server's), else Python threads with requests (which load the 2 cores themselves). Each
connection is kept alive and sends calls for the given time; the figure is calls
answered per second, the median of the rounds.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable

import requests
from harness import HEADERS, SEND_EMAIL  # the call every benchmark sends

WERKZEUG_SERVER = """
import logging, sys
from werkzeug.serving import make_server
from mock_efidem.app import MockApplication
from mock_efidem.settings import Settings
from mock_efidem.world import World
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = make_server("127.0.0.1", 0, MockApplication(World(Settings()), "http://x/soap"),
                     threaded=True)
print(f"mock-efidem listening on http://127.0.0.1:{server.server_port}", flush=True)
server.serve_forever()
"""


WRK_POST = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.body = [[{body}]]
"""


def wrk_rate(url: str, connections: int, seconds: float, body: str | None) -> float:
    command = ["wrk", f"-c{connections}", "-t2", f"-d{seconds:g}s", url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if body is not None:
            script.write(WRK_POST.format(body=body))
            script.flush()
            command[1:1] = ["-s", script.name]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]


def start_server(kind: str) -> tuple[str, subprocess.Popen[str]]:
    if kind == "werkzeug":
        command = [sys.executable, "-c", WERKZEUG_SERVER]
    else:
        command = [sys.executable, "-m", "mock_efidem", "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process.stdout.readline().split(" on ", 1)[1].strip(), process


def hammer(call: Callable[[requests.Session], bool], threads: int, seconds: float) -> float:
    done = [0] * threads
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        with requests.Session() as session:
            while time.perf_counter() < deadline:
                if call(session):
                    done[index] += 1

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--server", choices=("waitress", "werkzeug"), default="waitress")
    parser.add_argument("--client", choices=("wrk", "python"), default=None)
    parser.add_argument("--rounds", type=int, default=3, help="the median round is shown")
    arguments = parser.parse_args()
    client = arguments.client or ("wrk" if shutil.which("wrk") else "python")
    base, process = start_server(arguments.server)
    lookup_url = f"{base}/DQEEMAILLOOKUP/?Email=jean@gmail.com&Licence=DQE-DEMO-L1"

    def send(session: requests.Session) -> bool:
        answer = session.post(f"{base}/soap", data=SEND_EMAIL, headers=HEADERS, timeout=30)
        return answer.status_code == 200

    def lookup(session: requests.Session) -> bool:
        return session.get(lookup_url, timeout=30).status_code == 200

    try:
        cases = {
            "ENVOYER_EMAIL": (send, f"{base}/soap", SEND_EMAIL),
            "DQEEMAILLOOKUP": (lookup, lookup_url, None),
        }
        for name, (call, url, body) in cases.items():
            rates = [
                wrk_rate(url, arguments.connections, arguments.seconds, body)
                if client == "wrk"
                else hammer(call, arguments.connections, arguments.seconds)
                for _ in range(arguments.rounds)
            ]
            print(
                f"{arguments.server}: {name}: {statistics.median(rates):.0f} calls/s, median of "
                f"{arguments.rounds} rounds of {arguments.seconds:g} s "
                f"({client} client, {arguments.connections} connections; rounds: "
                f"{', '.join(f'{r:.0f}' for r in rates)})"
            )
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
