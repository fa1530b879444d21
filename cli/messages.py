"""The command line's messages in French and English, picked once per run.

A small catalogue rather than gettext: the CLI has a few dozen sentences, and keeping both
languages side by side makes a missing translation visible at a glance (a test checks
every key has both). French is the default: the people who run a local currency in
France are the first users. The language comes from ``--lang``, else ``MLC_LANG``, else
``LANG`` (English when it starts with ``en``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["CATALOGUE", "LANGUAGES", "Lang", "Messages", "language_from"]

Lang = Literal["fr", "en"]
LANGUAGES: tuple[Lang, ...] = ("fr", "en")

CATALOGUE: Mapping[str, Mapping[Lang, str]] = {
    # Database and files
    "db.unreachable": {
        "fr": "Base de données injoignable ({url}) : {reason}. Vérifiez --database ou "
        "MLC_DATABASE_URL.",
        "en": "Cannot reach the database ({url}): {reason}. Check --database or MLC_DATABASE_URL.",
    },
    "db.missing_file": {
        "fr": "Aucune base à {path}. Créez-la avec « mlc db migrate » ou indiquez la bonne "
        "avec --database.",
        "en": "No database at {path}. Create it with `mlc db migrate` or point --database "
        "at the right one.",
    },
    "db.not_migrated": {
        "fr": "La base n'a pas le schéma du registre ({reason}). Lancez « mlc db migrate ».",
        "en": "The database lacks the ledger's schema ({reason}). Run `mlc db migrate`.",
    },
    # Set-up and service
    "init.no_password": {
        "fr": "La variable {var} est vide : mettez-y le mot de passe de l'administrateur.",
        "en": "The variable {var} is empty: put the administrator's password in it.",
    },
    "init.password_prompt": {
        "fr": "Mot de passe de l'administrateur",
        "en": "Administrator's password",
    },
    "init.done": {
        "fr": "Déploiement prêt : {accounts} comptes système ouverts, administrateur « {admin} » "
        "créé. Lancez « mlc serve ».",
        "en": "Deployment ready: {accounts} system accounts opened, administrator '{admin}' "
        "created. Run `mlc serve`.",
    },
    "serve.demo_in_production": {
        "fr": "Pas de données de démonstration en production (MLC_ENVIRONMENT=production).",
        "en": "No demo data in production mode (MLC_ENVIRONMENT=production).",
    },
    "serve.demo_title": {
        "fr": "DÉMONSTRATION : comptes d'essai, ne pas utiliser en vrai",
        "en": "DEMO: trial sign-ins, not for real use",
    },
    "serve.column.user": {"fr": "identifiant", "en": "user"},
    "serve.column.password": {"fr": "mot de passe", "en": "password"},
    "serve.column.role": {"fr": "rôle", "en": "role"},
    "serve.column.account": {"fr": "compte", "en": "account"},
    "serve.demo_try": {
        "fr": "Essayez un paiement : documentation interactive sur {url}/docs (connectez-vous "
        "avec POST /v1/auth/login, puis POST /v1/transfers).",
        "en": "Try a payment: interactive documentation at {url}/docs (sign in with "
        "POST /v1/auth/login, then POST /v1/transfers).",
    },
    "serve.listening": {
        "fr": "Service en écoute sur {url} (Ctrl-C pour arrêter).",
        "en": "Service listening on {url} (Ctrl-C to stop).",
    },
    "db.migrated": {
        "fr": "Base à jour : {url}",
        "en": "Database up to date: {url}",
    },
    "db.backup_done": {
        "fr": "Sauvegarde écrite dans {path} ({size} octets).",
        "en": "Backup written to {path} ({size} bytes).",
    },
    "db.backup_exists": {
        "fr": "{path} existe déjà. Choisissez un autre nom ou ajoutez --force pour le remplacer.",
        "en": "{path} already exists. Pick another name or add --force to replace it.",
    },
    "db.postgres_backup": {
        "fr": "Pour PostgreSQL, la sauvegarde cohérente se fait avec pg_dump (elle ne bloque "
        "pas les écritures). Lancez :",
        "en": "For PostgreSQL, the consistent backup is pg_dump's (it does not block "
        "writers). Run:",
    },
    "db.postgres_restore": {
        "fr": "Et pour restaurer dans une base vide :",
        "en": "And to restore into an empty database:",
    },
    "db.restore_postgres": {
        "fr": "La restauration intégrée ne vaut que pour SQLite ; pour PostgreSQL utilisez "
        "pg_restore (voir « mlc db backup --help »).",
        "en": "Built-in restore is for SQLite only; for PostgreSQL use pg_restore (see "
        "`mlc db backup --help`).",
    },
    "db.restore_not_empty": {
        "fr": "La base cible {path} contient déjà des données. Sauvegardez-la d'abord, puis "
        "relancez avec --force pour l'écraser.",
        "en": "The target database {path} already holds data. Back it up first, then run "
        "again with --force to overwrite it.",
    },
    "db.restore_done": {
        "fr": "Base restaurée depuis {source} ; journal vérifié.",
        "en": "Database restored from {source}; journal verified.",
    },
    "db.restore_broken": {
        "fr": "La copie {source} a un journal incohérent (séquence {seq}) : {reason}. Rien n'a "
        "été restauré.",
        "en": "The copy {source} has a broken journal (sequence {seq}): {reason}. Nothing was "
        "restored.",
    },
    "file.not_found": {
        "fr": "Fichier introuvable : {path}.",
        "en": "File not found: {path}.",
    },
    "file.not_sqlite": {
        "fr": "{path} n'est pas une sauvegarde SQLite du registre.",
        "en": "{path} is not a SQLite backup of the ledger.",
    },
    # Accounts
    "accounts.title": {"fr": "Comptes", "en": "Accounts"},
    "accounts.none": {"fr": "Aucun compte.", "en": "No accounts."},
    "accounts.next": {
        "fr": "Page suivante : ajoutez --after {cursor}",
        "en": "Next page: add --after {cursor}",
    },
    "accounts.created": {
        "fr": "Compte {code} ouvert ({kind}, {currency}).",
        "en": "Account {code} opened ({kind}, {currency}).",
    },
    "accounts.status_changed": {
        "fr": "Compte {code} : {status}.",
        "en": "Account {code}: {status}.",
    },
    "accounts.last_postings": {"fr": "Dernières écritures", "en": "Last postings"},
    "accounts.bad_limit": {
        "fr": "limite invalide {value!r} : écrivez un montant comme 50 ou -20,00, ou « none » "
        "pour aucune limite",
        "en": "invalid limit {value!r}: write an amount such as 50 or -20.00, or 'none' for "
        "no limit",
    },
    # Import
    "import.title": {"fr": "Problèmes dans {path}", "en": "Problems in {path}"},
    "import.refused": {
        "fr": "{count} problème(s) : rien n'a été importé. Corrigez le fichier et relancez "
        "(--dry-run pour vérifier sans écrire).",
        "en": "{count} problem(s): nothing was imported. Fix the file and run again "
        "(--dry-run checks without writing).",
    },
    "import.dry_ok": {
        "fr": "Essai à blanc : {count} compte(s) seraient créés, aucun problème trouvé.",
        "en": "Dry run: {count} account(s) would be created, no problem found.",
    },
    "import.done": {
        "fr": "{count} compte(s) importé(s).",
        "en": "{count} account(s) imported.",
    },
    "import.checking": {"fr": "Vérification", "en": "Checking"},
    "import.p.encoding": {
        "fr": "le fichier n'est pas en {encoding} : l'octet {byte} est illisible. "
        "Enregistrez-le en UTF-8 (« CSV UTF-8 » dans un tableur) ou donnez son encodage "
        "avec --encoding latin-1.",
        "en": "the file is not {encoding}: byte {byte} cannot be read. Save it as UTF-8 "
        '("CSV UTF-8" in a spreadsheet) or give its encoding with --encoding latin-1.',
    },
    "import.p.bad_encoding_name": {
        "fr": "encodage inconnu {encoding!r} ; exemples : utf-8, latin-1, cp1252.",
        "en": "unknown encoding {encoding!r}; for example utf-8, latin-1, cp1252.",
    },
    "import.p.empty": {
        "fr": "le fichier est vide ; la première ligne doit nommer les colonnes.",
        "en": "the file is empty; its first line must name the columns.",
    },
    "import.p.missing_column": {
        "fr": "colonne {column!r} absente ; l'en-tête doit nommer {required}.",
        "en": "column {column!r} is missing; the header must name {required}.",
    },
    "import.p.fields": {
        "fr": "{found} champ(s) alors que l'en-tête en compte {expected}.",
        "en": "{found} field(s) where the header has {expected}.",
    },
    "import.p.code": {
        "fr": "code invalide {value!r} : 1 à 120 caractères, sans espace au début ni à la fin.",
        "en": "invalid code {value!r}: 1 to 120 characters without outer spaces.",
    },
    "import.p.duplicate": {
        "fr": "le code {value!r} figure déjà ligne {first}.",
        "en": "code {value!r} already appears on line {first}.",
    },
    "import.p.exists": {
        "fr": "un compte {value!r} existe déjà dans le registre.",
        "en": "an account {value!r} already exists in the ledger.",
    },
    "import.p.kind": {
        "fr": "type inconnu {value!r} ; types possibles : {allowed}.",
        "en": "unknown kind {value!r}; one of: {allowed}.",
    },
    "import.p.currency": {
        "fr": "devise inconnue {value!r} ; le registre connaît : {allowed}.",
        "en": "unknown currency {value!r}; the ledger has: {allowed}.",
    },
    "import.p.number": {
        "fr": "montant invalide {value!r} : écrivez par exemple 0, -20,00 ou none.",
        "en": "invalid amount {value!r}: write for example 0, -20.00 or none.",
    },
    "import.p.lower_positive": {
        "fr": "une limite basse au-dessus de zéro refuserait le premier versement.",
        "en": "a lower limit above zero would refuse the first deposit.",
    },
    "import.p.upper_negative": {
        "fr": "une limite haute sous zéro refuserait le solde d'ouverture.",
        "en": "an upper limit below zero would refuse the opening balance.",
    },
    # Money
    "transfer.done": {
        "fr": "Transaction {id} enregistrée : {amount} de {debit} vers {credit}.",
        "en": "Transaction {id} recorded: {amount} from {debit} to {credit}.",
    },
    "reverse.done": {
        "fr": "Transaction {id} enregistrée : contrepassation de {original}.",
        "en": "Transaction {id} recorded: reversal of {original}.",
    },
    # Audit
    "audit.sealing": {"fr": "Scellement du journal", "en": "Sealing the journal"},
    "audit.verifying": {"fr": "Vérification du journal", "en": "Verifying the journal"},
    "audit.title": {"fr": "Vérification du journal", "en": "Journal verification"},
    "audit.ok": {
        "fr": "Journal intègre : chaînage, séquence et soldes concordent.",
        "en": "Journal intact: hashes, sequence and balances agree.",
    },
    "audit.broken": {
        "fr": "Anomalie à la séquence {seq} : {reason}",
        "en": "Discrepancy at sequence {seq}: {reason}",
    },
    "audit.broken_balances": {
        "fr": "Anomalie hors du chaînage : {reason}",
        "en": "Discrepancy outside the chain: {reason}",
    },
    # Exports
    "export.progress": {"fr": "Export", "en": "Exporting"},
    "export.fec_done": {
        "fr": "FEC écrit dans {path} : {entries} écritures, {lines} lignes, débit {debit} = "
        "crédit {credit}.",
        "en": "FEC written to {path}: {entries} entries, {lines} lines, debit {debit} = "
        "credit {credit}.",
    },
    "export.journal_done": {
        "fr": "Journal écrit dans {path} : {transactions} transactions. Vérifiez-le avec "
        "« hledger -f {path} balance ».",
        "en": "Journal written to {path}: {transactions} transactions. Check it with "
        "`hledger -f {path} balance`.",
    },
    "export.bad_format": {
        "fr": "Format {format!r} non pris en charge ; formats disponibles : {formats}.",
        "en": "Format {format!r} is not supported; available formats: {formats}.",
    },
    "export.bad_timezone": {
        "fr": "Fuseau horaire inconnu {zone!r} ; exemple : Europe/Paris.",
        "en": "Unknown time zone {zone!r}; for example Europe/Paris.",
    },
    "export.bad_map": {
        "fr": "Table de correspondance {path} invalide : {reason}",
        "en": "Account map {path} is invalid: {reason}",
    },
    "export.bad_date": {
        "fr": "Date invalide {value!r} : écrivez AAAA-MM-JJ, par exemple 2026-12-31.",
        "en": "Invalid date {value!r}: write YYYY-MM-DD, for example 2026-12-31.",
    },
    # Table headings
    "col.code": {"fr": "code", "en": "code"},
    "col.kind": {"fr": "type", "en": "kind"},
    "col.currency": {"fr": "devise", "en": "currency"},
    "col.status": {"fr": "statut", "en": "status"},
    "col.owner": {"fr": "titulaire", "en": "owner"},
    "col.balance": {"fr": "solde", "en": "balance"},
    "col.held": {"fr": "bloqué", "en": "held"},
    "col.available": {"fr": "disponible", "en": "available"},
    "col.lower_limit": {"fr": "limite basse", "en": "lower limit"},
    "col.upper_limit": {"fr": "limite haute", "en": "upper limit"},
    "col.date": {"fr": "date", "en": "date"},
    "col.transaction": {"fr": "transaction", "en": "transaction"},
    "col.amount": {"fr": "montant", "en": "amount"},
    "col.memo": {"fr": "libellé", "en": "memo"},
    "col.line": {"fr": "ligne", "en": "line"},
    "col.column": {"fr": "colonne", "en": "column"},
    "col.problem": {"fr": "problème", "en": "problem"},
    "col.check": {"fr": "contrôle", "en": "check"},
    "col.value": {"fr": "valeur", "en": "value"},
    "audit.entries": {"fr": "entrées du journal", "en": "journal entries"},
    "audit.postings": {"fr": "écritures", "en": "postings"},
    "audit.accounts": {"fr": "comptes", "en": "accounts"},
    "audit.unsealed": {"fr": "en attente de scellement", "en": "waiting to be sealed"},
    "audit.result": {"fr": "résultat", "en": "result"},
    "audit.result_ok": {"fr": "intègre", "en": "intact"},
    "audit.result_broken": {"fr": "ANOMALIE", "en": "BROKEN"},
    "status.active": {"fr": "actif", "en": "active"},
    "status.frozen": {"fr": "gelé", "en": "frozen"},
    "status.closed": {"fr": "clos", "en": "closed"},
    "limit.none": {"fr": "aucune", "en": "none"},
    # Errors of the core, by their stable code
    "error.invalid_amount": {
        "fr": "Montant invalide {value!r} : écrivez un montant positif d'au plus deux "
        "décimales, comme 12,50.",
        "en": "Invalid amount {value!r}: write a positive amount with at most two decimals, "
        "such as 12.50.",
    },
    "error.unknown_account": {
        "fr": "Aucun compte {account!r} : vérifiez le code ou listez les comptes avec "
        "« mlc accounts list ».",
        "en": "No account {account!r}: check the code or list accounts with `mlc accounts list`.",
    },
    "error.unknown_transaction": {
        "fr": "Aucune transaction {transaction_id}.",
        "en": "No transaction {transaction_id}.",
    },
    "error.account_not_active": {
        "fr": "Le compte {account} est {status} ; réactivez-le avec « mlc accounts unfreeze » "
        "s'il est gelé.",
        "en": "Account {account} is {status}; reactivate it with `mlc accounts unfreeze` if "
        "it is frozen.",
    },
    "error.insufficient_funds": {
        "fr": "Le compte {account} ne peut pas payer {needed} : {available} disponible(s).",
        "en": "Account {account} cannot pay {needed}: {available} available.",
    },
    "error.limit_exceeded": {
        "fr": "Le compte {account} ne peut pas recevoir {amount} : sa limite haute est "
        "{upper_limit}.",
        "en": "Account {account} cannot receive {amount}: its upper limit is {upper_limit}.",
    },
    "error.idempotency_conflict": {
        "fr": "La clé {key!r} a déjà servi pour une autre opération ; prenez une nouvelle clé.",
        "en": "Key {key!r} was already used for another operation; use a new key.",
    },
    "error.already_reversed": {
        "fr": "La transaction {transaction_id} a déjà été contrepassée.",
        "en": "Transaction {transaction_id} was already reversed.",
    },
    "error.duplicate_account": {
        "fr": "Un compte {account!r} existe déjà.",
        "en": "An account {account!r} already exists.",
    },
    "error.other": {"fr": "Refusé : {message}", "en": "Refused: {message}"},
}


@dataclass(frozen=True, slots=True)
class Messages:
    """The catalogue in one language: ``messages("db.migrated", url=...)``."""

    lang: Lang

    def __call__(self, key: str, /, **fields: object) -> str:
        return CATALOGUE[key][self.lang].format(**fields)

    def has(self, key: str) -> bool:
        return key in CATALOGUE

    @property
    def decimal_separator(self) -> str:
        return "," if self.lang == "fr" else "."


def language_from(option: str | None, environ: Mapping[str, str]) -> Lang:
    """The run's language: the option if given, else MLC_LANG, else LANG, else French."""
    for candidate in (option, environ.get("MLC_LANG"), environ.get("LANG")):
        if candidate:
            return "en" if candidate.lower().startswith("en") else "fr"
    return "fr"
