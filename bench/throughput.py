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
import statistics
import subprocess
import sys

from harness import ID_PATTERN, SEND_EMAIL, Load, load_client, run_load

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


def start_server(kind: str) -> tuple[str, subprocess.Popen[str]]:
    if kind == "werkzeug":
        command = [sys.executable, "-c", WERKZEUG_SERVER]
    else:
        command = [sys.executable, "-m", "mock_efidem", "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process.stdout.readline().split(" on ", 1)[1].strip(), process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--server", choices=("waitress", "werkzeug"), default="waitress")
    parser.add_argument("--client", choices=("wrk", "python"), default=None)
    parser.add_argument("--rounds", type=int, default=3, help="the median round is shown")
    arguments = parser.parse_args()
    client = load_client(arguments.client)
    base, process = start_server(arguments.server)
    lookup_url = f"{base}/DQEEMAILLOOKUP/?Email=jean@gmail.com&Licence=DQE-DEMO-L1"
    try:
        cases = {
            "ENVOYER_EMAIL": Load(f"{base}/soap", SEND_EMAIL, ID_PATTERN),
            "DQEEMAILLOOKUP": Load(lookup_url),
        }
        for name, load in cases.items():
            rates = [
                run_load(client, load, arguments.connections, arguments.seconds).rate
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
