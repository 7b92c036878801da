"""The page's words in English, French and German, and the choice among them (``?lang=``, then Accept-Language)."""

from __future__ import annotations

__all__ = ["LANGUAGES", "choose_language", "words"]

LANGUAGES = {"en": "English", "fr": "Français", "de": "Deutsch"}

_WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "Verify a micro-credential", "fr": "Vérifier une micro-certification",
              "de": "Einen Microcredential prüfen"},
    "intro": {"en": "Choose or drop the credential file, or paste its JSON. Nothing you submit is kept.",
              "fr": "Choisissez ou déposez le fichier de la certification, ou collez son JSON. Rien de ce que vous "
                    "envoyez n'est conservé.",
              "de": "Wählen Sie die Datei des Nachweises oder legen Sie sie hier ab, oder fügen Sie sein JSON ein. "
                    "Nichts, was Sie senden, wird gespeichert."},
    "file": {"en": "Credential file (JSON, PDF certificate or badge image)",
             "fr": "Fichier de la certification (JSON, certificat PDF ou image de badge)",
             "de": "Datei des Nachweises (JSON, PDF-Zertifikat oder Badge-Bild)"},
    "paste": {"en": "…or paste the credential's JSON", "fr": "…ou collez le JSON de la certification",
              "de": "…oder fügen Sie das JSON des Nachweises ein"},
    "submit": {"en": "Verify", "fr": "Vérifier", "de": "Prüfen"},
    "language": {"en": "Language", "fr": "Langue", "de": "Sprache"},
    "result": {"en": "Result", "fr": "Résultat", "de": "Ergebnis"},
    "valid": {"en": "Valid", "fr": "Valide", "de": "Gültig"},
    "invalid": {"en": "Not valid", "fr": "Non valide", "de": "Ungültig"},
    "unknown": {"en": "Could not be checked", "fr": "Impossible à vérifier", "de": "Konnte nicht geprüft werden"},
    "status": {"en": "Status", "fr": "Statut", "de": "Status"},
    "who": {"en": "Who holds what", "fr": "Qui détient quoi", "de": "Wer hat was erworben"},
    "learner": {"en": "Learner", "fr": "Apprenant", "de": "Lernende Person"},
    "achievement": {"en": "Achievement", "fr": "Acquis", "de": "Leistung"},
    "credits": {"en": "Credits", "fr": "Crédits", "de": "Leistungspunkte"},
    "level": {"en": "Level", "fr": "Niveau", "de": "Niveau"},
    "awardingBody": {"en": "Awarded by", "fr": "Délivré par", "de": "Verliehen von"},
    "country": {"en": "Country", "fr": "Pays", "de": "Land"},
    "issued": {"en": "Issued on", "fr": "Délivré le", "de": "Ausgestellt am"},
    "validUntil": {"en": "Valid until", "fr": "Valable jusqu'au", "de": "Gültig bis"},
    "not-said": {"en": "not stated", "fr": "non indiqué", "de": "nicht angegeben"},
    "checks": {"en": "Checks", "fr": "Contrôles", "de": "Prüfungen"},
    "pass": {"en": "passed", "fr": "réussi", "de": "bestanden"},
    "fail": {"en": "failed", "fr": "échoué", "de": "nicht bestanden"},
    "error": {"en": "could not be checked", "fr": "impossible à contrôler", "de": "nicht prüfbar"},
    "skipped": {"en": "not applicable", "fr": "sans objet", "de": "entfällt"},
    "trusted": {"en": "What was trusted", "fr": "Ce qui a fait foi", "de": "Worauf vertraut wurde"},
    "network": {"en": "Network", "fr": "Réseau", "de": "Netzwerk"},
    "endpoints": {"en": "Chain endpoints believed", "fr": "Points d'accès à la chaîne retenus",
                  "de": "Berücksichtigte Knotenpunkte der Chain"},
    "left-out": {"en": "Left out", "fr": "Écartés", "de": "Nicht berücksichtigt"},
    "none": {"en": "none", "fr": "aucun", "de": "keine"},
    "trust-list": {"en": "Trust list of accreditation bodies",
                   "fr": "Liste de confiance des organismes d'accréditation",
                   "de": "Vertrauensliste der Akkreditierungsstellen"},
    "no-trust-list": {"en": "none (accreditation not checked)", "fr": "aucune (accréditation non contrôlée)",
                      "de": "keine (Akkreditierung nicht geprüft)"},
    "block": {"en": "block", "fr": "bloc", "de": "Block"},
    "latest": {"en": "latest block", "fr": "dernier bloc", "de": "neuester Block"},
    "problem": {"en": "This could not be verified", "fr": "Vérification impossible", "de": "Prüfung nicht möglich"},
    "link-opening": {"en": "Checking the credential of the link…", "fr": "Vérification de la certification du lien…",
                     "de": "Der Nachweis des Links wird geprüft…"},
    "footer": {"en": "Checked against the registry on the chain; the credential is not stored.",
               "fr": "Vérifiée auprès du registre sur la chaîne ; la certification n'est pas conservée.",
               "de": "Gegen das Register auf der Chain geprüft; der Nachweis wird nicht gespeichert."},
    # what each check means, for people
    "about-format": {"en": "The file is a well-formed Open Badges 3.0 / European micro-credential.",
                     "fr": "Le fichier est une micro-certification européenne Open Badges 3.0 bien formée.",
                     "de": "Die Datei ist ein wohlgeformter europäischer Microcredential nach Open Badges 3.0."},
    "about-signature": {"en": "The issuer's key signed exactly this content.",
                        "fr": "La clé de l'émetteur a signé exactement ce contenu.",
                        "de": "Der Schlüssel des Ausstellers hat genau diesen Inhalt signiert."},
    "about-issuer": {"en": "The signing key belongs to the issuer's account on the registry.",
                     "fr": "La clé de signature appartient au compte de l'émetteur dans le registre.",
                     "de": "Der Signaturschlüssel gehört zum Konto des Ausstellers im Register."},
    "about-anchor": {"en": "The credential is recorded in a trusted registry on the chain.",
                     "fr": "La certification est inscrite dans un registre de confiance sur la chaîne.",
                     "de": "Der Nachweis ist in einem vertrauenswürdigen Register auf der Chain verzeichnet."},
    "about-status": {"en": "The issuer has not revoked or suspended it.",
                     "fr": "L'émetteur ne l'a ni révoquée ni suspendue.",
                     "de": "Der Aussteller hat ihn weder widerrufen noch ausgesetzt."},
    "about-validity": {"en": "Today lies within its dates of validity.",
                       "fr": "La date du jour est dans sa période de validité.",
                       "de": "Das heutige Datum liegt in seinem Gültigkeitszeitraum."},
    "about-accreditation": {"en": "An accreditation body on the trust list accredits the issuer for it.",
                            "fr": "Un organisme d'accréditation de la liste de confiance accrédite l'émetteur.",
                            "de": "Eine Akkreditierungsstelle der Vertrauensliste akkreditiert den Aussteller."},
}


def words(lang: str) -> dict[str, str]:
    """Every word of the page in ``lang`` (English where a word lacks a translation)."""
    return {key: texts.get(lang) or texts["en"] for key, texts in _WORDS.items()}


def choose_language(asked: str | None, accept_language: str | None) -> str:
    """``asked`` (the switch) when it is one of :data:`LANGUAGES`, else the best of Accept-Language, else English."""
    if asked in LANGUAGES:
        return asked
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-", 1)[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return sorted(ranked)[0][2] if ranked else "en"
