<?php
// Calls every operation of the mock with PHP's SoapClient, in the SOAP version and from
// the WSDL named on the command line, and prints each answer as JSON.
//   php every_operation.php WSDL_URL_OR_FILE 1.1|1.2
[$_, $wsdl, $version] = $argv;
$client = new SoapClient($wsdl, [
    'soap_version' => $version === '1.2' ? SOAP_1_2 : SOAP_1_1,
    'trace' => true,
    'cache_wsdl' => WSDL_CACHE_NONE,
]);
$auth = ['UTILISATEUR' => 'demo', 'MOT_DE_PASSE' => 'demo', 'AppID' => 'demo'];
$pdf = ['LISTE_FICHIER' => [['NOM' => 'a.pdf', 'CONTENU' => '%PDF-1.4']]];
$answers = [];
$call = function (string $operation, array $arguments) use ($client, $auth, &$answers) {
    $result = $client->$operation($auth + $arguments)->{$operation . 'Result'};
    $answers[$operation] = $result;
    preg_match('/^Content-Type: ([^;\r]*)/mi', $client->__getLastResponseHeaders(), $type);
    $answers['content-types'][] = $type[1];
    return $result;
};
$email = $call('ENVOYER_EMAIL', ['DESTINATION' => 'a@example.fr', 'SUJET' => 's', 'TEXTE' => 't',
    'EMETTEUR' => 'app@example.com', 'LISTE_FICHIERS' => $pdf]);
$call('STATUT_EMAIL', ['MESSAGEID' => $email]);
$multi = $call('MULTI_ENVOYER_EMAIL', ['DESTINATION' => ['DESTINATAIRE' => [
    ['DESTINATION' => 'b@example.fr', 'REFCLIENT' => 'r1']]],
    'SUJET' => 's', 'TEXTE' => 't', 'EMETTEUR' => 'app@example.com']);
$call('STATUT_MULTI_EMAIL', ['MESSAGEID' => $multi, 'REFCLIENT' => 'r1']);
$relay = $call('ENVOYER_EMAIL_RELAIIS', ['DESTINATIONS_A' => ['string' => ['c@example.fr']],
    'SUJET' => 's', 'TEXTE' => 't', 'EMETTEUR' => 'app@example.com',
    'OUVERTURE' => true, 'CLICS' => false]);
foreach (['SUIVRE_EMAIL_RELAIIS', 'STATUT_EMAIL_RELAIIS'] as $operation) {
    $call($operation, ['MESSAGEID' => $relay, 'DESTINATION' => 'c@example.fr']);
}
$sms = $call('ENVOYER_SMS', ['DESTINATION' => '0601020304', 'TEXTE' => 'Bonjour']);
$call('MULTI_ENVOYER_SMS', ['DESTINATAIRE' => ['DESTINATAIRE' => [['DESTINATION' => '0601020305']]],
    'TEXTE' => 'Bonjour']);
$call('STATUT_SMS', ['MESSAGEID' => $sms]);
$call('STATUT_COMPLET_SMS', ['MESSAGEID' => $sms]);
$letter = ['Destinataires' => ['NOM' => 'Dupont', 'PRENOM' => 'Jean'],
    'Adresse_postale' => ['ADRESSE1' => '1 rue de Paris', 'CODE_POSTAL' => '75001', 'VILLE' => 'Paris'],
    'Liste_Fichier' => $pdf, 'Couleur' => false, 'Type_lettre' => 'C5'];
$post = $call('COURRIER_ENVOYER', $letter);
$call('ENVOYER_COURRIER', $letter);
foreach (['COURRIER_STATUT', 'COURRIER_SUIVRE'] as $operation) {
    $call($operation, ['MESSAGEID' => $post]);
}
$fax = $call('ENVOYER_FAX', ['DESTINATION' => '0140000001', 'TEXTE' => 't', 'LISTE_FICHIERS' => $pdf]);
$call('STATUT_FAX', ['MESSAGEID' => $fax]);
$call('RAPPORT', ['DATE_DEBUT' => '2000-01-01T00:00:00', 'DATE_FIN' => '2100-01-01T00:00:00']);
$answers['RAPPORT'] = strlen($answers['RAPPORT']) > 0;
$call('COMPTE_SOUMIS_CODE_FACTURATION', ['CODE_FACTURATION' => 'none']);
$call('VERIFIER_ADRESSE_EMAIL', ['DESTINATAIRE' => 'a@example.fr']);
$call('OBTENIR_CODE_ESMTP', ['CODE_ESMTP' => '5.1.1']);
foreach (['TRANSFORMER_NUMERO', 'TRANSFORMER_NUEMRO'] as $operation) {
    $call($operation, ['NUMERO' => '06 01 02 03 04']);
}
$call('AJOUTER_UTILISATEUR', ['NOM_UTILISATEUR' => 'marie', 'MOT_DE_PASSE_UTILISATEUR' => 'x']);
$call('ENLEVER_UTILISATEUR', ['NOM_UTILISATEUR' => 'marie']);
echo json_encode($answers, JSON_PRETTY_PRINT), PHP_EOL;
