"""RAPPORT: the account's sends in a date range, as a CSV file (one row per recipient)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from mock_efidem.domain.models import Message
from mock_efidem.domain.statuses import label_of

REPORT_COLUMNS = (
    "MESSAGEID",
    "CANAL",
    "DATE_ENVOI",
    "DESTINATAIRE",
    "NOM_DESTINATAIRE",
    "REFCLIENT",
    "SUJET",
    "CODE_FACTURATION",
    "CODE_STATUT",
    "STATUT",
    "DATE_STATUT",
)

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def build_report(messages: Iterable[Message]) -> bytes:
    """CSV, ';'-separated as French spreadsheets expect, UTF-8 with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for message in sorted(messages, key=lambda m: m.created_at):
        for recipient in message.recipients:
            status = recipient.current
            writer.writerow(
                (
                    message.id,
                    message.channel.value,
                    _date(message.created_at),
                    recipient.address,
                    recipient.name,
                    recipient.reference or message.reference,
                    message.subject,
                    message.billing_code,
                    status.code,
                    label_of(message.channel, status.status),
                    _date(status.at),
                )
            )
    return buffer.getvalue().encode("utf-8")


def _date(moment: datetime) -> str:
    return moment.strftime(DATE_FORMAT)
