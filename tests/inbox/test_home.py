"""``GET /`` is a page that leads to the inbox; the other SOAP paths answer GET as
they did."""

from __future__ import annotations

from mock_efidem.server import MockServer
from tests.inbox.conftest import HTML, assert_secured, get


def test_the_root_is_a_page_that_leads_to_the_inbox(server: MockServer) -> None:
    answer = get(server, "/")

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == HTML
    assert_secured(answer)
    for link in ('href="/_mock/inbox"', 'href="/soap?wsdl"', 'href="/_mock/health"'):
        assert link in answer.text


def test_other_soap_paths_still_answer_get_as_before(server: MockServer) -> None:
    for path in ("/soap", "/Service.asmx"):
        answer = get(server, path)
        assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert answer.text.startswith("mock-efidem SOAP endpoint")
    wsdl = get(server, "/?wsdl")
    assert wsdl.headers["Content-Type"] == "text/xml; charset=utf-8"
