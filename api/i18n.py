"""The words of the payment pages, in French by default and in English on request.

A page speaks English when the query says ``?lang=en``, or else when the browser's
``Accept-Language`` prefers English to French; otherwise French, the language of the
people these pages serve. Refusals are keyed by the stable error ``code`` of the API's
problem documents, so the page and the API say the same thing in the reader's language;
an unknown code falls back to a general message, never to raw text from elsewhere.
French texts get their non-breaking spaces on the way out (:mod:`api.typography`).
"""

from __future__ import annotations

from typing import Literal

from api.typography import typeset

__all__ = ["LANGUAGES", "Language", "choose_language", "refusal", "refusals", "texts"]

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")

_TEXTS: dict[str, dict[Language, str]] = {
    "pay_title": {"fr": "Payer", "en": "Pay"},
    "checkout_title": {"fr": "Encaisser", "en": "Take a payment"},
    "pay_to": {"fr": "Paiement à", "en": "Payment to"},
    "amount": {"fr": "Montant", "en": "Amount"},
    "amount_to_type": {"fr": "Montant à payer", "en": "Amount to pay"},
    "reference": {"fr": "Référence", "en": "Reference"},
    "sign_in": {"fr": "Se connecter", "en": "Sign in"},
    "sign_in_to_pay": {"fr": "Connectez-vous pour payer", "en": "Sign in to pay"},
    "sign_out": {"fr": "Se déconnecter", "en": "Sign out"},
    "username": {"fr": "Identifiant", "en": "Username"},
    "password": {"fr": "Mot de passe", "en": "Password"},
    "confirm": {"fr": "Confirmer le paiement", "en": "Confirm the payment"},
    "paying": {"fr": "Paiement en cours…", "en": "Paying…"},
    "payment_done": {"fr": "Paiement effectué", "en": "Payment done"},
    "show_qr": {"fr": "Afficher le QR code", "en": "Show the QR code"},
    "new_sale": {"fr": "Nouvelle vente", "en": "New sale"},
    "waiting": {"fr": "En attente du paiement…", "en": "Waiting for the payment…"},
    "paid": {"fr": "Payé", "en": "Paid"},
    "receipt_verified": {"fr": "Reçu signé vérifié", "en": "Signed receipt verified"},
    "receipt_unverified": {
        "fr": "Reçu reçu (signature non vérifiée par ce navigateur)",
        "en": "Receipt received (signature not checked by this browser)",
    },
    "receipt_invalid": {
        "fr": "Attention : la signature du reçu est invalide",
        "en": "Warning: the receipt's signature is invalid",
    },
    "live_connected": {"fr": "Connecté au flux en direct", "en": "Live feed connected"},
    "live_reconnecting": {"fr": "Reconnexion…", "en": "Reconnecting…"},
    "not_a_till": {
        "fr": "Ce compte ne peut pas encaisser : connectez-vous comme commerçant ou caissier.",
        "en": "This account cannot take payments: sign in as a merchant owner or cashier.",
    },
    "never_from_qr": {
        "fr": "Le nom du bénéficiaire vient de nos registres, jamais du QR code.",
        "en": "The payee's name comes from our records, never from the QR code.",
    },
    "expired": {
        "fr": "QR code expiré : affichez-en un nouveau.",
        "en": "QR code expired: show a new one.",
    },
    "payments_received": {"fr": "Paiements reçus", "en": "Payments received"},
    "counter_code": {"fr": "code comptoir", "en": "counter code"},
    "refund": {"fr": "Remboursement", "en": "Refund"},
    # What follows a label: "Référence : T1", "Reference: T1" (see api.typography).
    "colon": {"fr": "\u00a0:", "en": ":"},
}

_REFUSALS: dict[str, dict[Language, str]] = {
    "payment_request_expired": {
        "fr": "Ce QR code a expiré. Demandez au commerçant d'en afficher un nouveau.",
        "en": "This QR code has expired. Ask the merchant for a new one.",
    },
    "payment_request_already_paid": {
        "fr": "Ce QR code a déjà été payé. Rien n'a été débité.",
        "en": "This QR code was already paid. Nothing was charged.",
    },
    "payment_request_cancelled": {
        "fr": "Le commerçant a annulé cette demande. Rien n'a été débité.",
        "en": "The merchant cancelled this request. Nothing was charged.",
    },
    "forged_payment_request": {
        "fr": "Ce QR code a été modifié ou falsifié. Ne payez pas et prévenez le commerçant.",
        "en": "This QR code was altered or forged. Do not pay, and warn the merchant.",
    },
    "unknown_signing_key": {
        "fr": "Ce QR code n'est pas signé par notre monnaie. Ne payez pas.",
        "en": "This QR code is not signed by our currency. Do not pay.",
    },
    "foreign_payment_request": {
        "fr": "Ce QR code appartient à une autre monnaie locale : payez avec son application.",
        "en": "This QR code belongs to another local currency: pay with its app.",
    },
    "malformed_payment_request": {
        "fr": "Ce QR code n'est pas un code de paiement valide. Scannez-le à nouveau.",
        "en": "This is not a valid payment code. Scan it again.",
    },
    "unknown_payment_request": {
        "fr": "Cette demande de paiement est inconnue. Demandez un nouveau QR code.",
        "en": "This payment request is unknown. Ask for a new QR code.",
    },
    "payee_unavailable": {
        "fr": "Le compte du commerçant est bloqué : il ne peut pas recevoir de paiement.",
        "en": "The merchant's account is frozen: it cannot receive payments.",
    },
    "account_not_active": {
        "fr": "Votre compte est bloqué : contactez l'association.",
        "en": "Your account is frozen: contact the association.",
    },
    "insufficient_funds": {
        "fr": "Solde insuffisant pour ce paiement. Rien n'a été débité.",
        "en": "Not enough funds for this payment. Nothing was charged.",
    },
    "limit_exceeded": {
        "fr": "Ce paiement dépasse une limite de votre compte.",
        "en": "This payment exceeds a limit of your account.",
    },
    "amount_required": {
        "fr": "Saisissez le montant à payer, supérieur à zéro.",
        "en": "Type the amount to pay, greater than zero.",
    },
    "amount_fixed": {
        "fr": "Ce QR code a son propre montant : payez le montant affiché.",
        "en": "This QR code has its own amount: pay the amount shown.",
    },
    "validation_failed": {
        "fr": "Vérifiez la saisie (un montant s'écrit comme 12,50).",
        "en": "Check what you typed (an amount looks like 12.50).",
    },
    "payer_not_allowed": {
        "fr": "Ce compte ne peut pas payer ce QR code.",
        "en": "This account cannot pay this QR code.",
    },
    "invalid_credentials": {
        "fr": "Identifiant ou mot de passe incorrect.",
        "en": "Wrong username or password.",
    },
    "credential_locked": {
        "fr": "Trop d'essais : compte verrouillé quelques minutes.",
        "en": "Too many attempts: the account is locked for a few minutes.",
    },
    "too_many_attempts": {
        "fr": "Trop d'essais. Patientez une minute.",
        "en": "Too many attempts. Wait a minute.",
    },
    "not_authenticated": {
        "fr": "Votre session a expiré : reconnectez-vous.",
        "en": "Your session has expired: sign in again.",
    },
    "role_forbidden": {
        "fr": "Votre rôle ne permet pas cette opération.",
        "en": "Your role does not allow this.",
    },
    "not_your_account": {
        "fr": "Ce compte n'est pas le vôtre.",
        "en": "This account is not yours.",
    },
    "idempotency_conflict": {
        "fr": "Cette opération a déjà été envoyée autrement : rechargez la page.",
        "en": "This operation was already sent differently: reload the page.",
    },
    "network": {
        "fr": "Connexion impossible. Vérifiez le réseau et réessayez.",
        "en": "Cannot connect. Check the network and try again.",
    },
    "generic": {
        "fr": "Le paiement a été refusé. Rien n'a été débité.",
        "en": "The payment was refused. Nothing was charged.",
    },
}


def choose_language(*, query: str | None, accept_language: str | None) -> Language:
    """``?lang=`` first, then the browser's preference between French and English."""
    if query in LANGUAGES:
        return query
    best: tuple[float, Language] = (0.0, "fr")
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower()[:2]
        if language not in LANGUAGES:
            continue
        weight = _weight(params)
        if weight > best[0]:
            best = (weight, language)
    return best[1]


def texts(language: Language) -> dict[str, str]:
    """Every page text in ``language``, by key."""
    return {key: typeset(value[language], language) for key, value in _TEXTS.items()}


def refusal(code: str, language: Language) -> str:
    """What a page says for the error ``code``; a general refusal for an unknown code."""
    return typeset(_REFUSALS.get(code, _REFUSALS["generic"])[language], language)


def refusals(language: Language) -> dict[str, str]:
    """Every refusal message in ``language``, for the pages' scripts."""
    return {code: typeset(value[language], language) for code, value in _REFUSALS.items()}


def _weight(params: str) -> float:
    name, _, value = params.strip().partition("=")
    if name.strip() != "q":
        return 1.0
    try:
        return float(value)
    except ValueError:
        return 0.0
