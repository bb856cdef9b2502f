"""The control API belongs to whoever runs the mock: no web page may drive it.

Every /_mock/ request passes ``Guard.refusal`` first (one seam, before routing):

- **Cross-site requests**: a request whose ``Origin`` is not the mock's own is refused,
  and a POST must say ``Content-Type: application/json`` (YAML for a scenario), which
  a page cannot send without the browser asking first (CORS): a form or a
  ``text/plain`` POST never reaches the API.
- **DNS rebinding**: bound to a loopback address, the mock answers /_mock/ only to
  loopback host names, so a page on ``attacker.example`` resolving to 127.0.0.1 reads
  nothing.
- **A token**, for a shared QA instance: with ``--admin-token`` every /_mock/ call but
  the health check needs ``Authorization: Bearer TOKEN``, or, for the inbox in a
  browser, the cookie that ``POST /_mock/login`` sets.

SOAP and DQE stay open, as the real services are to any authenticated account.
"""

from __future__ import annotations

import hmac
import ipaddress
from html import escape

from werkzeug.wrappers import Request, Response

from mock_efidem.control.answers import json_error
from mock_efidem.control.inbox.html import SECURITY_HEADERS

COOKIE = "mock_efidem_token"
LOGIN_PATH = "/_mock/login"
OPEN_PATHS = frozenset({"/_mock/health"})
JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
LOOPBACK_ONLY = "bound to loopback, the mock answers /_mock/ only to localhost, 127.0.0.1 "
LOOPBACK_ONLY += "and [::1] (a DNS rebinding guard)"
JSON_ONLY = "POST to /_mock/ with Content-Type: application/json (a scenario: application/yaml)"


class Guard:
    def __init__(self, bound_host: str, admin_token: str | None) -> None:
        self.loopback_only = is_loopback(bound_host)
        self.admin_token = admin_token or None

    def refusal(self, request: Request) -> Response | None:
        """Why this request may not use the control API, as its answer; None if it may."""
        if self.loopback_only and not is_loopback(_host_name(request.host)):
            return json_error(403, f"Host {request.host!r} refused: {LOOPBACK_ONLY}")
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            return json_error(403, f"cross-site request from {origin!r} refused")
        if request.path == LOGIN_PATH:
            return None
        if self.admin_token and request.path not in OPEN_PATHS and not self._authorised(request):
            return _login_page() if _wants_html(request) else json_error(401, "admin token needed")
        # Of the methods a page may send without asking first, only POST changes state.
        if request.method == "POST" and not _json_or_yaml(request):
            return json_error(415, JSON_ONLY)
        return None

    def login(self, request: Request) -> Response:
        """POST /_mock/login with the form's token: the cookie the inbox then sends."""
        given = request.form.get("token", "")
        if not self.admin_token or not hmac.compare_digest(given, self.admin_token):
            return _login_page("wrong token")
        response = Response(status=303, headers={"Location": "/_mock/inbox"})
        response.set_cookie(
            COOKIE, given, path="/_mock", httponly=True, samesite="Strict", secure=False
        )
        return response

    def _authorised(self, request: Request) -> bool:
        assert self.admin_token is not None
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            given = request.cookies.get(COOKIE, "")
        return hmac.compare_digest(given.strip(), self.admin_token)


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(host: str) -> str:
    """The Host header without its port ("[::1]:8080" -> "::1")."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _json_or_yaml(request: Request) -> bool:
    media_type = request.mimetype.lower()
    return media_type in JSON_TYPES or (
        request.path.rstrip("/") == "/_mock/scenario" and media_type in YAML_TYPES
    )


def _wants_html(request: Request) -> bool:
    return request.method == "GET" and request.path.startswith("/_mock/inbox")


def _login_page(problem: str = "") -> Response:
    note = f'<p style="color:#a00">{escape(problem)}</p>' if problem else ""
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>mock-efidem: admin token</title></head><body>"
        f"<h1>mock-efidem</h1>{note}<p>This mock needs its admin token.</p>"
        f'<form method="post" action="{LOGIN_PATH}"><input type="password" name="token" '
        "autofocus required> <button>Open the inbox</button></form></body></html>"
    )
    return Response(
        page, status=401, content_type="text/html; charset=utf-8", headers=SECURITY_HEADERS
    )
