"""The web inbox in a real browser (Debian's Chromium, headless): live updates, search,
filters, paging, clear and delete, each channel's page, the calls view, forcing a
status, and stored XSS that never runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from mock_efidem.api import MockEfidem
from tests.journal.conftest import call

LIVE_SECONDS = 2.0
XSS = '<img src=x onerror="window.__xss=1"><svg onload="window.__xss=1">'
"""Stored in every field a page shows: the page must show it as text, never run it
(without <script> or javascript:, which the vendor's forbidden sequences refuse)."""


@pytest.fixture(scope="module")
def mock() -> Iterator[MockEfidem]:
    with MockEfidem() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(mock: MockEfidem, browser: WebDriver) -> None:
    mock.reset()
    browser.get("about:blank")


def by_testid(name: str) -> tuple[str, str]:
    return (By.CSS_SELECTOR, f'[data-testid="{name}"]')


def wait_for(browser: WebDriver, check: Any, seconds: float = 5.0) -> Any:
    return WebDriverWait(browser, seconds, poll_frequency=0.05).until(check)


def rows(browser: WebDriver) -> list[WebElement]:
    return browser.find_elements(*by_testid("message-row"))


def row_ids(browser: WebDriver) -> list[str]:
    """The listed messages' ids, read in one go (the script may re-render the rows)."""
    ids: list[str] = browser.execute_script(
        "return [...document.querySelectorAll('[data-testid=\"message-row\"]')]"
        ".map(row => row.dataset.id)"
    )
    return ids


def open_inbox(browser: WebDriver, mock: MockEfidem, query: str = "") -> None:
    browser.get(f"{mock.base_url}/_mock/inbox{query}")
    wait_for(
        browser,
        lambda b: b.find_element(*by_testid("live-status")).get_attribute("data-state") == "on",
    )


def result_of(answer: Any, operation: str) -> str:
    return str(answer.text.split(f"{operation}Result>")[1].split("<")[0])


def send_email(mock: MockEfidem, to: str = "jean@example.fr", **fields: str) -> str:
    body = {"SUJET": "Bonjour", "TEXTE": "Texte", "EMETTEUR": "app@example.com", **fields}
    return result_of(call(mock, "ENVOYER_EMAIL", DESTINATION=to, **body), "ENVOYER_EMAIL")


def send_sms(mock: MockEfidem, text: str = "Votre code : 1234") -> str:
    answer = call(mock, "ENVOYER_SMS", DESTINATION="06 01 02 03 04", TEXTE=text, DA="MYSHOP")
    return result_of(answer, "ENVOYER_SMS")


def confirm(browser: WebDriver) -> None:
    alert = wait_for(browser, lambda b: _alert(b))
    alert.accept()


def _alert(browser: WebDriver) -> Any:
    try:
        return browser.switch_to.alert
    except NoAlertPresentException:
        return False


# --- the list -------------------------------------------------------------------------


def test_a_send_appears_live_without_a_reload(browser: WebDriver, mock: MockEfidem) -> None:
    open_inbox(browser, mock)
    browser.execute_script("window.__same_page = true")

    message_id = send_email(mock, SUJET="Arrived live")

    wait_for(browser, lambda b: message_id in row_ids(b), LIVE_SECONDS)
    assert browser.execute_script("return window.__same_page") is True
    assert "Arrived live" in rows(browser)[0].text


def test_another_clients_clock_change_shows_live(browser: WebDriver, mock: MockEfidem) -> None:
    mock.freeze()
    open_inbox(browser, mock)

    moved = mock.advance(2 * 86_400)["now"][:19].replace("T", " ")

    wait_for(
        browser, lambda b: b.find_element(*by_testid("clock-time")).text == moved, LIVE_SECONDS
    )
    assert browser.find_element(*by_testid("clock-state")).text == "frozen"


def test_search_finds_a_message_by_refclient(browser: WebDriver, mock: MockEfidem) -> None:
    wanted = send_email(mock, REFCLIENT="order-8841")
    send_email(mock, to="other@example.fr", REFCLIENT="order-1000")
    open_inbox(browser, mock)

    field = browser.find_element(*by_testid("filter-q"))
    field.send_keys("order-8841")
    browser.find_element(*by_testid("filter-submit")).click()

    wait_for(browser, lambda b: row_ids(b) == [wanted])


def test_the_channel_filter_keeps_one_channel(browser: WebDriver, mock: MockEfidem) -> None:
    send_email(mock)
    sms = send_sms(mock)
    open_inbox(browser, mock)

    Select(browser.find_element(*by_testid("filter-channel"))).select_by_value("sms")
    browser.find_element(*by_testid("filter-submit")).click()

    wait_for(browser, lambda b: row_ids(b) == [sms])


def test_paging_goes_to_older_messages(browser: WebDriver, mock: MockEfidem) -> None:
    sent = [send_sms(mock, f"message {n}") for n in range(55)]
    open_inbox(browser, mock)
    assert row_ids(browser) == sent[::-1][:50]

    browser.find_element(*by_testid("older")).click()

    wait_for(browser, lambda b: row_ids(b) == sent[4::-1])


def test_clear_empties_the_inbox(browser: WebDriver, mock: MockEfidem) -> None:
    send_email(mock)
    open_inbox(browser, mock)
    assert len(rows(browser)) == 1

    browser.find_element(*by_testid("reset")).click()
    confirm(browser)

    wait_for(browser, lambda b: not row_ids(b))
    assert mock.messages() == []


def test_delete_removes_one_message(browser: WebDriver, mock: MockEfidem) -> None:
    kept, gone = send_email(mock, SUJET="kept"), send_email(mock, SUJET="gone")
    open_inbox(browser, mock)

    row = next(r for r in rows(browser) if r.get_attribute("data-id") == gone)
    row.find_element(*by_testid("delete-message")).click()
    confirm(browser)

    wait_for(browser, lambda b: row_ids(b) == [kept])
    assert [m["id"] for m in mock.messages()] == [kept]


# --- each channel -----------------------------------------------------------------------


def open_message(browser: WebDriver, mock: MockEfidem, message_id: str) -> None:
    browser.get(f"{mock.base_url}/_mock/inbox/{message_id}")
    wait_for(browser, lambda b: b.find_elements(*by_testid("message")))


def test_an_email_has_html_text_and_source_tabs(browser: WebDriver, mock: MockEfidem) -> None:
    message_id = send_email(mock, HTML="<p>Hello <b>HTML</b></p>", TEXTE="Hello text")
    open_message(browser, mock, message_id)

    tabs = browser.find_element(*by_testid("body-tabs"))
    for name, expected in (("text", "Hello text"), ("source", "ENVOYER_EMAIL")):
        tabs.find_element(*by_testid(f"tab-{name}")).click()
        panel = browser.find_element(*by_testid(f"panel-{name}"))
        wait_for(browser, lambda b, panel=panel: panel.is_displayed())
        assert expected in panel.text
    tabs.find_element(*by_testid("tab-html")).click()
    frame = browser.find_element(*by_testid("html-frame"))
    browser.switch_to.frame(frame)
    try:
        assert "Hello HTML" in browser.find_element(By.TAG_NAME, "body").text
    finally:
        browser.switch_to.default_content()


def test_an_sms_is_a_bubble_with_its_length(browser: WebDriver, mock: MockEfidem) -> None:
    message_id = send_sms(mock, "Votre code : 1234")
    open_message(browser, mock, message_id)

    assert "Votre code : 1234" in browser.find_element(*by_testid("sms-bubble")).text
    assert "MYSHOP" in browser.find_element(*by_testid("sms-sender")).text
    assert "17" in browser.find_element(*by_testid("sms-length")).text
    assert "1" in browser.find_element(*by_testid("sms-segments")).text


def test_a_letter_is_an_envelope_with_its_window_address(
    browser: WebDriver, mock: MockEfidem
) -> None:
    answer = call(
        mock,
        "COURRIER_ENVOYER",
        Destinataires={"CIVILITE": "M.", "NOM": "Dupont", "PRENOM": "Jean"},
        Adresse_postale={"ADRESSE1": "12 rue de la Paix", "CODE_POSTAL": "75002", "VILLE": "Paris"},
        Liste_Fichier={"LISTE_FICHIER": {"NOM": "lettre.pdf", "CONTENU": "JVBERi0xLjQK"}},
        Type_lettre="C5",
        Couleur="true",
    )
    message_id = result_of(answer, "COURRIER_ENVOYER")
    open_message(browser, mock, message_id)

    window = browser.find_element(*by_testid("letter-address")).text
    assert "Jean Dupont" in window and "75002 PARIS" in window.upper()
    assert browser.find_element(*by_testid("letter-format")).text == "C5"
    assert browser.find_element(*by_testid("letter-colour")).text == "yes"
    assert browser.find_element(*by_testid("letter-carrier")).text == "La Poste"
    assert "True" not in browser.find_element(*by_testid("letter")).text


def test_a_fax_shows_its_cover_page(browser: WebDriver, mock: MockEfidem) -> None:
    answer = call(
        mock,
        "ENVOYER_FAX",
        DESTINATION="0140000000",
        TEXTE="See attached",
        PAGE_DE_GARDE="Cover",
        LISTE_FICHIERS={"LISTE_FICHIER": {"NOM": "devis.pdf", "CONTENU": "JVBERi0xLjQK"}},
    )
    open_message(browser, mock, result_of(answer, "ENVOYER_FAX"))

    assert "Cover" in browser.find_element(*by_testid("fax-cover")).text


# --- calls, forcing ---------------------------------------------------------------------


def test_a_rejected_call_shows_its_code_and_why(browser: WebDriver, mock: MockEfidem) -> None:
    call(mock, "ENVOYER_EMAIL", DESTINATION="jean.dupont@", SUJET="s", TEXTE="t",
         EMETTEUR="app@example.com")  # fmt: skip
    browser.get(f"{mock.base_url}/_mock/inbox/calls")

    row = wait_for(browser, lambda b: b.find_elements(*by_testid("call-row")))[0]
    assert "ENVOYER_EMAIL" in row.text and "-9" in row.text
    assert "DESTINATION" in row.text and "jean.dupont@" in row.text


def test_forcing_delivered_walks_through_sent(browser: WebDriver, mock: MockEfidem) -> None:
    mock.freeze()
    message_id = send_email(mock)
    open_message(browser, mock, message_id)

    Select(browser.find_element(*by_testid("force-status"))).select_by_value("delivered")
    browser.find_element(*by_testid("force-button")).click()

    def walked(b: WebDriver) -> bool:
        return len(b.find_elements(*by_testid("timeline-event"))) == 3

    wait_for(browser, walked)
    history = [e["status"] for e in mock.message(message_id)["recipients"][0]["history"]]
    assert history == ["accepted", "sent", "delivered"]


# --- stored XSS ------------------------------------------------------------------------


def test_stored_xss_never_runs_on_any_page(browser: WebDriver, mock: MockEfidem) -> None:
    email = send_email(
        mock,
        to="jean@example.fr",
        SUJET=XSS,
        TEXTE=XSS,
        HTML=XSS,
        EMETTEUR="app@example.com",
        REFCLIENT=XSS,
        NOM_DESTINATAIRE=XSS,
        VARIABLE1=XSS,
        CODE_FACTURATION=XSS,
        LISTE_FICHIERS={"LISTE_FICHIER": {"NOM": XSS, "CONTENU": "aGk="}},
    )
    sms = send_sms(mock, XSS)
    letter = call(
        mock,
        "COURRIER_ENVOYER",
        Destinataires={"NOM": XSS, "PRENOM": XSS, "RAISON_SOCIALE": XSS},
        Adresse_postale={"ADRESSE1": XSS, "ADRESSE2": XSS, "CODE_POSTAL": "75002", "VILLE": XSS},
        Liste_Fichier={"LISTE_FICHIER": {"NOM": XSS, "CONTENU": "JVBERi0xLjQK"}},
        Reference_client=XSS,
        Sujet=XSS,
    )
    fax = call(
        mock,
        "ENVOYER_FAX",
        DESTINATION="0140000000",
        NOM_DESTINATAIRE=XSS,
        TEXTE=XSS,
        PAGE_DE_GARDE=XSS,
        REFCLIENT=XSS,
        LISTE_FICHIERS={"LISTE_FICHIER": {"NOM": XSS, "CONTENU": "JVBERi0xLjQK"}},
    )
    call(mock, "ENVOYER_EMAIL", DESTINATION=XSS, SUJET=XSS, TEXTE=XSS, EMETTEUR=XSS)
    pages = [
        "/_mock/inbox",
        f"/_mock/inbox?q={XSS}",
        f"/_mock/inbox/{email}",
        f"/_mock/inbox/{sms}",
        f"/_mock/inbox/{result_of(letter, 'COURRIER_ENVOYER')}",
        f"/_mock/inbox/{result_of(fax, 'ENVOYER_FAX')}",
        "/_mock/inbox/calls",
    ]
    for page in pages:
        browser.get(mock.base_url + page)
        wait_for(browser, lambda b: b.execute_script("return document.readyState") == "complete")
        for tab in browser.find_elements(By.CSS_SELECTOR, '[data-testid^="tab-"]'):
            tab.click()
        assert browser.execute_script("return window.__xss") is None, page
    browser.get(f"{mock.base_url}/_mock/inbox/{email}")
    assert XSS in browser.find_element(*by_testid("message-title")).text  # shown, as text


def test_the_payload_does_run_where_a_page_would_inject_it(browser: WebDriver) -> None:
    """The check above can fail: written as HTML, the payload runs in this browser."""
    browser.get("about:blank")
    browser.execute_script("document.body.innerHTML = arguments[0]", XSS)
    wait_for(browser, lambda b: b.execute_script("return window.__xss") == 1)
