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
    "db.missing_file": {
        "fr": "Aucune base à {path}. Créez-la avec « mlc db migrate » ou indiquez la bonne "
        "avec --database.",
        "en": "No database at {path}. Create it with `mlc db migrate` or point --database "
        "at the right one.",
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
    "serve.workers_on_sqlite": {
        "fr": "SQLite est servi par un seul processus : retirez --workers, ou passez à "
        "PostgreSQL (MLC_DATABASE_URL) pour en lancer plusieurs.",
        "en": "SQLite is served by one process: drop --workers, or move to PostgreSQL "
        "(MLC_DATABASE_URL) to run several.",
    },
    "serve.workers_need_key": {
        "fr": "Plusieurs processus doivent signer avec la même clé : créez-la avec « mlc keys "
        "generate » et indiquez-la dans MLC_SIGNING_KEY_FILE, ou retirez --workers.",
        "en": "Several worker processes must sign with one key: make it with `mlc keys "
        "generate` and name it in MLC_SIGNING_KEY_FILE, or drop --workers.",
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
    "accounts.renamed": {
        "fr": "Compte {code} : les payeurs voient désormais « {name} ».",
        "en": "Account {code}: payers now see '{name}'.",
    },
    "accounts.name_cleared": {
        "fr": "Compte {code} : nom retiré, les payeurs voient le code.",
        "en": "Account {code}: name removed, payers see the code.",
    },
    "accounts.rename_what": {
        "fr": "Donnez un nouveau nom, ou --clear pour le retirer (pas les deux).",
        "en": "Give a new name, or --clear to remove it (not both).",
    },
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
    "import.p.malformed": {
        "fr": "le fichier n'est pas un CSV lisible : {reason}.",
        "en": "the file cannot be read as CSV: {reason}.",
    },
    "import.p.kind_set_up": {
        "fr": "les comptes {value} sont ouverts par l'installation du déploiement, jamais "
        "importés.",
        "en": "{value} accounts are opened by the deployment's set-up, never imported.",
    },
    "import.p.kind_forbidden": {
        "fr": "seul l'administrateur ouvre des comptes {value} ; types permis : {allowed}.",
        "en": "only the administrator opens {value} accounts; you may import: {allowed}.",
    },
    "import.p.currency_forbidden": {
        "fr": "seul l'administrateur ouvre des comptes en {value} ; écrivez {unit}.",
        "en": "only the administrator opens accounts in {value}; write {unit}.",
    },
    "import.p.limit_forbidden": {
        "fr": "seul l'administrateur fixe les limites : laissez lower_limit à 0 et "
        "upper_limit vide.",
        "en": "only the administrator sets limits; leave lower_limit at 0 and upper_limit empty.",
    },
    "import.p.text": {"fr": "{reason}.", "en": "{reason}."},
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
        "fr": "Journal intègre : chaînage, marques, séquence, tête et soldes concordent.",
        "en": "Journal intact: hashes, marks, sequence, head and balances agree.",
    },
    "audit.limits": {
        "fr": "Indétectable sans points de contrôle signés gardés hors de la base : les "
        "dernières transactions supprimées avec leurs soldes remis et la tête du journal "
        "ramenée en arrière ; les faux écrits après avoir supprimé les déclencheurs de la "
        "base et effacé toutes les marques ; ce que fait quiconque détient MLC_SECRET_KEY "
        "en plus de l'accès en écriture à la base.",
        "en": "Not detectable without signed checkpoints kept outside the database: the "
        "newest transactions removed with their balances put back and the journal's head "
        "rewound; forgeries written after dropping the database's triggers and erasing "
        "every mark; anything done by someone who holds MLC_SECRET_KEY as well as write "
        "access to the database.",
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
    "error.not_transferable": {
        "fr": "Le compte {account!r} ne bouge que par ses propres opérations ({through}) : "
        "un virement simple va d'un détenteur à un autre (adhérent, entreprise, collectivité, "
        "unités de l'association).",
        "en": "Account {account!r} moves only through its own operations ({through}): a plain "
        "transfer goes from one holder to another (member, business, authority, the "
        "association's units).",
    },
    "error.not_authenticated": {
        "fr": "Dites qui agit : --as UTILISATEUR (ou la variable MLC_AS), un utilisateur "
        "actif de cette base ({message}).",
        "en": "Say who acts: --as USER (or the MLC_AS variable), an active user of this "
        "database ({message}).",
    },
    "error.role_forbidden": {
        "fr": "Le rôle {role} ne permet pas cette opération : agissez sous un utilisateur "
        "qui en a le droit (--as).",
        "en": "The role {role} does not allow this: act as a user who may (--as).",
    },
    "error.administrator_exists": {
        "fr": "Ce déploiement a déjà un administrateur : c'est lui qui crée les utilisateurs "
        "(mlc --as ADMIN users create).",
        "en": "This deployment has an administrator already, who creates users "
        "(mlc --as ADMIN users create).",
    },
    "error.not_your_account": {
        "fr": "Le compte {account!r} n'est pas tenu par l'utilisateur qui agit.",
        "en": "Account {account!r} is not held by the user acting.",
    },
    "error.not_yours": {
        "fr": "{what} ne touche aucun compte tenu par l'utilisateur qui agit.",
        "en": "{what} touches no account held by the user acting.",
    },
    "error.other": {"fr": "Refusé : {message}", "en": "Refused: {message}"},
    "error.database_unavailable": {
        "fr": "Base de données injoignable ({url}) : {reason}. Vérifiez --database ou "
        "MLC_DATABASE_URL.",
        "en": "Cannot reach the database ({url}): {reason}. Check --database or MLC_DATABASE_URL.",
    },
    "error.schema_missing": {
        "fr": "La base n'a pas le schéma du registre ({reason}). Lancez « mlc db migrate ».",
        "en": "The database lacks the ledger's schema ({reason}). Run `mlc db migrate`.",
    },
    "error.invalid_data": {
        "fr": "La base refuse une valeur ({reason}) : retirez les caractères de contrôle du "
        "texte et gardez les nombres dans les limites.",
        "en": "The database refuses a value ({reason}): remove control characters from the "
        "text and keep numbers within range.",
    },
    # Currency operations, reserve and users (cli/commands/{convert,reconversion,notes,
    # offices,membership,reserve,users}.py)
    "convert.done": {
        "fr": "Conversion {id} : {amount} pour {account} (bonus {bonus}), {status}.",
        "en": "Conversion {id}: {amount} for {account} (bonus {bonus}), {status}.",
    },
    "convert.ordered": {
        "fr": "Ordre enregistré. Référence à indiquer sur le virement :",
        "en": "Order recorded. Reference to quote on the bank transfer:",
    },
    "convert.none_pending": {
        "fr": "Aucun ordre de conversion en attente.",
        "en": "No conversion order waiting.",
    },
    "convert.pending_title": {
        "fr": "Ordres de conversion en attente de virement",
        "en": "Conversion orders waiting for their transfer",
    },
    "reconversion.done": {
        "fr": "Reconversion {id} de {account} : {amount} (frais {fee}, versé {payout}), {status}.",
        "en": "Reconversion {id} of {account}: {amount} (fee {fee}, paid out {payout}), {status}.",
    },
    "reconversion.bad_status": {
        "fr": "Statut inconnu : choisissez parmi {statuses}.",
        "en": "Unknown status: choose one of {statuses}.",
    },
    "reconversion.none": {
        "fr": "Aucune demande de reconversion.",
        "en": "No reconversion requests.",
    },
    "reconversion.title": {"fr": "Demandes de reconversion", "en": "Reconversion requests"},
    "reconversion.batch": {
        "fr": "Lot {id} : {count} virements, {total} au total, {status}.",
        "en": "Batch {id}: {count} payouts, {total} in all, {status}.",
    },
    "reconversion.file_exists": {
        "fr": "{path} existe déjà : choisissez un autre nom, rien n'a été écrit.",
        "en": "{path} already exists: choose another name, nothing was written.",
    },
    "reconversion.exported": {
        "fr": "Lot {id} écrit dans {path} : déposez ce fichier à la banque.",
        "en": "Batch {id} written to {path}: upload this file to the bank.",
    },
    "notes.bad_item": {
        "fr": "Billets mal écrits {item!r} : écrivez NOMBRExVALEUR, par exemple 10x20.",
        "en": "Cannot read notes {item!r}: write COUNTxVALUE, for example 10x20.",
    },
    "notes.done": {
        "fr": "Billets ({kind}) de {source} vers {target} : {count} billets, {amount}.",
        "en": "Notes ({kind}) from {source} to {target}: {count} notes, {amount}.",
    },
    "offices.added": {
        "fr": "Comptoir {office} ouvert (caisse et stock de billets).",
        "en": "Office {office} opened (till and note stock).",
    },
    "offices.closed": {
        "fr": "Caisse de {office} close : attendu {expected}, compté {counted}, écart "
        "{sign}{difference}.",
        "en": "Till of {office} closed: expected {expected}, counted {counted}, difference "
        "{sign}{difference}.",
    },
    "offices.banked": {
        "fr": "{amount} de la caisse de {office} en route vers la banque (dépôt {id}).",
        "en": "{amount} from the till of {office} on its way to the bank (deposit {id}).",
    },
    "offices.received": {
        "fr": "Dépôt {id} ({amount}) reçu sur le compte de réserve.",
        "en": "Deposit {id} ({amount}) received on the reserve account.",
    },
    "membership.bad_paid_in": {
        "fr": "Mode de paiement inconnu {value!r} : units ou euros.",
        "en": "Unknown means of payment {value!r}: units or euros.",
    },
    "membership.paid": {
        "fr": "Cotisation de {account} pour {period} enregistrée.",
        "en": "Membership fee of {account} for {period} recorded.",
    },
    "membership.title": {"fr": "Cotisations au {day}", "en": "Membership fees on {day}"},
    "membership.yes": {"fr": "oui", "en": "yes"},
    "membership.no": {"fr": "NON", "en": "NO"},
    "membership.some_unpaid": {
        "fr": "{count} compte(s) n'ont pas payé leur cotisation.",
        "en": "{count} account(s) have not paid their fee.",
    },
    "users.no_password": {
        "fr": "La variable {var} est vide : mettez-y le mot de passe.",
        "en": "The variable {var} is empty: put the password in it.",
    },
    "users.password_prompt": {"fr": "Mot de passe", "en": "Password"},
    "users.unknown": {
        "fr": "Aucun utilisateur {user!r} : voyez « mlc users list ».",
        "en": "No user {user!r}: see `mlc users list`.",
    },
    "users.created": {
        "fr": "Utilisateur {user} créé (rôle {role}).",
        "en": "User {user} created (role {role}).",
    },
    "users.linked": {
        "fr": "{user} détient désormais le compte {account}.",
        "en": "{user} now holds account {account}.",
    },
    "users.disabled": {
        "fr": "Utilisateur {user} désactivé, ses sessions sont closes.",
        "en": "User {user} disabled, their sessions ended.",
    },
    "users.password_set": {
        "fr": "Mot de passe de {user} changé, ses sessions sont closes.",
        "en": "Password of {user} changed, their sessions ended.",
    },
    "users.title": {"fr": "Utilisateurs", "en": "Users"},
    "users.disabled_state": {"fr": "désactivé", "en": "disabled"},
    "reserve.bad_as_of": {
        "fr": "Date invalide {value!r} : écrivez AAAA-MM-JJ ou AAAA-MM-JJTHH:MM:SS.",
        "en": "Invalid date {value!r}: write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.",
    },
    "reserve.under_covered": {
        "fr": "ALERTE : la réserve ne couvre que {percent} % de la circulation.",
        "en": "ALERT: the reserve covers only {percent} % of the circulation.",
    },
    "reserve.discrepancies": {
        "fr": "ALERTE : {count} anomalie(s) dans le rapport de réserve.",
        "en": "ALERT: {count} discrepancy(ies) in the reserve report.",
    },
    "reserve.now": {"fr": "maintenant", "en": "now"},
    "reserve.title": {
        "fr": "Rapport de réserve ({unit}), situation : {moment}",
        "en": "Reserve report ({unit}), as of {moment}",
    },
    "reserve.s.circulation": {"fr": "circulation", "en": "circulation"},
    "reserve.s.stock": {"fr": "stock de billets", "en": "note stock"},
    "reserve.s.reserve": {"fr": "réserve", "en": "reserve"},
    "reserve.s.pending": {"fr": "en attente", "en": "pending"},
    "reserve.s.coverage": {"fr": "couverture", "en": "coverage"},
    "reserve.s.discrepancy": {"fr": "ANOMALIE", "en": "DISCREPANCY"},
    "reserve.i.digital": {"fr": "numérique {kind}", "en": "digital {kind}"},
    "reserve.i.pending": {
        "fr": "numérique en cours de reconversion",
        "en": "digital being reconverted",
    },
    "reserve.i.paper": {"fr": "billets", "en": "paper notes"},
    "reserve.i.total": {"fr": "total {unit}", "en": "total {unit}"},
    "reserve.i.conversions": {"fr": "conversions ({count})", "en": "conversions ({count})"},
    "reserve.i.reconversions": {"fr": "reconversions ({count})", "en": "reconversions ({count})"},
    "reserve.future": {
        "fr": "Relevé refusé, rien n'a été importé : {where} est daté du {day}, dans le futur. "
        "Vérifiez le fichier.",
        "en": "Statement refused, nothing imported: {where} is dated {day}, in the future. "
        "Check the file.",
    },
    "reserve.where_closing": {
        "fr": "le solde de clôture du relevé {statement}",
        "en": "the closing balance of statement {statement}",
    },
    "reserve.where_line": {
        "fr": "la ligne {number} ({line}) du relevé {statement}",
        "en": "line {number} ({line}) of statement {statement}",
    },
    "reserve.already_imported": {
        "fr": "Relevé {statement} déjà importé : rien n'a été écrit.",
        "en": "Statement {statement} was already imported: nothing was written.",
    },
    "reserve.balance_differs": {
        "fr": "ALERTE : le solde de la banque diffère des comptes de {difference} (relevé "
        "{statement}).",
        "en": "ALERT: the bank's balance differs from the books by {difference} (statement "
        "{statement}).",
    },
    "reserve.dry_run": {
        "fr": "Essai à blanc : rien n'a été écrit.",
        "en": "Dry run: nothing was written.",
    },
    "reserve.imported": {"fr": "Relevé importé.", "en": "Statement imported."},
    "reserve.lines_title": {
        "fr": "Lignes du relevé {statement}",
        "en": "Lines of statement {statement}",
    },
    "reserve.unmatched": {"fr": "non rapprochée", "en": "unmatched"},
    "reserve.balance_title": {"fr": "Rapprochement", "en": "Reconciliation"},
    "reserve.b.matched": {"fr": "lignes rapprochées", "en": "lines matched"},
    "reserve.b.unmatched": {"fr": "lignes non rapprochées", "en": "lines unmatched"},
    "reserve.b.skipped": {"fr": "lignes déjà connues", "en": "lines already known"},
    "reserve.b.bank": {"fr": "solde de clôture (banque)", "en": "closing balance (bank)"},
    "reserve.b.books": {"fr": "solde des comptes", "en": "balance in the books"},
    "reserve.b.difference": {"fr": "écart", "en": "difference"},
    "reserve.b.none": {"fr": "absent du relevé", "en": "not in the statement"},
    "col.reference": {"fr": "référence", "en": "reference"},
    "col.account": {"fr": "compte", "en": "account"},
    "col.id": {"fr": "n°", "en": "id"},
    "col.fee": {"fr": "frais", "en": "fee"},
    "col.payout": {"fr": "versé", "en": "payout"},
    "col.batch": {"fr": "lot", "en": "batch"},
    "col.period": {"fr": "période", "en": "period"},
    "col.paid": {"fr": "payée", "en": "paid"},
    "col.user": {"fr": "utilisateur", "en": "user"},
    "col.role": {"fr": "rôle", "en": "role"},
    "col.accounts": {"fr": "comptes", "en": "accounts"},
    "col.section": {"fr": "rubrique", "en": "section"},
    "col.item": {"fr": "poste", "en": "item"},
    "col.remittance": {"fr": "libellé", "en": "remittance"},
    "col.matched": {"fr": "rapprochée avec", "en": "matched with"},
    "col.note": {"fr": "remarque", "en": "note"},
    "error.malformed_bank_file": {
        "fr": "Fichier bancaire refusé, rien n'a été importé : {location} : {reason}.",
        "en": "Bank file refused, nothing imported: {location}: {reason}.",
    },
    "error.unknown_record": {
        "fr": "Introuvable : {what} {key!r}. Vérifiez le numéro ou la référence.",
        "en": "Not found: {what} {key!r}. Check the id or reference.",
    },
    "error.wrong_state": {
        "fr": "{what} {key!r} est « {status} » ; il faut qu'il soit « {expected} ».",
        "en": "{what} {key!r} is {status}; this needs it to be {expected}.",
    },
    "error.reserve_insufficient": {
        "fr": "{account} n'a que {available} disponibles ; le lot demande {needed}.",
        "en": "{account} has only {available} free; the batch needs {needed}.",
    },
    # Signing keys, PDF statements, progress (cli/commands/{keys,export,reserve}.py)
    "keys.generated": {
        "fr": "Clé de signature écrite dans {path} (mode 0600), identifiant {kid}. Sa clé "
        "publique (JWK) :",
        "en": "Signing key written to {path} (mode 0600), key id {kid}. Its public key (JWK):",
    },
    "keys.generated_next": {
        "fr": "Pour qu'elle signe : MLC_SIGNING_KEY_FILE={path}, puis redémarrez le service.",
        "en": "To sign with it: MLC_SIGNING_KEY_FILE={path}, then restart the service.",
    },
    "keys.rotated": {
        "fr": "Nouvelle clé active {new} dans {path}. L'ancienne, {old}, ne fait plus que "
        "vérifier (clé publique : {retired}). Redémarrez le service pour signer avec la "
        "nouvelle.",
        "en": "New active key {new} in {path}. The old one, {old}, now only verifies (public "
        "key: {retired}). Restart the service to sign with the new one.",
    },
    "keys.no_passphrase": {
        "fr": "La variable {var} est vide : mettez-y la phrase secrète de la clé.",
        "en": "The variable {var} is empty: put the key's passphrase in it.",
    },
    "keys.none": {
        "fr": "Aucune clé de signature configurée : créez-en une avec « mlc keys generate "
        "--out FICHIER », puis indiquez-la dans MLC_SIGNING_KEY_FILE.",
        "en": "No signing key configured: make one with `mlc keys generate --out FILE`, then "
        "name it in MLC_SIGNING_KEY_FILE.",
    },
    "keys.bad_settings": {
        "fr": "Réglages du service invalides : {reason}",
        "en": "The service's settings are invalid: {reason}",
    },
    "keys.title": {"fr": "Clés de signature", "en": "Signing keys"},
    # Scheduled jobs
    "jobs.title": {"fr": "Tâches planifiées", "en": "Scheduled jobs"},
    "jobs.column.job": {"fr": "tâche", "en": "job"},
    "jobs.column.interval": {"fr": "fréquence", "en": "interval"},
    "jobs.column.last_run": {"fr": "dernière exécution (UTC)", "en": "last run (UTC)"},
    "jobs.column.status": {"fr": "statut", "en": "status"},
    "jobs.column.outcome": {"fr": "résultat ou erreur", "en": "result or error"},
    "jobs.every": {"fr": "toutes les {seconds} s", "en": "every {seconds} s"},
    "jobs.never": {"fr": "jamais", "en": "never"},
    "jobs.status.running": {"fr": "en cours", "en": "running"},
    "jobs.status.ok": {"fr": "réussie", "en": "ok"},
    "jobs.status.failed": {"fr": "échouée", "en": "failed"},
    "jobs.ran": {
        "fr": "Tâche {name} exécutée : {result}.",
        "en": "Job {name} ran: {result}.",
    },
    "jobs.result.expire_holds": {
        "fr": "{count} réservation(s) expirée(s)",
        "en": "{count} hold(s) expired",
    },
    "jobs.result.seal_journal": {
        "fr": "{count} transaction(s) scellée(s)",
        "en": "{count} transaction(s) sealed",
    },
    "jobs.result.deliver_webhooks": {
        "fr": "{count} envoi(s) de webhook tenté(s)",
        "en": "{count} webhook delivery attempt(s)",
    },
    "jobs.failed": {
        "fr": "La tâche {name} a échoué : {error}. L'erreur est enregistrée ; la période "
        "suivante la relancera.",
        "en": "Job {name} failed: {error}. The error is recorded; the next period runs it again.",
    },
    "error.unknown_job": {
        "fr": "Aucune tâche ne s'appelle {name} : les tâches sont {known}.",
        "en": "No job is called {name}: the jobs are {known}.",
    },
    "error.job_period_taken": {
        "fr": "La tâche {name} a déjà été exécutée pour la période en cours ({period}) : "
        "relancez-la à la période suivante.",
        "en": "Job {name} already ran in the current period ({period}): run it again in the "
        "next one.",
    },
    "keys.col.key_id": {"fr": "identifiant", "en": "key id"},
    "keys.col.state": {"fr": "rôle", "en": "role"},
    "keys.col.public_key": {"fr": "clé publique (x)", "en": "public key (x)"},
    "keys.active": {"fr": "active : signe", "en": "active: signs"},
    "keys.verify_only": {"fr": "vérification seule", "en": "verification only"},
    "keys.p.encrypted": {
        "fr": "La clé {source} est chiffrée : donnez sa phrase secrète dans "
        "MLC_SIGNING_KEY_PASSPHRASE.",
        "en": "The key {source} is encrypted: give its passphrase in MLC_SIGNING_KEY_PASSPHRASE.",
    },
    "keys.p.not_encrypted": {
        "fr": "La clé {source} n'est pas chiffrée : retirez MLC_SIGNING_KEY_PASSPHRASE.",
        "en": "The key {source} is not encrypted: remove MLC_SIGNING_KEY_PASSPHRASE.",
    },
    "keys.p.unreadable": {
        "fr": "Clé {source} illisible : mauvaise phrase secrète, ou pas une clé privée Ed25519 "
        "PEM (PKCS#8).",
        "en": "Cannot read the key {source}: wrong passphrase, or not an Ed25519 PEM (PKCS#8) "
        "private key.",
    },
    "keys.p.exists": {
        "fr": "{source} existe déjà : il n'est pas écrasé. Choisissez un autre fichier.",
        "en": "{source} exists already: it is not overwritten. Choose another file.",
    },
    "keys.p.io": {
        "fr": "Impossible d'utiliser {source} : {reason}.",
        "en": "Cannot use {source}: {reason}.",
    },
    "keys.p.no_key_file": {
        "fr": "Le renouvellement remplace le fichier de la clé active : indiquez-le dans "
        "MLC_SIGNING_KEY_FILE (la clé en ligne, {source}, ne peut pas être réécrite).",
        "en": "Rotation replaces the active key's file: name it in MLC_SIGNING_KEY_FILE (an "
        "inline key, {source}, cannot be rewritten).",
    },
    "keys.p.no_retired_dir": {
        "fr": "Le renouvellement garde l'ancienne clé dans un dossier de clés retirées : "
        "indiquez-le dans MLC_SIGNING_KEY_RETIRED_DIR, pour le service aussi ({source}).",
        "en": "Rotation keeps the old key in a directory of retired keys: name it in "
        "MLC_SIGNING_KEY_RETIRED_DIR, for the service too ({source}).",
    },
    "keys.p.not_a_directory": {
        "fr": "{source} n'est pas un dossier : MLC_SIGNING_KEY_RETIRED_DIR doit en nommer un.",
        "en": "{source} is not a directory: MLC_SIGNING_KEY_RETIRED_DIR must name one.",
    },
    "keys.p.not_public_key": {
        "fr": "{source} n'est pas une clé Ed25519 au format PEM : {reason}.",
        "en": "{source} is not an Ed25519 PEM key: {reason}.",
    },
    "keys.p.same_key": {
        "fr": "La nouvelle clé est la clé active ({source}) : rien n'a changé.",
        "en": "The new key is the active key ({source}): nothing changed.",
    },
    "error.signing_key_unavailable": {
        "fr": "Clé de signature {source} inutilisable : {reason}.",
        "en": "Signing key {source} unusable: {reason}.",
    },
    "export.pdf_only": {
        "fr": "--holder vaut pour les relevés PDF : ajoutez --format pdf.",
        "en": "--holder applies to PDF statements: add --format pdf.",
    },
    "export.empty_period": {
        "fr": "Période vide : {start} est après {end}.",
        "en": "Empty period: {start} is after {end}.",
    },
    "export.pdf_to_terminal": {
        "fr": "Un PDF ne s'affiche pas dans le terminal : écrivez-le dans un fichier avec -o "
        "FICHIER.",
        "en": "A PDF cannot be shown in the terminal: write it to a file with -o FILE.",
    },
    "reserve.importing": {"fr": "Import du relevé", "en": "Importing the statement"},
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
