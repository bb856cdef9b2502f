"""Each channel as its user thinks of it: an email with its headers and its HTML, text
and source; an SMS as a phone's bubble with its length in SMS; a letter as its
envelope's window; a fax with its cover page; a relay email with its TO/CC and what
it tracks. Nothing here shows a Python value as Python writes it.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mock_efidem.control.inbox.calls import source_html
from mock_efidem.control.inbox.html import INBOX, esc, when
from mock_efidem.control.inbox.sms import sms_length
from mock_efidem.control.inbox.words import size
from mock_efidem.domain.models import Attachment, Channel, Message, PostalAddress, PostalName
from mock_efidem.journal import JournalEntry

LINE_LENGTH = 38
"""What La Poste's machines read of an address line (NF Z10-011)."""
FRANCE = frozenset({"", "france", "fr", "fra"})
VIEWABLE = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain"})
"""What a browser shows in a tab of its own without running anything in it."""
BASE = '<base target="_blank">'
"""Put first in an HTML body's frame: its links open in a new tab, outside the inbox."""
Fact = tuple[str, str, str]
"""(label, value, data-testid)."""


def channel_html(message: Message, send: JournalEntry | None) -> str:
    render = RENDERERS[message.channel]
    return render(message, send)


def _email(message: Message, send: JournalEntry | None) -> str:
    facts = (
        ("From (EMETTEUR)", message.sender, "email-from"),
        ("Reply-to (REPONDRE_A)", message.reply_to, "email-reply-to"),
        ("Subject (SUJET)", message.subject, "email-subject"),
        ("Billing code (CODE_FACTURATION)", message.billing_code, "email-billing-code"),
        ("REFCLIENT", message.reference, "email-refclient"),
    )
    return (
        f'<section class="email" data-testid="email">{dl(facts, "email-headers")}'
        f"{_body_tabs(message, send)}{attachments_html(message)}</section>"
    )


def _relay(message: Message, send: JournalEntry | None) -> str:
    kinds = {
        kind: [r.address for r in message.recipients if r.kind == kind] for kind in ("to", "cc")
    }
    options = message.options
    facts = (
        ("From (EMETTEUR)", message.sender, "relay-from"),
        ("Reply-to (REPONDRE_A)", message.reply_to, "relay-reply-to"),
        ("To (DESTINATIONS_A)", ", ".join(kinds["to"]), "relay-to"),
        ("Cc (DESTINATIONS_CC)", ", ".join(kinds["cc"]), "relay-cc"),
        ("Subject (SUJET)", message.subject, "relay-subject"),
        ("Bounces to (ERREURS_VERS)", str(options.get("errors_to") or ""), "relay-errors-to"),
        ("Tracks opens (OUVERTURE)", yes_no(options.get("track_opens")), "relay-opens"),
        ("Tracks clicks (CLICS)", yes_no(options.get("track_clicks")), "relay-clicks"),
        ("Billing code (CODE_FACTURATION)", message.billing_code, "relay-billing-code"),
        ("REFCLIENT", message.reference, "relay-refclient"),
    )
    return (
        f'<section class="email relay" data-testid="relay">{dl(facts, "relay-headers")}'
        f"{_body_tabs(message, send)}{attachments_html(message)}</section>"
    )


def _sms(message: Message, send: JournalEntry | None) -> str:
    length = sms_length(message.text)
    wire = "EMETTEUR" if message.operation == "send_multi_sms" else "DA"
    sender = esc(message.sender) if message.sender else '<span class="muted">(no sender)</span>'
    per = "SMS" if length.segments == 1 else "part"
    facts = (("Billing code (CODE_FACTURATION)", message.billing_code, "sms-billing-code"),)
    return (
        '<section class="sms" data-testid="sms"><div class="phone" data-testid="sms-phone">'
        f'<div class="phone-head">Sender ({wire}) <b data-testid="sms-sender">{sender}</b></div>'
        f'<div class="bubble" data-testid="sms-bubble">{esc(message.text)}</div></div>'
        f'<p class="sms-length" data-testid="sms-length"><span data-testid="sms-characters">'
        f"{length.characters}</span> characters · "
        f'<span data-testid="sms-encoding">{length.encoding}</span> · '
        f'<span data-testid="sms-segments">{length.segments}</span> SMS '
        f'<span class="muted">({length.units} {_units(length.encoding)}; up to '
        f"{length.per_segment} per {per})</span></p>"
        f"{dl(facts, 'sms-facts')}{_source(send)}</section>"
    )


def _units(encoding: str) -> str:
    return "septets" if encoding == "GSM-7" else "UTF-16 units"


def _letter(message: Message, send: JournalEntry | None) -> str:
    options = message.options
    envelope = str(options.get("envelope") or "C5")
    tracking = options.get("tracking")
    tracked = tracking if isinstance(tracking, Mapping) else {"number": tracking or ""}
    facts: list[Fact] = [
        ("Envelope (Type_lettre)", envelope, "letter-format"),
        ("Colour (Couleur)", yes_no(options.get("colour")), "letter-colour"),
    ]
    if "recto_verso" in options:
        facts.append(("Recto-verso", yes_no(options["recto_verso"]), "letter-recto-verso"))
    facts += [
        ("Tracking number", str(tracked.get("number") or ""), "letter-tracking"),
        ("Carrier", str(tracked.get("carrier") or ""), "letter-carrier"),
        ("Print centre", str(tracked.get("print_centre") or ""), "letter-print-centre"),
        ("Subject (Sujet)", message.subject, "letter-subject"),
        ("Billing code (Facturation)", message.billing_code, "letter-billing-code"),
        ("REFCLIENT (Reference_client)", message.reference, "letter-refclient"),
    ]
    lines = "".join(
        f'<span class="line{" too-long" if len(line) > LINE_LENGTH else ""}" '
        f'data-testid="address-line"'
        f"{_too_long(line)}>{esc(line)}</span>"
        for line in window_lines(options.get("postal_name"), options.get("postal_address"))
    )
    shape = "c6" if envelope.upper() == "C6" else "c5"
    return (
        '<section class="letter" data-testid="letter">'
        f'<div class="envelope envelope-{shape}" data-testid="letter-envelope">'
        '<span class="stamp" aria-hidden="true"></span>'
        f'<address class="window" data-testid="letter-address">{lines}</address></div>'
        f"{dl(facts, 'letter-facts')}{attachments_html(message, 'Documents')}"
        f"{_source(send)}</section>"
    )


def _too_long(line: str) -> str:
    if len(line) <= LINE_LENGTH:
        return ""
    return f' title="{len(line)} characters: La Poste reads {LINE_LENGTH} a line"'


def window_lines(name: object, address: object) -> list[str]:
    """The address as La Poste reads it through the window: the company, then the
    person (civility, first name, name), the address lines, POSTCODE CITY, and the
    country when it is not France."""
    person = name if isinstance(name, PostalName) else PostalName()
    place = address if isinstance(address, PostalAddress) else PostalAddress()
    full_name = " ".join(p for p in (person.civility, person.first_name, person.last_name) if p)
    country = place.country.strip()
    lines = [
        person.company,
        full_name,
        place.line1,
        place.line2,
        place.line3,
        f"{place.postcode} {place.city.upper()}",
        "" if country.lower() in FRANCE else country.upper(),
    ]
    return [" ".join(line.split()) for line in lines if line.strip()]


def _fax(message: Message, send: JournalEntry | None) -> str:
    recipient = message.recipients[0]
    cover = str(message.options.get("cover_page") or "")
    facts = (
        ("To (NOM_DESTINATAIRE)", recipient.name, "fax-to"),
        ("Fax number (DESTINATION)", recipient.address, "fax-number"),
        ("Date", when(message.created_at), "fax-date"),
        ("Pages attached", str(len(message.attachments)), "fax-pages"),
        ("REFCLIENT", message.reference, "fax-refclient"),
    )
    cover_text = (
        f'<div class="cover-text" data-testid="fax-cover-text">{esc(cover)}</div>'
        if cover
        else '<p class="muted" data-testid="fax-cover-text">No cover page text (PAGE_DE_GARDE).</p>'
    )
    text = (
        f'<h2>Text (TEXTE)</h2><pre class="text" data-testid="fax-text">{esc(message.text)}</pre>'
        if message.text
        else ""
    )
    billing = (("Billing code (CODE_FACTURATION)", message.billing_code, "fax-billing-code"),)
    return (
        '<section class="fax" data-testid="fax"><div class="fax-cover" data-testid="fax-cover">'
        f'<p class="fax-title">FAX</p>{dl(facts, "fax-facts")}{cover_text}</div>{text}'
        f"{dl(billing, 'fax-billing')}{attachments_html(message, 'Documents')}"
        f"{_source(send)}</section>"
    )


def _body_tabs(message: Message, send: JournalEntry | None) -> str:
    """HTML, text and source, as tabs (inbox.js) or one after another (no script)."""
    html = (
        '<iframe class="html-body" sandbox="allow-popups allow-popups-to-escape-sandbox" '
        f'title="HTML body" data-testid="html-frame" srcdoc="{esc(BASE + message.html)}">'
        "</iframe>"
        if message.html
        else '<p class="muted" data-testid="no-html">No HTML part.</p>'
    )
    text = (
        f'<pre class="text" data-testid="text-body">{esc(message.text)}</pre>'
        if message.text
        else '<p class="muted" data-testid="no-text">No text part.</p>'
    )
    panels = (
        ("html", "HTML", html),
        ("text", "Text", text),
        ("source", "Source", source_html(send)),
    )
    first = "html" if message.html or not message.text else "text"
    tabs = "".join(
        f'<button type="button" role="tab" data-tab="{name}" data-testid="tab-{name}" '
        f'aria-selected="{str(name == first).lower()}">{label}</button>'
        for name, label, _ in panels
    )
    sections = "".join(
        f'<section class="panel" role="tabpanel" data-panel="{name}" '
        f'data-testid="panel-{name}"><h2 class="panel-title">{label}</h2>{content}</section>'
        for name, label, content in panels
    )
    return (
        f'<div class="tabs" data-testid="body-tabs" data-first="{first}">'
        f'<div class="tablist js-only" role="tablist">{tabs}</div>{sections}</div>'
    )


def _source(send: JournalEntry | None) -> str:
    return (
        '<details class="source" data-testid="source"><summary>Source (the request)</summary>'
        f"{source_html(send)}</details>"
    )


def attachments_html(message: Message, title: str = "Attachments") -> str:
    if not message.attachments:
        return ""
    items = "".join(_attachment(message.id, n, a) for n, a in enumerate(message.attachments))
    return (
        f'<section class="attachments" data-testid="attachments"><h2>{esc(title)} '
        f"({len(message.attachments)})</h2><ul>{items}</ul></section>"
    )


def _attachment(message_id: str, index: int, attachment: Attachment) -> str:
    kind = attachment_type(attachment)
    where = f"{esc(message_id)}/attachments/{index}"
    view = (
        f' <a href="{INBOX}/{where}" target="_blank" rel="noopener" '
        'data-testid="attachment-view">View</a>'
        if kind in VIEWABLE
        else ""
    )
    return (
        f'<li data-testid="attachment"><a href="/_mock/messages/{where}" download '
        f'data-testid="attachment-download">{esc(attachment.name or "(no name)")}</a> '
        f'<span class="size" data-testid="attachment-size">{size(attachment.size)}</span> '
        f'<span class="type" data-testid="attachment-type">{esc(kind)}</span>{view}</li>'
    )


def attachment_type(attachment: Attachment) -> str:
    """The type its name says, else a PDF by its first bytes, else bytes."""
    guessed = mimetypes.guess_type(attachment.name)[0]
    if guessed is None and attachment.content.startswith(b"%PDF-"):
        return "application/pdf"
    return guessed or "application/octet-stream"


def yes_no(value: Any) -> str:
    return "yes" if value else "no"


def dl(facts: Iterable[Fact], testid: str) -> str:
    """A definition list of the facts that have a value."""
    rows = "".join(
        f'<div><dt>{esc(label)}</dt><dd data-testid="{testid_}">{esc(value)}</dd></div>'
        for label, value, testid_ in facts
        if value
    )
    return f'<dl class="facts" data-testid="{testid}">{rows}</dl>' if rows else ""


Renderer = Callable[[Message, "JournalEntry | None"], str]
RENDERERS: Mapping[Channel, Renderer] = {
    Channel.EMAIL: _email,
    Channel.RELAY: _relay,
    Channel.SMS: _sms,
    Channel.LETTER: _letter,
    Channel.FAX: _fax,
}
