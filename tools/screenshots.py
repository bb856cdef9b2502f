"""The README's screenshots of the web inbox, made in Debian's headless Chromium.

    .venv/bin/python tools/screenshots.py        # writes docs/inbox.png, docs/letter.png

A mock in this process gets a few messages of every channel, the way an application
would send them (SOAP over HTTP, seeded so that ids and tracking numbers repeat), then
the browser takes the inbox's first page and one letter's page.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mock_efidem.api import MockEfidem  # noqa: E402
from tests.browser.conftest import CHROMIUM_FLAGS  # noqa: E402
from tests.journal.conftest import call  # noqa: E402

PDF = (
    "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4K"
    "ZW5kb2JqCnRyYWlsZXIKPDw+PgolJUVPRgo="
)


def fill(mock: MockEfidem) -> str:
    """A morning's traffic; the letter's id."""
    mock.freeze()
    call(
        mock,
        "ENVOYER_EMAIL",
        DESTINATION="jean.dupont@example.fr",
        SUJET="Votre facture de novembre",
        TEXTE="Bonjour Jean, voici votre facture.",
        HTML="<p>Bonjour <b>Jean</b>, voici votre facture.</p>",
        EMETTEUR="factures@example.com",
        REFCLIENT="FAC-2026-11-0042",
        LISTE_FICHIERS={"LISTE_FICHIER": {"NOM": "facture.pdf", "CONTENU": PDF}},
    )
    call(
        mock,
        "ENVOYER_SMS",
        DESTINATION="06 12 34 56 78",
        TEXTE="Votre code de connexion : 482913",
        DA="MONSHOP",
    )
    call(
        mock,
        "ENVOYER_EMAIL",
        DESTINATION="marie@",
        SUJET="Bienvenue",
        TEXTE="Bonjour",
        EMETTEUR="contact@example.com",
    )
    mock.advance(10)
    letter = call(
        mock,
        "COURRIER_ENVOYER",
        Destinataires={"CIVILITE": "Mme", "NOM": "Martin", "PRENOM": "Claire"},
        Adresse_postale={
            "ADRESSE1": "8 avenue des Tilleuls",
            "ADRESSE2": "Bâtiment B",
            "CODE_POSTAL": "69003",
            "VILLE": "Lyon",
        },
        Liste_Fichier={"LISTE_FICHIER": {"NOM": "mise-en-demeure.pdf", "CONTENU": PDF}},
        Type_lettre="C5",
        Couleur="false",
        Reference_client="DOSSIER-7781",
    )
    call(
        mock,
        "ENVOYER_FAX",
        DESTINATION="01 40 00 00 00",
        TEXTE="Devis signé ci-joint",
        PAGE_DE_GARDE="À l'attention du service achats",
        LISTE_FICHIERS={"LISTE_FICHIER": {"NOM": "devis.pdf", "CONTENU": PDF}},
    )
    mock.advance(3600)
    return letter.text.split("COURRIER_ENVOYERResult>")[1].split("<")[0]


def shoot(base_url: str, letter: str, out: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as profile:
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            browser.set_window_size(1280, 760)
            for page, name in (
                ("/_mock/inbox", "inbox.png"),
                (f"/_mock/inbox/{letter}", "letter.png"),
            ):
                browser.get(base_url + page)
                browser.save_screenshot(str(out / name))
                print(out / name)
        finally:
            browser.quit()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNGs go")
    arguments = parser.parse_args(argv)
    arguments.out.mkdir(parents=True, exist_ok=True)
    with MockEfidem(seed=7) as mock:
        shoot(mock.base_url, fill(mock), arguments.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
