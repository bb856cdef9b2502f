"""Smoke: the pytest plugin in a fresh project, where zeep and requests are not installed
and DeprecationWarnings (all warnings, in fact) are errors.

The fresh environment sees this environment's packages, mock-efidem included, except
zeep, requests and the packages built on them: a folder of links to the rest is its
site directory. Nothing is downloaded or built, so this runs in a few seconds.
"""

from __future__ import annotations

import site
import subprocess
import sys
import textwrap
from importlib.metadata import requires
from pathlib import Path

import pytest

from ..test_packaging import run_pytest

NOT_INSTALLED = ("zeep", "requests")
"""Names whose modules, distributions (requests_toolbelt...) and stubs the fresh
environment lacks: the site-packages entries that start with them."""
EXCLUDED_PREFIXES = NOT_INSTALLED + tuple(f"types_{name}" for name in NOT_INSTALLED)

FRESH_PROJECT_TEST = textwrap.dedent('''
    import importlib.util
    import re
    import urllib.request

    import pytest

    ENVELOPE = """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
    <{operation} xmlns="http://www.efidem.com/"><UTILISATEUR>demo</UTILISATEUR>
    <MOT_DE_PASSE>demo</MOT_DE_PASSE><AppID>demo</AppID>{arguments}</{operation}>
    </s:Body></s:Envelope>"""


    def call(mock, operation, arguments):
        """One SOAP call as an application without zeep makes it: its Result's text."""
        body = ENVELOPE.format(operation=operation, arguments=arguments).encode()
        request = urllib.request.Request(
            mock.soap_url, data=body, headers={"Content-Type": "text/xml; charset=utf-8"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = response.read().decode()
        return re.search(rf"<(?:\\w+:)?{operation}Result>(.*?)</", answer).group(1)


    def send_sms(mock, text):
        return call(mock, "MULTI_ENVOYER_SMS",
            "<DESTINATAIRE><DESTINATAIRE><DESTINATION>0601020304</DESTINATION></DESTINATAIRE>"
            f"</DESTINATAIRE><TEXTE>{text}</TEXTE>")


    def test_zeep_and_requests_are_not_installed():
        assert importlib.util.find_spec("zeep") is None
        assert importlib.util.find_spec("requests") is None


    def test_a_message_sent_over_soap_is_seen(mock_efidem):
        message_id = send_sms(mock_efidem, "hello")

        message = mock_efidem.wait_for_message(recipient="33601020304")
        assert message["id"] == message_id
        assert [m["id"] for m in mock_efidem.messages()] == [message_id]


    def test_each_test_starts_empty(mock_efidem):
        assert mock_efidem.messages() == []


    @pytest.mark.mock_efidem_scenario("qa-error-codes")
    def test_the_marker_selects_a_scenario(mock_efidem):
        assert send_sms(mock_efidem, "QA-50") == "-50"


    def test_the_client_property_names_the_extra_to_install(mock_efidem):
        with pytest.raises(ImportError, match=re.escape("pip install 'mock-efidem[client]'")):
            mock_efidem.client
''')


@pytest.fixture(scope="module")
def venv_without_zeep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment whose site directory links to this one's packages
    (their .pth files too: an editable mock-efidem works), but those of NOT_INSTALLED."""
    venv = tmp_path_factory.mktemp("venv-without-zeep")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    packages = tmp_path_factory.mktemp("site-packages-without-zeep")
    for directory in map(Path, site.getsitepackages()):
        for entry in directory.iterdir():
            link = packages / entry.name
            if not entry.name.lower().startswith(EXCLUDED_PREFIXES) and not link.exists():
                link.symlink_to(entry)
    venv_site = next((venv / "lib").glob("python3*/site-packages"))
    (venv_site / "outer.pth").write_text(f"import site; site.addsitedir({str(packages)!r})\n")
    return venv


def test_mock_efidem_requires_zeep_and_requests_only_in_extras() -> None:
    required = requires("mock-efidem") or []
    for requirement in required:
        if requirement.lower().startswith(NOT_INSTALLED):
            assert "extra ==" in requirement, requirement


def test_the_plugin_works_without_zeep_and_warnings_as_errors(
    venv_without_zeep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "test_fresh.py").write_text(FRESH_PROJECT_TEST, encoding="utf-8")
    # Errors from the start, while pytest imports the plugin, before its own -W apply.
    monkeypatch.setenv("PYTHONWARNINGS", "error::DeprecationWarning")

    output = run_pytest(venv_without_zeep, tmp_path, "-W", "error")

    assert "5 passed" in output, output
