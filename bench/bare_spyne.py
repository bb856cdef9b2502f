"""The reference for the mock's per-call cost: a bare spyne app, one operation.

    .venv/bin/python bench/bare_spyne.py [--host 127.0.0.1] [--port 0]

ENVOYER_EMAIL with the mock's signature (document/literal wrapped, namespace
http://www.efidem.com/), answering a fresh uuid4().hex and doing nothing else, served
by waitress with 8 threads like the mock. Everything else is spyne's default, its
gc.collect() at most once a second included: what any spyne service pays. Like the
mock, it silences waitress's "task queue depth" warning, which a load test would
otherwise print on every queued call. The first line printed is
``bare-spyne listening on http://HOST:PORT``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import uuid
from typing import Any, ClassVar

from spyne import Application, Array, ByteArray, ComplexModel, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication
from waitress import create_server

NAMESPACE = "http://www.efidem.com/"
THREADS = 8
VARIABLES = tuple(f"VARIABLE{n}" for n in range(1, 11))
ARGUMENTS = (
    "UTILISATEUR",
    "MOT_DE_PASSE",
    "AppID",
    "DESTINATION",
    "NOM_DESTINATAIRE",
    "SUJET",
    "TEXTE",
    "HTML",
    "EMETTEUR",
    "REPONDRE_A",
    "REFCLIENT",
    "LISTE_FICHIERS",
    "CODE_FACTURATION",
    *VARIABLES,
)


class LISTE_FICHIER(ComplexModel):  # type: ignore[misc]
    __namespace__ = NAMESPACE
    _type_info: ClassVar[list[tuple[str, Any]]] = [("NOM", Unicode), ("CONTENU", ByteArray)]


FILES = Array(LISTE_FICHIER, type_name="ArrayOfLISTE_FICHIER")
TYPES = tuple(FILES if name == "LISTE_FICHIERS" else Unicode for name in ARGUMENTS)


def envoyer_email(ctx: Any, *arguments: Any) -> str:
    return uuid.uuid4().hex


envoyer_email.__name__ = "ENVOYER_EMAIL"


class EfidemService(ServiceBase):  # type: ignore[misc]
    ENVOYER_EMAIL = rpc(*TYPES, _args=ARGUMENTS, _returns=Unicode)(envoyer_email)


def build_app() -> WsgiApplication:
    application = Application(
        [EfidemService], tns=NAMESPACE, in_protocol=Soap11(), out_protocol=Soap11()
    )
    return WsgiApplication(application)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(build_app(), host=arguments.host, port=arguments.port, threads=THREADS)
    print(f"bare-spyne listening on http://{arguments.host}:{server.effective_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


if __name__ == "__main__":
    main()
