"""``serve`` says where the inbox is, after the lines tools read."""

from __future__ import annotations

import requests

from tests.processes import served


def test_serve_names_the_inbox_after_its_address_and_the_soap_endpoint() -> None:
    with served() as (process, url):
        assert process.stdout is not None
        lines = [process.stdout.readline().rstrip("\n") for _ in range(2)]

        assert lines == [
            f"  SOAP endpoint {url}/soap (WSDL: {url}/soap?wsdl)",
            f"  inbox {url}/_mock/inbox",
        ]
        assert requests.get(f"{url}/_mock/inbox", timeout=10).status_code == 200
