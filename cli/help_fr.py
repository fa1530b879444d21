"""The commands' help in French, swapped in when the run speaks French.

The English help lives beside each command (its docstring, its options' ``help=``). The
French text is here, keyed by the words that name a command (``"accounts create"``), an
option (``"accounts create --kind"``) or an argument (``"accounts create CODE"``); an
option or argument shared by several commands has one entry without the command
(``"--json"``). A test walks every command and fails when one lacks its French help.

The root command's own help (``mlc --help``) is shown before any option is read, so it
carries both languages itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["FRENCH_HELP", "french_help_for", "help_keys", "localize"]

_EX = "[b]Exemple :[/b] "

FRENCH_HELP: dict[str, str] = {
    # Shared options and arguments
    "--database": "URL de la base : sqlite:///chemin.db ou postgresql://utilisateur@hôte/base.",
    "--as": "Qui agit : un utilisateur de cette base. Chaque acte est vérifié selon le rôle "
    "et les comptes de cet utilisateur, exactement comme en HTTP.",
    "--lang": "Langue des messages (par défaut : MLC_LANG, puis LANG, puis fr).",
    "--json": "Affiche du JSON pour les scripts.",
    "--key": "Clé d'idempotence : relancée avec la même clé, l'opération n'est pas refaite.",
    "--timezone": (
        "Fuseau horaire des dates écrites (par défaut celui du déploiement, MLC_TIME_ZONE)."
    ),
    "--force": "Remplace ce qui existe déjà.",
    "CODE": "Le code du compte, par exemple alice.",
    "FILE": "Le fichier à écrire.",
    "--help": "Affiche cette aide.",
    # Set-up and service
    "init": "Prépare un déploiement : schéma, comptes système, premier administrateur. La "
    "monnaie vient des réglages (MLC_CURRENCY_CODE, MLC_CURRENCY_NAME, MLC_CURRENCY_SYMBOL)."
    f"\n\n{_EX}mlc init --admin marie --office centre --office halles",
    "init --admin": "Identifiant du premier administrateur.",
    "init --office": "Identifiant d'un comptoir de change (répétable).",
    "init --password-env": "Lit le mot de passe de l'administrateur dans cette variable "
    "d'environnement au lieu de le demander.",
    "serve": f"Lance le service HTTP (après avoir mis la base à jour).\n\n{_EX}mlc serve --demo",
    "serve --host": "Adresse d'écoute.",
    "serve --port": "Port d'écoute.",
    "serve --demo": "Crée d'abord le déploiement de démonstration.",
    "serve --workers": "Processus de service, sur PostgreSQL (SQLite est servi par un seul).",
    # Money
    "transfer": "Vire MONTANT de DEBIT vers CREDIT, une seule fois par --key.\n\n"
    "Les deux comptes sont des comptes de détenteurs (adhérents, entreprises, collectivités, "
    "unités propres de l'association) : stocks de billets, caisses, réserve et émission ne "
    "bougent que par leurs propres commandes (convert, reconversion, notes, offices).\n\n"
    f"{_EX}mlc transfer alice bakery 12,50 --key pay-2026-11-27-001 --memo pain",
    "transfer DEBIT": "Compte qui paie.",
    "transfer CREDIT": "Compte payé.",
    "transfer AMOUNT": "Montant, par exemple 12,50 ou 12.50.",
    "transfer --memo": "L'objet du paiement.",
    "transfer --on": "Le jour du paiement, AAAA-MM-JJ (par défaut : aujourd'hui).",
    "reverse": "Contrepasse la transaction TXID (l'écriture exactement inverse, liée à elle, "
    "une seule fois).\n\n"
    "Seul un virement simple entre détenteurs se contrepasse ici : une conversion, un "
    "paiement de reconversion ou un mouvement de billets se corrige par sa propre commande.\n\n"
    f'{_EX}mlc reverse 1042 --key reverse-1042 --memo "payé deux fois"',
    "reverse TXID": "La transaction à corriger.",
    "reverse --memo": "La raison de la contrepassation.",
    # Database
    "db": "La base : migrations, sauvegarde et restauration.\n\n"
    f"{_EX}mlc db backup var/backups/eusko.db",
    "db migrate": "Crée les tables du registre ou les met à jour (sans risque si relancé).\n\n"
    f"{_EX}mlc --database sqlite:///var/eusko.db db migrate",
    "db backup": "Écrit dans FILE une copie cohérente de la base SQLite en service.\n\n"
    "Le service peut continuer de tourner : la copie est un état validé. Pour PostgreSQL, "
    "affiche la commande pg_dump à lancer (et celle de pg_restore).\n\n"
    f"{_EX}mlc db backup var/backups/eusko-2026-11-27.db",
    "db backup FILE": "Où écrire la copie.",
    "db restore": "Restaure la base SQLite depuis FILE, après avoir vérifié le journal de la "
    "copie.\n\n"
    "Refuse d'écraser une base qui contient des données sans --force ; n'écrit rien si le "
    "journal de la copie est incohérent. Arrêtez le service avant de restaurer.\n\n"
    f"{_EX}mlc db restore var/backups/eusko-2026-11-27.db",
    "db restore FILE": "Une sauvegarde écrite par « mlc db backup ».",
    # Accounts
    "accounts": "Comptes des adhérents, prestataires, collectivités et de l'association.\n\n"
    f"{_EX}mlc accounts show alice",
    "accounts create": "Ouvre un compte au solde nul.\n\n"
    f'{_EX}mlc accounts create bakery --kind business --currency MLC --name "Ogi Beroa"',
    "accounts create --kind": "Le type de titulaire.",
    "accounts create --currency": "EUR ou le code de la monnaie locale.",
    "accounts create --lower-limit": (
        "Solde le plus bas permis, 0 s'il n'est pas donné ; « none » : sans limite."
    ),
    "accounts create --upper-limit": (
        "Solde le plus haut permis ; celui du déploiement pour ce type s'il n'est pas donné."
    ),
    "accounts create --owner": "Référence du titulaire (numéro d'adhérent).",
    "accounts create --name": "Le nom montré aux payeurs ; à défaut, le code du compte.",
    "accounts list": "Liste les comptes page par page, dans l'ordre d'ouverture.\n\n"
    f"{_EX}mlc accounts list --kind business --limit 20 --after 140",
    "accounts list --kind": "Seulement les comptes de ce type.",
    "accounts list --after": "Curseur : les comptes après cet identifiant.",
    "accounts list --limit": "Comptes par page.",
    "accounts show": "Montre un compte : solde, bloqué, disponible, limites et dernières "
    f"écritures.\n\n{_EX}mlc accounts show alice --last 20",
    "accounts show --last": "Nombre d'écritures récentes à montrer.",
    "accounts freeze": "Bloque tout mouvement sur un compte jusqu'à son dégel.\n\n"
    f"{_EX}mlc accounts freeze alice",
    "accounts unfreeze": "Rend un compte gelé de nouveau utilisable.\n\n"
    f"{_EX}mlc accounts unfreeze alice",
    "accounts close": "Clôt définitivement un compte vide (solde et blocages à zéro).\n\n"
    f"{_EX}mlc accounts close alice",
    "accounts rename": "Change le nom montré aux payeurs d'un compte (sur la page de paiement "
    f'QR).\n\n{_EX}mlc accounts rename bakery "Boulangerie Etchegaray"',
    "accounts rename NAME": "Le nom que verront désormais les payeurs.",
    "accounts rename --clear": "Retire le nom : les payeurs voient de nouveau le code.",
    "accounts import": "Ouvre des comptes en nombre depuis un CSV : tous, ou aucun.\n\n"
    "Colonnes (ligne d'en-tête, séparateur virgule ou point-virgule) : code, kind, currency, "
    "owner, lower_limit, et en option upper_limit et display_name. Chaque problème est "
    "listé avec sa ligne ; "
    "s'il y en a un, rien n'est écrit. Vérifiez d'abord avec --dry-run.\n\n"
    f"{_EX}mlc accounts import adherents.csv --dry-run",
    "accounts import FILE": "CSV avec code,kind,currency,owner,lower_limit.",
    "accounts import --dry-run": "Vérifie chaque ligne sans rien écrire.",
    "accounts import --encoding": "L'encodage du fichier, par exemple latin-1.",
    # Audit
    "audit": f"Contrôle des comptes.\n\n{_EX}mlc audit verify",
    "audit verify": "Vérifie le journal : empreintes, séquence, marques du service, tête, "
    "soldes.\n\n"
    "Sur PostgreSQL, scelle d'abord ce que le service a mis en file ; une ligne de la file "
    "sans la marque de son contenu par le service n'est jamais scellée, elle est signalée. "
    "Sur SQLite, rien n'est scellé : le service chaîne chaque transaction à sa validation, "
    "donc une transaction sans entrée au journal est une anomalie. À lancer avec les "
    "réglages du service : les marques sont vérifiées avec MLC_SECRET_KEY.\n\n"
    "Sort avec le code 1 en donnant la séquence de la première anomalie : adapté à une tâche "
    "planifiée qui alerte.\n\n"
    "Ce qu'elle ne peut pas détecter : les dernières transactions supprimées par quelqu'un "
    "qui remet aussi les soldes et ramène en arrière la tête du journal ; les faux écrits "
    "par quelqu'un qui supprime les déclencheurs de la base et efface toutes les marques, "
    "pour que le journal paraisse antérieur aux marques ; ce que fait quiconque détient "
    "MLC_SECRET_KEY en plus de l'accès en écriture à la base. Des points de contrôle "
    "signés du journal, gardés hors de la base, sont la réponse complète."
    f"\n\n{_EX}mlc audit verify --json",
    "audit acts": "Le journal des actes d'administration, du plus ancien au plus récent : "
    "qui a créé ou désactivé un utilisateur, ouvert ou gelé un compte, changé une règle, un "
    "compte bancaire, un comptoir, le plan comptable, clôturé une période, et quand. Aucune "
    "ligne ne contient de mot de passe ni le secret d'une clé."
    f"\n\n{_EX}mlc audit acts --actor admin --act users.disable",
    "audit acts --after-id": "Seulement les actes après ce numéro de ligne.",
    "audit acts --limit": "Au plus ce nombre d'actes.",
    "audit acts --actor": "Seulement les actes de cet utilisateur (un nom, ou user:<id>).",
    "audit acts --act": "Seulement cet acte, par exemple users.disable.",
    # Exports
    "export": f"Exporte les comptes pour les personnes et les autres outils.\n\n{_EX}mlc export "
    "journal books.journal",
    "export statement": "Écrit le relevé d'un compte, de la plus ancienne écriture à la plus "
    "récente, avec le solde courant.\n\n"
    "La période compte des jours entiers dans le fuseau de --timezone ; sans --from ni --to, "
    "tout l'historique. CSV : les écritures de la période ; en français, séparateur ; et "
    "virgule décimale, comme l'attendent les tableurs. PDF : les mouvements de la période "
    "entre son solde d'ouverture et son solde de clôture, en français (en anglais avec "
    "--lang en).\n\n"
    f"{_EX}mlc export statement bakery --format pdf --from 2026-11-01 --to 2026-11-30 "
    "-o bakery-2026-11.pdf",
    "export statement --format": "csv pour les tableurs, pdf pour imprimer ou archiver.",
    "export statement --output": "Fichier à écrire ; par défaut la sortie standard.",
    "export statement --from": "Premier jour, AAAA-MM-JJ (inclus).",
    "export statement --to": "Dernier jour, AAAA-MM-JJ (inclus).",
    "export statement --holder": "PDF : le nom du titulaire (par défaut : le nom du compte).",
    "export fec": "Écrit le FEC (fichier des écritures comptables) pour l'expert-comptable.\n\n"
    "18 colonnes, ISO-8859-15, une écriture par transaction, dans des journaux par nature "
    "(BQ1-BQ3 banques, CA-<comptoir> caisses, ML unités, OD autres), chacun numéroté sans "
    "trou ; avec --from, le fichier s'ouvre sur les à-nouveaux (journal AN). Les comptes du "
    "registre sont rattachés au plan comptable de l'association (mlc chart show) ; essayez "
    "des règles pour un seul export avec --accounts-map avant de les enregistrer avec "
    "mlc chart set. Donnez un dossier comme FILE pour le nom qu'attend l'administration : "
    "SIREN + FEC + date de clôture.\n\n"
    f"{_EX}mlc export fec . --siren 123456782 --from 2026-01-01 --to 2026-12-31",
    "export fec --from": "Premier jour, AAAA-MM-JJ (inclus).",
    "export fec --to": "Dernier jour, AAAA-MM-JJ (inclus).",
    "export fec --tab": "Sépare par des tabulations plutôt que par |.",
    "export fec --accounts-map": "CSV motif,numéro,libellé[,aux][,devise].",
    "export fec --journal-code": "Un seul JournalCode pour toutes les écritures.",
    "export fec --siren": "Le SIREN de l'association (par défaut : MLC_SIREN).",
    "export journal": "Écrit les comptes en journal texte (format hledger / Ledger).\n\n"
    "Un outil indépendant recalcule alors chaque solde : comparez « hledger -f FILE balance » "
    "à « mlc accounts list » (signes opposés).\n\n"
    f"{_EX}mlc export journal books.journal --assertions",
    "export journal --assertions": "Vérifie le solde de chaque compte après chaque écriture.",
}

# Typer's own options for shell completion, which speak of shells, not of the books.
_HIDDEN = {"install_completion", "show_completion"}


def _param_word(param: Any) -> str:
    first: str = param.opts[0]
    return first if first.startswith("-") else str(param.name).upper()


def help_keys(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str, Any]]:
    """(full key, shared key, object) for every command, option and argument under ``command``."""
    if path:
        key = " ".join(path)
        yield key, key, command
    for param in command.params:
        if param.name in _HIDDEN:
            continue
        word = _param_word(param)
        yield " ".join((*path, word)), word, param
    for name, sub in getattr(command, "commands", {}).items():
        yield from help_keys(sub, (*path, name))


def french_help_for(full: str, shared: str) -> str | None:
    return FRENCH_HELP.get(full, FRENCH_HELP.get(shared))


def localize(root: Any, lang: str, ctx: Any = None) -> None:
    """Put the French help on ``root``'s commands and parameters when ``lang`` is French.

    ``root`` is the click command tree Typer builds for one run, so the change lasts
    that run only. With the run's context ``ctx``, the ``--help`` flags too: each command
    makes its own, from the context, apart from its parameters.
    """
    if lang != "fr":
        return
    for full, shared, target in help_keys(root):
        text = french_help_for(full, shared)
        if text is not None:
            target.help = text
            if hasattr(target, "short_help"):
                target.short_help = None
    if ctx is not None:
        for option in _help_options(root, ctx):
            option.help = FRENCH_HELP["--help"]


def _help_options(command: Any, ctx: Any) -> Iterator[Any]:
    option = command.get_help_option(ctx)
    if option is not None:
        yield option
    for sub in getattr(command, "commands", {}).values():
        yield from _help_options(sub, ctx)
