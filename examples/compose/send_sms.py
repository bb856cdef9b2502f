"""The compose example's client: it knows the mock only by its WSDL's address (the
proxy's, in front of the replicas: its send and its status may each go to another one).

EFIDEM_WSDL=http://efidem:8080/soap?wsdl python send_sms.py
"""

import os

import zeep

AUTH = {"UTILISATEUR": "demo", "MOT_DE_PASSE": "demo", "AppID": "demo"}

client = zeep.Client(os.environ["EFIDEM_WSDL"])  # its calls go where the WSDL says
message_id = client.service.ENVOYER_SMS(**AUTH, DESTINATION="06 01 02 03 04", TEXTE="Bonjour")
status = client.service.STATUT_COMPLET_SMS(**AUTH, MESSAGEID=message_id)
print(message_id, status.CODE_STATUT, status.DESCRIPTION_STATUT)
raise SystemExit(0 if status.CODE_STATUT == 1 else 1)
