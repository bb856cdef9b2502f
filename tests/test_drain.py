"""SIGTERM drains (issue 11, point 7): calls already accepted, queued or running, are
answered before the process exits, and a long poll answers its normal empty page."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from tests.processes import served

SLOW = """\
name: slow
accounts: [{user: demo, password: demo, app_id: demo}]
faults:
  - {operation: VERIFIER_ADRESSE_EMAIL, latency: 0.4}
"""
CALL = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    '<VERIFIER_ADRESSE_EMAIL xmlns="http://www.efidem.com/"><UTILISATEUR>demo</UTILISATEUR>'
    "<MOT_DE_PASSE>demo</MOT_DE_PASSE><AppID>demo</AppID>"
    "<DESTINATAIRE>jean@example.fr</DESTINATAIRE></VERIFIER_ADRESSE_EMAIL></s:Body></s:Envelope>"
)


def slow_calls_through_sigterm(base: str, process: subprocess.Popen[str]) -> list[Any]:
    """32 slow calls (CALL under SLOW) at once, and a SIGTERM 0.3 s later: the answers."""
    with ThreadPoolExecutor(32) as pool:
        calls = [
            pool.submit(requests.post, f"{base}/soap", data=CALL, timeout=30) for _ in range(32)
        ]
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        return [call.result() for call in calls]


def test_a_sigterm_during_32_queued_calls_answers_all_of_them(tmp_path: Path) -> None:
    scenario = tmp_path / "slow.yaml"
    scenario.write_text(SLOW, encoding="utf-8")
    with served("--scenario", scenario, stderr=subprocess.PIPE) as (process, base):
        # 32 calls of 0.4 s on 8 workers: 1.6 s of work, most of it queued at the signal.
        answers = slow_calls_through_sigterm(base, process)
        assert [a.status_code for a in answers] == [200] * 32
        assert all("VERIFIER_ADRESSE_EMAILResult>0<" in a.text for a in answers)
        assert process.wait(timeout=30) == 0


def test_a_pending_long_poll_answers_empty_at_sigterm(tmp_path: Path) -> None:
    scenario = tmp_path / "slow.yaml"
    scenario.write_text(SLOW, encoding="utf-8")
    answer: dict[str, Any] = {}

    def long_poll() -> None:
        response = requests.get(f"{base}/_mock/messages", params={"wait": 30}, timeout=60)
        answer.update(status=response.status_code, body=response.json())

    with served("--scenario", scenario, stderr=subprocess.PIPE) as (process, base):
        poller = threading.Thread(target=long_poll)
        poller.start()
        time.sleep(0.5)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        poller.join(timeout=20)
        assert answer == {
            "status": 200,
            "body": {"count": 0, "total": 0, "next": None, "messages": []},
        }
        assert process.wait(timeout=20) == 0
        assert time.monotonic() - started < 5
