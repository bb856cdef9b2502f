"""Every inbox page and asset says what it is and what it may do: its content type, a
Content-Security-Policy that runs no script but the inbox's own, no sniffing, no
referrer; and GET / is a page that leads to the inbox."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from mock_efidem.server import MockServer
from tests.inbox.conftest import (
    HTML,
    assert_secured,
    get,
    page,
    pdf_files,
    send_email,
    send_letter,
)


@pytest.fixture
def pages(server: MockServer, soap: Any, auth: dict[str, str]) -> list[str]:
    email = send_email(soap, auth, LISTE_FICHIERS=pdf_files())
    letter = send_letter(soap, auth)
    entry = requests.get(f"{server.base_url}/_mock/journal", timeout=5).json()["entries"][0]
    return [
        "/_mock/inbox",
        "/_mock/inbox?channel=sms&q=x&final=true",
        f"/_mock/inbox/{email}",
        f"/_mock/inbox/{letter}",
        "/_mock/inbox/calls",
        f"/_mock/inbox/calls/{entry['id']}",
    ]


def test_every_page_is_html_with_its_policy(server: MockServer, pages: list[str]) -> None:
    for path in pages:
        answer = get(server, path)
        assert answer.status_code == 200, path
        assert answer.headers["Content-Type"] == HTML
        assert answer.headers["Cache-Control"] == "no-store"
        assert_secured(answer)


def test_a_page_has_no_inline_script_nor_meta_refresh(server: MockServer, pages: list[str]) -> None:
    own = re.compile(r'<script src="/_mock/static/inbox\.js\?v=\w+" defer>')
    for path in pages:
        html = page(server, path)
        assert [own.fullmatch(s) is not None for s in re.findall(r"<script[^>]*>", html)] == [True]
        assert "http-equiv" not in html
        tags_alone = re.sub(r'"[^"]*"', '""', html)  # attribute values left out
        assert re.search(r"<[a-z][^>]*\son[a-z]+=", tags_alone) is None  # no onclick=…


@pytest.mark.parametrize(
    ("name", "content_type", "first"),
    [
        ("inbox.js", "text/javascript; charset=utf-8", b"/*"),
        ("inbox.css", "text/css; charset=utf-8", b"/*"),
    ],
)
def test_the_assets_are_served_with_their_types(
    server: MockServer, name: str, content_type: str, first: bytes
) -> None:
    answer = get(server, f"/_mock/static/{name}")

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == content_type
    assert answer.content.startswith(first)
    assert_secured(answer)
    again = requests.get(answer.url, headers={"If-None-Match": answer.headers["ETag"]}, timeout=5)
    assert again.status_code == 304


def test_an_unknown_asset_is_a_404(server: MockServer) -> None:
    for name in ("nope.js", "..%2Fapi.py", "inbox.js.map"):
        assert get(server, f"/_mock/static/{name}").status_code == 404


def test_the_page_names_its_assets_by_their_content(server: MockServer) -> None:
    html = page(server, "/_mock/inbox")
    for name in ("inbox.js", "inbox.css"):
        link = re.search(rf'"/_mock/static/{re.escape(name)}\?v=(\w+)"', html)
        assert link is not None
        assert get(server, f"/_mock/static/{name}?v={link.group(1)}").status_code == 200


def test_reading_the_inbox_leaves_the_journal_as_it_was(
    server: MockServer, pages: list[str]
) -> None:
    before = requests.get(f"{server.base_url}/_mock/journal/count", timeout=5).json()["count"]
    for path in [*pages, "/_mock/inbox/rows", "/_mock/inbox/calls/rows", "/_mock/static/inbox.js"]:
        assert get(server, path).status_code == 200
    after = requests.get(f"{server.base_url}/_mock/journal/count", timeout=5).json()["count"]
    assert after == before
