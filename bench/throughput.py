"""SOAP and DQE throughput over loopback, with concurrent clients.

    .venv/bin/python bench/throughput.py [--threads 8] [--seconds 5] [--server cheroot|werkzeug]

The server runs in its own process (as `mock-efidem serve` does), so that the client
threads here do not share its interpreter lock. Each client thread keeps one HTTP
connection and sends calls for the given time; the figure is calls answered per
second. `--server werkzeug` serves the same application with werkzeug's threaded
development server, for comparison.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import requests

ENVELOPE = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    '<{op} xmlns="http://www.efidem.com/"><UTILISATEUR>demo</UTILISATEUR>'
    "<MOT_DE_PASSE>demo</MOT_DE_PASSE><AppID>demo</AppID>{fields}</{op}></s:Body></s:Envelope>"
)
SEND_EMAIL = ENVELOPE.format(
    op="ENVOYER_EMAIL",
    fields="<DESTINATION>jean@example.fr</DESTINATION><SUJET>Bench</SUJET>"
    "<TEXTE>Bonjour</TEXTE><EMETTEUR>app@example.com</EMETTEUR>",
)
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}

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
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--server", choices=("cheroot", "werkzeug"), default="cheroot")
    arguments = parser.parse_args()
    base, process = start_server(arguments.server)

    def send(session: requests.Session) -> bool:
        answer = session.post(f"{base}/soap", data=SEND_EMAIL, headers=HEADERS, timeout=30)
        return answer.status_code == 200

    def lookup(session: requests.Session) -> bool:
        parameters = {"Email": "jean@gmail.com", "Licence": "DQE-DEMO-L1"}
        answer = session.get(f"{base}/DQEEMAILLOOKUP/", params=parameters, timeout=30)
        return answer.status_code == 200

    try:
        for name, call in (("ENVOYER_EMAIL", send), ("DQEEMAILLOOKUP", lookup)):
            rate = hammer(call, arguments.threads, arguments.seconds)
            print(
                f"{arguments.server}: {name}: {rate:.0f} calls/s "
                f"({arguments.threads} client threads, {arguments.seconds:g} s)"
            )
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
