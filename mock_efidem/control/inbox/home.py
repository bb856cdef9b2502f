"""``GET /``: what this server is, and where to go from here."""

from __future__ import annotations

from mock_efidem import __version__
from mock_efidem.control.inbox.html import CALLS, INBOX, asset_url

LINKS = (
    (INBOX, "home-inbox", "The inbox", "what your application sent, live"),
    (CALLS, "home-calls", "The calls", "every call, rejected ones with their code and why"),
    ("/soap?wsdl", "home-wsdl", "The WSDL", "for your SOAP client (endpoint: /soap)"),
    ("/_mock/health", "home-health", "Health", "JSON: up, version, number of messages"),
)


def home_page() -> str:
    items = "".join(
        f'<li><a href="{href}" data-testid="{testid}">{label}</a> '
        f'<span class="muted">{text}</span></li>'
        for href, testid, label, text in LINKS
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>mock-efidem</title><link rel="stylesheet" href="{asset_url("inbox.css")}">'
        '</head><body data-page="home"><main id="main" class="home">'
        f"<h1>mock-efidem <small>{__version__}</small></h1>"
        "<p>An offline stand-in for Efidem's SOAP messaging service (email, relay email, "
        "SMS, letters, fax) and DQE's email lookup.</p>"
        f'<ul class="home-links" data-testid="home-links">{items}</ul></main></body></html>'
    )
