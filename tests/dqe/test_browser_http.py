"""Browser clients over real HTTP: JSONP with callback=, CORS on every answer and preflight."""

from __future__ import annotations

import json

import pytest
import requests

L1 = "DQE-DEMO-L1"


def test_jsonp_wraps_the_answer(lookup_url: str) -> None:
    response = requests.get(
        lookup_url,
        params={"Email": "x@yopmail.com", "Licence": L1, "callback": "jQuery3600_17"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert response.text.startswith("jQuery3600_17(") and response.text.endswith(");")
    document = json.loads(response.text[len("jQuery3600_17(") : -2])
    assert document["1"]["IdError"] == "95"


def test_jsonp_wraps_licence_ko_and_mailsuggest(lookup_url: str, suggest_url: str) -> None:
    ko = requests.get(lookup_url, params={"Email": "a@b.fr", "callback": "cb"}, timeout=10)
    assert ko.text.startswith('cb({"1": {') and "** LICENCE KO **" in ko.text
    suggest = requests.get(
        suggest_url,
        params={"Nom": "Dupont", "Licence": L1, "callback": "app.onSuggest"},
        timeout=10,
    )
    assert suggest.text.startswith("app.onSuggest({")


@pytest.mark.parametrize("callback", ["alert(1)//", "a b", "1abc", "x" * 200, "<script>"])
def test_bad_callback_names_are_refused(lookup_url: str, callback: str) -> None:
    response = requests.get(
        lookup_url, params={"Email": "a@gmail.com", "Licence": L1, "callback": callback}, timeout=10
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/DQEEMAILLOOKUP/", "/MAILSUGGEST/", "/MAILSUGGEST"])
def test_cors_preflight(lookup_url: str, path: str) -> None:
    base = lookup_url.removesuffix("/DQEEMAILLOOKUP/")
    response = requests.options(
        base + path,
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-requested-with",
        },
        timeout=10,
    )
    assert response.status_code == 204
    assert response.text == ""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type, x-requested-with"
    assert response.headers["Access-Control-Max-Age"] == "86400"


@pytest.mark.parametrize(
    "params",
    [
        {"Email": "a@gmail.com", "Licence": L1},
        {"Email": "a@gmail.com"},
        {"Email": "a@gmail.com", "Licence": "NOPE"},
    ],
)
def test_cors_on_every_answer(lookup_url: str, params: dict[str, str]) -> None:
    response = requests.get(lookup_url, params=params, headers={"Origin": "https://x"}, timeout=10)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"


def test_other_methods_are_refused_with_cors(lookup_url: str) -> None:
    response = requests.put(lookup_url, data={"Email": "a@gmail.com", "Licence": L1}, timeout=10)
    assert response.status_code == 405
    assert "OPTIONS" in response.headers["Allow"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
