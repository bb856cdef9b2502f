"""The server's log: one access line per call at INFO (``recording.log_access``), in
text for people or JSON for log collectors; spyne's internals kept at WARNING."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")
PRIVATE = ("fields",)
"""Left out of JSON access lines: request fields hold passwords (the journal has them)."""


class JsonFormatter(logging.Formatter):
    """One JSON object per line; an access line carries its call's facts as keys."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        access = getattr(record, "access", None)
        if access is not None:
            document.update({k: v for k, v in access.summary_json().items() if k not in PRIVATE})
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False, default=str)


def configure(
    level: str, log_format: str = "text", debug_spyne: bool = False, stream: TextIO | None = None
) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # An access line a call: no stack walk for a caller's file and line, which no
    # format here shows (the logging documentation's "Optimization" section).
    logging._srcfile = None
    logging.logProcesses = logging.logMultiprocessing = False
    if not debug_spyne:
        # Hundreds of lines a call at DEBUG: the mock's own log is what users read.
        logging.getLogger("spyne").setLevel(max(logging.WARNING, root.level))
