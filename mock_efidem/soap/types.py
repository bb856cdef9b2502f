"""The wire types of the Efidem service, built for one target namespace.

spyne fixes a type's namespace when its class is created, so ``--namespace`` needs
the classes made per namespace: ``wire_types(namespace)`` builds (and caches) them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from spyne import Array, Boolean, ByteArray, ComplexModel, DateTime, Integer32, Unicode

VARIABLE_COUNT = 10
VARIABLE_NAMES = tuple(f"VARIABLE{n}" for n in range(1, VARIABLE_COUNT + 1))

STRING = Unicode(min_occurs=0)
MANDATORY_VALUE = {"min_occurs": 1, "nillable": False}


def _model(name: str, namespace: str, fields: list[tuple[str, Any]]) -> Any:
    return type(name, (ComplexModel,), {"__namespace__": namespace, "_type_info": fields})


@cache
def wire_types(namespace: str) -> dict[str, Any]:
    """Wire type name -> spyne type, for every parameter and result type of the service."""
    attachment = _model(
        "LISTE_FICHIER", namespace, [("NOM", STRING), ("CONTENU", ByteArray(min_occurs=0))]
    )
    recipient = _model(
        "DESTINATAIRE",
        namespace,
        [("DESTINATION", STRING), ("NOM_DESTINATAIRE", STRING), ("REFCLIENT", STRING)]
        + [(name, STRING) for name in VARIABLE_NAMES],
    )
    postal_name = _model(
        "COURRIER_DESTINATAIRE_NOM",
        namespace,
        [(name, STRING) for name in ("CIVILITE", "NOM", "PRENOM", "RAISON_SOCIALE")],
    )
    postal_address = _model(
        "COURRIER_DESTINATAIRE_ADRESSE",
        namespace,
        [(n, STRING) for n in ("ADRESSE1", "ADRESSE2", "ADRESSE3", "CODE_POSTAL", "VILLE", "PAYS")],
    )
    status_fields = [
        ("CODE_STATUT", Integer32(**MANDATORY_VALUE)),
        ("DATE_STATUT", DateTime(**MANDATORY_VALUE)),
        ("DESCRIPTION_STATUT", STRING),
    ]
    # The request element STATUT_SMS already owns that type name in this namespace.
    sms_status = _model("STATUT_SMS_INFO", namespace, [*status_fields, ("MESSAGEID", STRING)])
    statuses = _model("STATUTS", namespace, status_fields)
    return {
        "string": STRING,
        "int": Integer32(**MANDATORY_VALUE),
        "boolean": Boolean(**MANDATORY_VALUE),
        "dateTime": DateTime(**MANDATORY_VALUE),
        "base64Binary": ByteArray(min_occurs=0),
        "ArrayOfString": Array(STRING, type_name="ArrayOfString").customize(min_occurs=0),
        "ArrayOfLISTE_FICHIER": Array(attachment, type_name="ArrayOfLISTE_FICHIER").customize(
            min_occurs=0
        ),
        "ArrayOfDESTINATAIRE": Array(recipient, type_name="ArrayOfDESTINATAIRE").customize(
            min_occurs=0
        ),
        "COURRIER_DESTINATAIRE_NOM": postal_name.customize(min_occurs=0),
        "COURRIER_DESTINATAIRE_ADRESSE": postal_address.customize(min_occurs=0),
        "STATUT_SMS": sms_status,
        "STATUTS": statuses,
    }
