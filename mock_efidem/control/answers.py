"""The control API's JSON answers, errors included: ``{"error": "…", "status": 404}``."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response


def json_response(document: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(document, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def json_error(status: int, message: str) -> Response:
    return json_response({"error": message, "status": status}, status)
