"""Every command of ``mlc``, walked: whom it refuses, and that its route refuses them alike.

:data:`WALK` names, for each command that acts for a user, the arguments of a call that
would go through for someone allowed, who must be refused, and the API route of the same
act. For each refused user, the command (``--as`` the user) and the route (with the
user's token) must give the same error code, 403 and exit 5, and change nothing; and so
for nobody at all (no ``--as``; no token: 401). A bare role refused is one the act does
not declare, refused ``role_forbidden``; a role given with a code is one the act admits,
refused for what it asks (an account it does not hold, an account moved only by its own
operations).

:data:`NO_ACTOR` lists, with the reason, the commands that act for no user. A command in
neither fails the walk: a new command cannot be forgotten.

The walk shares one deployment per engine: a refused call changes nothing, so each
refusal finds the books as the previous one left them.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import typer.main
from sqlalchemy import select

from cli.main import app, load_all
from monnaie_locale.acting import Act
from monnaie_locale.acts import (
    accounts,
    audit,
    authorities,
    authority_statements,
    bank,
    books,
    cashiers,
    chart,
    conversions,
    directory,
    exports,
    jobs,
    liabilities,
    mandates,
    membership,
    notes,
    offices,
    periods,
    reconversions,
    regie_counter,
    reserve,
    sessions,
    takings,
    transfers,
    transparency,
    users,
    versements,
    witnesses,
)
from monnaie_locale.acts import rules as currency_rules
from monnaie_locale.auth import Role
from monnaie_locale.store.tables import accounts as accounts_table
from monnaie_locale.store.tables import postings, transactions
from tests.api.operations_support import BAKERY_IBAN, OFFICE
from tests.authorities.town import TOWN, set_up_town

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

# An office the office operator of OFFICE does not work at.
OTHER = "port"
PASSWORD_ENV = "MLC_WALK_PASSWORD"
ACCOUNTS_CSV = b"code,kind,currency,owner,lower_limit\nnew,member,MLC,M-9,0\n"
STATEMENT = (
    "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"
    "02/11/2026;02/11/2026;VIR SEPA RECU /MOTIF DON;R1;;120,00\r\n"
).encode("cp1252")
TWENTY = [{"denomination": "20", "count": 1}]
NOTES_IBAN = "FR7642559100000800244561756"
# Two lines for the bank acts: one left unmatched, one matched by hand.
BANK_LINES = (
    "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"
    "03/11/2026;03/11/2026;VIR SEPA RECU /CARTE;R2;;50,00\r\n"
    "03/11/2026;03/11/2026;VIR SEPA RECU /CARTE;R3;;200,00\r\n"
).encode("cp1252")


@dataclass(frozen=True)
class Route:
    """A request of the API. ``{name}`` in the path, or as a whole string in the body, is
    one of the deployment's records (see :func:`_records`); ``upload`` is sent as the
    multipart ``file``, with ``form`` beside it."""

    method: str
    path: str
    body: Any = None
    params: Mapping[str, str] | None = None
    upload: tuple[str, bytes] | None = None
    form: Mapping[str, str] | None = None

    def call(
        self, client: Any, records: Mapping[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        headers = {**headers, "Idempotency-Key": "walk"}
        path = self.path.format_map(records)
        if self.upload is not None:
            response: httpx.Response = client.request(
                self.method, path, files={"file": self.upload}, data=self.form, headers=headers
            )
        else:
            response = client.request(
                self.method, path, json=_fill(self.body, records), params=self.params,
                headers=headers,
            )  # fmt: skip
        return response


def _fill(value: Any, records: Mapping[str, Any]) -> Any:
    """``value`` with each ``"{name}"`` string replaced by that record, as it is typed."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return records[value[1:-1]]
    if isinstance(value, list):
        return [_fill(item, records) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, records) for key, item in value.items()}
    return value


def get(path: str, **params: str) -> Route:
    return Route("GET", path, params=params or None)


def post(path: str, body: Any = None, **params: str) -> Route:
    return Route("POST", path, body if body is not None else {}, params=params or None)


@dataclass(frozen=True)
class Walk:
    """One command, called with ``args``: the act it does, who it refuses, its route."""

    command: str
    act: Act[..., Any]
    args: str
    api: Route | None
    # A bare role: one the act does not declare (role_forbidden). With a code: refused so.
    refused: tuple[Role | tuple[Role, str], ...]

    def refusals(self) -> Iterator[tuple[Role, str]]:
        for refusal in self.refused:
            yield refusal if isinstance(refusal, tuple) else (refusal, "role_forbidden")


MEMBER, OWNER, CASHIER = Role.MEMBER, Role.MERCHANT_OWNER, Role.MERCHANT_CASHIER
AGENT, COUNTER, OPERATOR = Role.AUTHORITY_AGENT, Role.OFFICE_OPERATOR, Role.ASSOCIATION_OPERATOR
AUDITOR, ADMIN = Role.AUDITOR, Role.ADMIN
NOT_YOURS = "not_your_account"
NOT_TRANSFERABLE = "not_transferable"
# The walk's authority agent holds no duty at the town: it is refused the town's acts.
NOT_THEIRS = (AGENT, "not_your_regie")
TREASURY_IBAN = "FR7630001007941234567890185"
NOT_THE_TOWN = (MEMBER, OWNER, CASHIER, COUNTER, OPERATOR, AUDITOR, ADMIN, NOT_THEIRS)
MANDATE = f"/v1/authorities/{TOWN}/mandates"

WALK: tuple[Walk, ...] = (
    # Accounts
    Walk("accounts create", accounts.open_account, "new --kind member --currency MLC",
         post("/v1/accounts", {"code": "new", "kind": "member"}), (MEMBER, COUNTER, AUDITOR)),
    Walk("accounts list", accounts.list_accounts, "", get("/v1/accounts"), ()),
    Walk("accounts show", accounts.get_account, "bakery", get("/v1/accounts/bakery"),
         ((MEMBER, NOT_YOURS), (AGENT, NOT_YOURS))),
    Walk("accounts freeze", accounts.freeze, "alice", post("/v1/accounts/alice/freeze"),
         (MEMBER, AUDITOR)),
    Walk("accounts unfreeze", accounts.unfreeze, "alice", post("/v1/accounts/alice/unfreeze"),
         (MEMBER, AUDITOR)),
    Walk("accounts close", accounts.close, "alice", post("/v1/accounts/alice/close"),
         (MEMBER, AUDITOR)),
    Walk("accounts rename", accounts.rename, "bakery Mine",
         Route("PATCH", "/v1/accounts/bakery", {"display_name": "Mine"}), (OWNER, AUDITOR)),
    Walk("accounts import", accounts.import_accounts, "{files}/members.csv",
         Route("POST", "/v1/accounts/import", upload=("members.csv", ACCOUNTS_CSV)),
         (COUNTER, AUDITOR)),
    # Money between holders
    Walk("transfer", transfers.transfer, "bakery alice 5 --key walk",
         post("/v1/transfers", {"payer": "bakery", "payee": "alice", "amount": "5"}),
         (CASHIER, AUDITOR, (MEMBER, NOT_YOURS))),
    # Units from nothing: refused whoever asks, the administrator included.
    Walk("transfer", transfers.transfer, "issuance alice 1000 --key walk",
         post("/v1/transfers", {"payer": "issuance", "payee": "alice", "amount": "1000"}),
         ((ADMIN, NOT_TRANSFERABLE), (OPERATOR, NOT_TRANSFERABLE), (MEMBER, NOT_YOURS),
          AUDITOR)),
    # Units into nothing, from an account of one's own.
    Walk("transfer", transfers.transfer, "alice issuance 10 --key walk",
         post("/v1/transfers", {"payer": "alice", "payee": "issuance", "amount": "10"}),
         ((MEMBER, NOT_TRANSFERABLE), (ADMIN, NOT_TRANSFERABLE))),
    Walk("reverse", transfers.reverse, "{transaction} --key walk",
         post("/v1/transactions/{transaction}/reversal"), (MEMBER, OWNER, AUDITOR)),
    # Conversions
    Walk("convert transfer-order", conversions.order_conversion, "bakery 20 --key walk",
         post("/v1/conversions/orders", {"account": "bakery", "amount": "20"}),
         (CASHIER, AUDITOR, (MEMBER, NOT_YOURS))),
    Walk("convert credit", conversions.credit_order, "{order} --amount 20 --bank-ref BANK-W",
         post("/v1/conversions/orders/{order}/credit",
              {"amount": "20", "bank_reference": "BANK-W"}),
         (MEMBER, COUNTER, AUDITOR)),
    Walk("convert cancel", conversions.cancel_order, "{order}",
         post("/v1/conversions/orders/{order}/cancel"), (MEMBER, AUDITOR)),
    Walk("convert card", conversions.convert_by_card,
         "alice 20 --payment-ref pi_walk --key walk",
         post("/v1/conversions/card",
              {"account": "alice", "amount": "20", "payment_reference": "pi_walk"}),
         (MEMBER, CASHIER)),
    Walk("convert cash", conversions.convert_cash, f"bakery 100 --office {OTHER} --key walk",
         post("/v1/conversions/cash", {"office": OTHER, "account": "bakery", "amount": "100"}),
         (MEMBER, AUDITOR, (COUNTER, NOT_YOURS))),
    Walk("convert pending", conversions.pending_orders, "", None, (MEMBER, COUNTER)),
    # Reconversions and payouts
    Walk("reconversion request", reconversions.request_reconversion,
         f"bakery 10 --name Dupont --iban {BAKERY_IBAN} --key walk",
         post("/v1/reconversions",
              {"account": "bakery", "amount": "10", "creditor_name": "Dupont",
               "iban": BAKERY_IBAN}),
         (CASHIER, AUDITOR, (MEMBER, NOT_YOURS))),
    Walk("reconversion cancel", reconversions.cancel_reconversion, "{request}",
         post("/v1/reconversions/{request}/cancel"), (COUNTER, (MEMBER, NOT_YOURS))),
    Walk("reconversion list", reconversions.list_reconversions, "", None, (MEMBER, OWNER)),
    Walk("reconversion paid", reconversions.mark_paid, "{payable} --bank-ref BANK-W",
         post("/v1/reconversions/{payable}/paid", {"bank_reference": "BANK-W"}),
         (OWNER, AUDITOR)),
    Walk("reconversion batch validate", reconversions.validate_batch, "{request} --key walk",
         post("/v1/payout-batches", {"request_ids": ["{request}"]}), (OWNER, AUDITOR)),
    Walk("reconversion batch export", reconversions.export_batch,
         "{batch} {files}/virements.xml",
         post("/v1/payout-batches/{batch}/pain001", execution_date="2026-11-03"),
         (OWNER, AUDITOR)),
    Walk("reconversion batch paid", reconversions.mark_batch_paid,
         "{exported} --bank-ref BANK-W",
         post("/v1/payout-batches/{exported}/paid", {"bank_reference": "BANK-W"}),
         (OWNER, AUDITOR)),
    # Paper notes
    Walk("notes print", notes.print_notes, "--notes 1x20 --key walk",
         post("/v1/notes/print", {"notes": TWENTY}), (COUNTER, AUDITOR)),
    Walk("notes deliver", notes.deliver_notes, f"--office {OFFICE} --notes 1x20 --key walk",
         post("/v1/notes/deliver", {"office": OFFICE, "notes": TWENTY}), (COUNTER, AUDITOR)),
    Walk("notes return", notes.return_notes, f"--office {OFFICE} --notes 1x20 --key walk",
         post("/v1/notes/return", {"office": OFFICE, "notes": TWENTY}), (COUNTER, AUDITOR)),
    Walk("notes sell", notes.sell_notes, f"--office {OTHER} --notes 1x20 --key walk",
         post("/v1/notes/sell", {"office": OTHER, "notes": TWENTY}),
         (MEMBER, (COUNTER, NOT_YOURS))),
    Walk("notes deposit", notes.deposit_notes,
         f"--office {OTHER} --account alice --notes 1x20 --key walk",
         post("/v1/notes/deposit", {"office": OTHER, "account": "alice", "notes": TWENTY}),
         (MEMBER, (COUNTER, NOT_YOURS))),
    Walk("notes destroy", notes.destroy_notes, "--place vault --notes 1x20 --key walk",
         post("/v1/notes/destroy", {"location": "vault", "notes": TWENTY}), (COUNTER, AUDITOR)),
    Walk("notes lose", notes.lose_notes, "--place vault --notes 1x20 --key walk",
         post("/v1/notes/lose", {"location": "vault", "notes": TWENTY}), (COUNTER, AUDITOR)),
    Walk("notes find", notes.find_notes, "--place vault --notes 1x20 --key walk",
         post("/v1/notes/find", {"location": "vault", "notes": TWENTY}), (COUNTER, AUDITOR)),
    # Exchange offices
    Walk("offices add", offices.add_office, "halles", None, (COUNTER, AUDITOR)),
    Walk("offices close-till", offices.close_till, f"{OTHER} --counted 0 --key walk",
         post(f"/v1/offices/{OTHER}/closings", {"counted": "0"}),
         (AUDITOR, (COUNTER, NOT_YOURS))),
    Walk("offices close", offices.close_office, OTHER, post(f"/v1/offices/{OTHER}/close"),
         (COUNTER, AUDITOR)),
    Walk("offices bank", offices.bank_till, f"{OTHER} --amount 1 --key walk",
         post(f"/v1/offices/{OTHER}/bank-deposits", {"amount": "1"}),
         (MEMBER, (COUNTER, NOT_YOURS))),
    Walk("offices received", offices.receive_till_deposit, "{deposit} --bank-ref BANK-W",
         post("/v1/bank-deposits/{deposit}/received", {"bank_reference": "BANK-W"}),
         (COUNTER, AUDITOR)),
    # The public directory: a business's profile, an office's place
    Walk("directory set-profile", directory.set_business_profile,
         "bakery --category Boulangerie --town Bayonne",
         Route("PUT", "/v1/accounts/bakery/profile",
               {"category": "Boulangerie", "town": "Bayonne"}),
         (MEMBER, CASHIER, AGENT, COUNTER, AUDITOR)),
    Walk("directory set-profile", directory.set_business_profile,
         "town --category Mairie --town Bayonne",
         Route("PUT", "/v1/accounts/town/profile", {"category": "Mairie", "town": "Bayonne"}),
         ((OWNER, NOT_YOURS),)),
    Walk("directory set-office", directory.set_office_place,
         f"{OFFICE} --address 'Place de la gare' --town Bayonne --hours '9h-12h'",
         Route("PUT", f"/v1/offices/{OFFICE}/place",
               {"address": "Place de la gare", "town": "Bayonne", "hours": "9h-12h"}),
         (OWNER, COUNTER, AUDITOR)),
    # Membership fees
    Walk("membership pay", membership.pay_fee, "alice --period 2026 --paid-in units --key walk",
         post("/v1/membership/fees", {"account": "alice", "period": "2026", "paid_in": "units"}),
         (CASHIER, AUDITOR, (OWNER, NOT_YOURS))),
    # Only the association records a fee paid in euros, even the member's own.
    Walk("membership pay", membership.pay_fee, "alice --period 2026 --paid-in euros --key walk",
         post("/v1/membership/fees", {"account": "alice", "period": "2026", "paid_in": "euros"}),
         ((MEMBER, "role_forbidden"),)),
    Walk("membership status", membership.fee_status, "", get("/v1/membership/status"),
         (MEMBER, COUNTER)),
    # The association's other money flows
    Walk("books bank-fee", books.bank_fee, "reserve:digital 4,20 --key walk",
         post("/v1/books/bank-fees", {"account": "reserve:digital", "amount": "4,20"}),
         (MEMBER, COUNTER, AUDITOR)),
    Walk("books bank-fee", books.bank_fee, "reserve:digital 1.10 --card --key walk",
         post("/v1/books/card-fees", {"account": "reserve:digital", "amount": "1.10"}),
         (OWNER, CASHIER, AGENT)),
    Walk("books interest", books.interest, "reserve:digital 3 --key walk",
         post("/v1/books/interest", {"account": "reserve:digital", "amount": "3"}),
         (MEMBER, COUNTER, AUDITOR)),
    Walk("books to-operating", books.to_operating, "fees 1 --key walk",
         post("/v1/books/to-operating", {"what": "fees", "amount": "1"}),
         (MEMBER, COUNTER, AUDITOR)),
    Walk("books donation", books.receive_gift, "50 --memo Durand --key walk",
         post("/v1/books/donations", {"amount": "50", "memo": "Durand"}),
         (MEMBER, COUNTER, AUDITOR)),
    Walk("books grant", books.receive_gift, "1500 --key walk",
         post("/v1/books/grants", {"amount": "1500"}), (OWNER, COUNTER, AUDITOR)),
    # A holder gives units through the association, not on their own say.
    Walk("books donate-units", books.donate_units, "alice 1 --key walk",
         post("/v1/books/unit-donations", {"account": "alice", "amount": "1"}),
         (MEMBER, COUNTER, AUDITOR)),
    Walk("books close-account", books.close_for_good,
         "alice --reason left --settle donate --key walk",
         post("/v1/books/closures",
              {"account": "alice", "reason": "left", "settlement": "donate"}),
         (MEMBER, COUNTER, AUDITOR)),
    Walk("books write-off", books.write_off_notes,
         "A-1..A-2 --place vault --notes 1x20 --reason stolen --key walk",
         post("/v1/books/note-write-offs",
              {"series": "A-1..A-2", "location": "vault", "notes": TWENTY,
               "reason": "stolen"}),
         (MEMBER, COUNTER, AUDITOR)),
    Walk("books reverse-conversion", books.reverse_conversion, "1 --chargeback --key walk",
         post("/v1/books/conversion-reversals", {"conversion_id": 1, "how": "charged_back"}),
         (MEMBER, COUNTER, AUDITOR)),
    # The reserve
    Walk("reserve report", reserve.reserve_report, "", get("/v1/reserve/report"),
         (MEMBER, COUNTER)),
    Walk("reserve attestations", reserve.reserve_attestations, "",
         get("/v1/reserve/attestations"), (MEMBER, COUNTER)),
    Walk("reserve import-statement", reserve.import_statement_file,
         "{files}/releve.csv --format csv",
         Route("POST", "/v1/bank/statements", upload=("releve.csv", STATEMENT),
               form={"format": "csv"}),
         (COUNTER, AUDITOR)),
    # The currency's rules: read by everyone, their history by report readers
    Walk("rules show", currency_rules.show_rules, "", get("/v1/rules"), ()),
    Walk("rules history", currency_rules.rule_history, "", get("/v1/rules/history"),
         (MEMBER, OWNER, COUNTER)),
    Walk("rules set", currency_rules.change_rule, "conversion_bonus 100 --from 2026-11-02",
         post("/v1/rules", {"rule": "conversion_bonus", "value": "100",
                            "effective_from": "2026-11-02"}),
         (MEMBER, COUNTER, AUDITOR)),
    # The chart of accounts and the association's books
    Walk("chart show", chart.show_chart, "", get("/v1/chart"), (MEMBER, COUNTER)),
    Walk("chart set", chart.set_chart_rule, "'income:*' 758100 Divers",
         Route("PUT", "/v1/chart/rules",
               {"pattern": "income:*", "number": "758100", "label": "Divers"}),
         (COUNTER, AUDITOR)),
    Walk("chart unset", chart.unset_chart_rule, "income:other",
         Route("DELETE", "/v1/chart/rules", params={"pattern": "income:other"}),
         (MEMBER, AUDITOR)),
    Walk("report", chart.books_report_for, "", get("/v1/reports/income-statement"),
         (MEMBER, OWNER)),
    # The association's bank accounts and their reconciliation
    Walk("bank accounts add", bank.add_bank_account,
         f"notes --role reserve_notes --iban {NOTES_IBAN}",
         post("/v1/bank/accounts", {"name": "notes", "role": "reserve_notes",
                                    "iban": NOTES_IBAN}),
         (COUNTER, AUDITOR)),
    Walk("bank accounts change", bank.change_bank_account, "reserve --bic CCOPFRPP",
         Route("PATCH", "/v1/bank/accounts/reserve", {"bic": "CCOPFRPP"}), (COUNTER, AUDITOR)),
    Walk("bank accounts list", bank.list_bank_accounts, "", get("/v1/bank/accounts"),
         (MEMBER, COUNTER)),
    Walk("bank report", bank.reconciliation_report, "reserve",
         get("/v1/bank/accounts/reserve/reconciliation"), (MEMBER, COUNTER)),
    Walk("bank line", bank.bank_line, "{line}", get("/v1/bank/lines/{line}"), (MEMBER, OWNER)),
    Walk("bank match", bank.match_line, "{line} {card}",
         post("/v1/bank/lines/{line}/match", {"transaction_id": "{card}"}), (COUNTER, AUDITOR)),
    Walk("bank unmatch", bank.unmatch_line, "{matched}", post("/v1/bank/lines/{matched}/unmatch"),
         (COUNTER, AUDITOR)),
    # Users
    Walk("users create", users.create_user, f"paul --role admin --password-env {PASSWORD_ENV}",
         post("/v1/users", {"username": "paul", "password": "a long new secret",
                            "role": "admin"}),
         (MEMBER, OPERATOR, AUDITOR)),
    Walk("users link", users.link_account, "alice bakery",
         post("/v1/users/alice/accounts", {"account": "bakery"}), (MEMBER, OPERATOR)),
    Walk("users disable", users.disable, "baker", post("/v1/users/baker/disable"),
         (OWNER, OPERATOR)),
    Walk("users password", users.reset_password, f"baker --password-env {PASSWORD_ENV}",
         post("/v1/users/baker/password", {"password": "a long new secret"}),
         (OWNER, OPERATOR)),
    Walk("users list", users.list_users, "", get("/v1/users"), (OPERATOR, AUDITOR)),
    # A shop's cashiers, managed by its owner
    Walk("cashiers list", cashiers.list_cashiers, "bakery", get("/v1/accounts/bakery/cashiers"),
         (MEMBER, CASHIER, OPERATOR, AUDITOR)),
    Walk("cashiers add", cashiers.add_cashier,
         f"bakery lea.bakery --password-env {PASSWORD_ENV}",
         post("/v1/accounts/bakery/cashiers",
              {"username": "lea.bakery", "password": "a long new secret"}),
         (MEMBER, CASHIER, OPERATOR, AUDITOR)),
    Walk("cashiers add", cashiers.add_cashier, f"town lea.town --password-env {PASSWORD_ENV}",
         post("/v1/accounts/town/cashiers",
              {"username": "lea.town", "password": "a long new secret"}),
         ((OWNER, NOT_YOURS),)),
    Walk("cashiers disable", cashiers.disable_cashier, "bakery till",
         post("/v1/accounts/bakery/cashiers/till/disable"), (MEMBER, CASHIER, OPERATOR)),
    Walk("cashiers disable", cashiers.disable_cashier, "town till",
         post("/v1/accounts/town/cashiers/till/disable"), ((OWNER, NOT_YOURS),)),
    Walk("cashiers enable", cashiers.enable_cashier, "bakery till",
         post("/v1/accounts/bakery/cashiers/till/enable"), (MEMBER, CASHIER, AUDITOR)),
    Walk("cashiers password", cashiers.reset_cashier_password,
         f"bakery till --password-env {PASSWORD_ENV}",
         post("/v1/accounts/bakery/cashiers/till/password", {"password": "a long new secret"}),
         (MEMBER, CASHIER, AGENT)),
    # A shop's takings: its staff's and the report readers'
    Walk("takings", takings.takings, "bakery", get("/v1/accounts/bakery/takings"),
         (MEMBER, AGENT, COUNTER)),
    Walk("takings", takings.takings, "town", get("/v1/accounts/town/takings"),
         ((OWNER, NOT_YOURS), (CASHIER, NOT_YOURS))),
    # Reading the books whole
    Walk("audit verify", audit.verify_journal, "", get("/v1/audit/journal"), (MEMBER, COUNTER)),
    Walk("audit acts", audit.administrative_acts, "", get("/v1/audit/acts"),
         (MEMBER, OWNER, COUNTER)),
    Walk("export statement", exports.write_statement_csv,
         "bakery --format csv --output {files}/bakery.csv",
         get("/v1/accounts/bakery/statement", format="csv"),
         ((MEMBER, NOT_YOURS), (AGENT, NOT_YOURS))),
    Walk("export fec", exports.write_fec, "{files}/fec.txt", get("/v1/exports/fec"),
         (MEMBER, COUNTER)),
    Walk("export journal", exports.write_journal, "{files}/journal.ledger",
         get("/v1/exports/journal.ledger"), (MEMBER, OWNER)),
    # Closing the books
    Walk("period checklist", periods.closing_checklist, "2026-10-31",
         get("/v1/periods/checklist", through="2026-10-31"), (MEMBER, COUNTER)),
    Walk("period close", periods.close_period, "2026-10-31",
         post("/v1/periods/close", {"through": "2026-10-31"}), (MEMBER, COUNTER, AUDITOR)),
    Walk("period list", periods.list_periods, "", get("/v1/periods"), (MEMBER, OWNER)),
    # What the public accountant receives (the duty is checked after the role)
    Walk("town-statement regie", authority_statements.regie_statement, "bayonne-piscine 2026",
         get("/v1/regies/bayonne-piscine/statements/2026"),
         (MEMBER, OWNER, CASHIER, COUNTER, NOT_THEIRS)),
    Walk("town-statement authority", authority_statements.authority_statement, "bayonne 2026",
         get("/v1/authorities/bayonne/statements/2026"),
         (MEMBER, OWNER, CASHIER, COUNTER, NOT_THEIRS)),
    # Local authorities: set up by the association, read by their people and the auditor
    Walk("authority create", authorities.create_authority,
         f"anglet --name Anglet --kind commune --treasury-name T --treasury-iban {TREASURY_IBAN}",
         post("/v1/authorities", {"code": "anglet", "name": "Anglet", "kind": "commune",
                                  "treasury_name": "T", "treasury_iban": TREASURY_IBAN}),
         (MEMBER, AGENT, AUDITOR)),
    Walk("authority list", authorities.list_authorities, "", get("/v1/authorities"),
         (MEMBER, OWNER, COUNTER)),
    Walk("authority show", authorities.get_authority, "bayonne", get("/v1/authorities/bayonne"),
         (MEMBER, CASHIER, COUNTER, NOT_THEIRS)),
    Walk("authority convention", authorities.record_convention,
         "bayonne --from 2026-09-01 --fee 0 --payin-days 30",
         post("/v1/authorities/bayonne/conventions",
              {"effective_from": "2026-09-01", "reconversion_fee": "0", "payin_days": 30}),
         (MEMBER, AGENT, AUDITOR)),
    Walk("authority conventions", authorities.list_conventions, "bayonne",
         get("/v1/authorities/bayonne/conventions"), (MEMBER, COUNTER, NOT_THEIRS)),
    Walk("authority duty grant", authorities.grant_duty, "bayonne clerk finance",
         post("/v1/authorities/bayonne/duties", {"username": "clerk", "duty": "finance"}),
         (OWNER, AGENT, AUDITOR)),
    Walk("authority duty revoke", authorities.revoke_duty, "bayonne 1",
         Route("DELETE", "/v1/authorities/bayonne/duties/1"), (MEMBER, AGENT, AUDITOR)),
    Walk("authority duty list", authorities.list_duties, "bayonne",
         get("/v1/authorities/bayonne/duties"), (MEMBER, COUNTER, NOT_THEIRS)),
    Walk("regie create", authorities.create_regie,
         "bayonne bayonne-musee --name Musée --cash-cap 100",
         post("/v1/authorities/bayonne/regies",
              {"code": "bayonne-musee", "name": "Musée", "cash_cap": "100"}),
         (MEMBER, AGENT, AUDITOR)),
    Walk("regie list", authorities.my_regies, "", get("/v1/regies"), (MEMBER, OWNER, COUNTER)),
    Walk("regie show", authorities.get_regie, "bayonne-piscine", get("/v1/regies/bayonne-piscine"),
         (MEMBER, COUNTER, NOT_THEIRS)),
    Walk("regie tariff add", authorities.add_tariff, "bayonne-piscine Aquagym 8",
         post("/v1/regies/bayonne-piscine/tariffs", {"label": "Aquagym", "amount": "8"}),
         (MEMBER, COUNTER, AUDITOR, NOT_THEIRS)),
    Walk("regie tariffs", authorities.list_tariffs, "bayonne-piscine",
         get("/v1/regies/bayonne-piscine/tariffs"), (MEMBER, CASHIER, NOT_THEIRS)),
    # A régie's counter and its quittances (the duty at the régie: tests/authorities)
    Walk("quittance list", regie_counter.list_quittances, "bayonne-piscine",
         get("/v1/regies/bayonne-piscine/quittances"), (MEMBER, OWNER, CASHIER, COUNTER)),
    Walk("quittance show", regie_counter.get_quittance, "bayonne-piscine 2026 1",
         get("/v1/regies/bayonne-piscine/quittances/2026/1"), (MEMBER, COUNTER)),
    Walk("quittance sale", regie_counter.prepare_sale,
         "bayonne-piscine --amount 1,00 --object x --key walk",
         post("/v1/regies/bayonne-piscine/sales", {"amount": "1.00", "object": "x"}),
         (MEMBER, OWNER, AUDITOR)),
    # A régie's versements: the régie's people (their duty checked by the act), the
    # association, the auditor reading
    Walk("versement due", versements.versement_due, "bayonne-piscine",
         get("/v1/regies/bayonne-piscine/versement-due"), (MEMBER, OWNER, COUNTER)),
    Walk("versement list", versements.list_versements, "bayonne-piscine",
         get("/v1/regies/bayonne-piscine/versements"), (MEMBER, CASHIER, COUNTER)),
    Walk("versement prepare", versements.prepare_versement, "bayonne-piscine --key walk",
         post("/v1/regies/bayonne-piscine/versements"), (MEMBER, COUNTER, AUDITOR)),
    Walk("versement etat", versements.etat_de_versement,
         "bayonne-piscine 1 --format pdf --output {files}/etat.pdf",
         get("/v1/regies/bayonne-piscine/versements/1/etat.pdf"), (OWNER, COUNTER)),
    # A local authority's mandates: proposed and decided by the town's people only
    Walk("mandate propose", mandates.propose_mandate,
         f"{TOWN} --payee alice --amount 10 --exercice 2026 --bordereau B-1 --number 2 "
         "--chapitre 65 --article 6574 --fonction 40 --object Subvention --key walk",
         post(MANDATE, {"payee": "alice", "amount": "10", "exercice": 2026, "bordereau": "B-1",
                        "number": "2", "chapitre": "65", "article": "6574", "fonction": "40",
                        "object": "Subvention"}),
         NOT_THE_TOWN),
    Walk("mandate approve", mandates.approve_mandate, TOWN + " {mandate} --key walk",
         post(MANDATE + "/{mandate}/approval"), NOT_THE_TOWN),
    Walk("mandate reject", mandates.reject_mandate, TOWN + " {mandate} --reason late",
         post(MANDATE + "/{mandate}/rejection", {"reason": "late"}), NOT_THE_TOWN),
    Walk("mandate list", mandates.list_mandates, TOWN, get(MANDATE),
         (MEMBER, OWNER, CASHIER, COUNTER, NOT_THEIRS)),
    Walk("mandate show", mandates.get_mandate, TOWN + " {mandate}",
         get(MANDATE + "/{mandate}"), (MEMBER, COUNTER, NOT_THEIRS)),
    # A holder's proof of liabilities: their own accounts', the report readers' for any
    Walk("transparency liability-proof", liabilities.liability_proof, "--account bakery",
         get("/v1/transparency/liabilities/proof", account="bakery"),
         (CASHIER, COUNTER, (MEMBER, NOT_YOURS), (AGENT, NOT_YOURS))),
    # The published log: signing now is the association's; the export, the proofs of
    # entries and the alarms are for those who read the books (a holder's own entries)
    Walk("transparency checkpoint", transparency.make_checkpoint, "",
         post("/v1/transparency/checkpoints"), (MEMBER, COUNTER, AUDITOR)),
    Walk("transparency export", transparency.export_journal, "--out {files}/log",
         get("/v1/transparency/export"), (MEMBER, OWNER, COUNTER)),
    Walk("transparency proof inclusion", transparency.inclusion_proof, "--seq 1 --size 1",
         get("/v1/transparency/proof/inclusion", seq="1", size="1"), (CASHIER, AGENT, COUNTER)),
    Walk("transparency alarms", transparency.list_alarms, "", get("/v1/transparency/alarms"),
         (MEMBER, OWNER, COUNTER)),
    Walk("transparency acknowledge", transparency.acknowledge_alarm, "1",
         post("/v1/transparency/alarms/1/acknowledge"), (MEMBER, COUNTER, AUDITOR)),
    Walk("transparency add-witness", witnesses.register_witness, "w1 w1+00000000+AA==",
         post("/v1/transparency/witnesses", {"name": "w1", "vkey": "w1+00000000+AA=="}),
         (MEMBER, COUNTER, AUDITOR)),
    # The service's jobs: the administrators', with no route
    Walk("jobs list", jobs.list_jobs, "", None, (MEMBER, AUDITOR)),
    Walk("jobs run", jobs.run_job, "expire_holds", None, (COUNTER, AUDITOR)),
)  # fmt: skip

# Commands that act for no user, and why.
NO_ACTOR: dict[str, str] = {
    "init": "sets a deployment up before any user exists; refused once an administrator "
    "exists (tests/acts/test_users.py)",
    "serve": "runs the HTTP service, whose every route tests/api/test_access_matrix.py walks",
    "jobs serve": "runs the service's scheduled jobs as a serving process does, for no user; "
    "the jobs' own acts (jobs list, jobs run) are walked",
    "db migrate": "the schema, beneath the books: for whoever holds the database's URL",
    "db backup": "copies the database file, beneath the books: for whoever holds the file",
    "db restore": "replaces the database file, beneath the books, after verifying the "
    "copy's journal: for whoever holds the file",
    "keys generate": "writes a new signing key file; touches no database",
    "keys rotate": "replaces the signing key files named by the settings; touches no database",
    "keys show": "reads the public halves of the signing keys; touches no database",
    "quittance verify": "checks a signed quittance's signature against public keys; "
    "touches no database",
    "directory list": "reads the public directory, what GET /v1/directory shows anyone",
    "directory offices": "reads the public directory's offices, what GET "
    "/v1/directory/offices shows anyone",
    **{
        f"verify {check}": "the offline verifier: checks files against public keys; "
        "touches no database"
        for check in ("checkpoint", "consistency", "inclusion", "journal", "liability", "reserve")
    },
    "transparency latest": "reads the latest checkpoint, what GET "
    "/v1/transparency/checkpoint shows anyone",
    "transparency list": "lists the checkpoints, what GET /v1/transparency/checkpoints "
    "shows anyone",
    "transparency keys": "prints the public keys the settings name; touches no database",
    "transparency witnesses": "lists the witnesses, what GET /v1/transparency/witnesses "
    "shows anyone",
    "transparency proof consistency": "a consistency proof, what GET "
    "/v1/transparency/proof/consistency gives anyone",
    "witness init": "makes a witness's key in a directory of its own; touches no database",
    "witness run": "checks and cosigns the published log over HTTP, as anyone may; touches "
    "no database (its routes are in tests/api/test_access_matrix.py)",
}


def _commands(group: Any, prefix: str = "") -> Iterator[str]:
    """Every command of the tree, named by its words; groups only through their commands."""
    for name, command in getattr(group, "commands", {}).items():
        words = f"{prefix} {name}".strip()
        if hasattr(command, "commands"):
            yield from _commands(command, words)
        else:
            yield words


def test_every_command_is_walked_or_said_to_act_for_no_user() -> None:
    every = set(_commands(load_all(typer.main.get_command(app))))  # type: ignore[arg-type]
    walked = {walk.command for walk in WALK}
    assert walked.isdisjoint(NO_ACTOR), walked & set(NO_ACTOR)
    assert sorted(every - walked - set(NO_ACTOR)) == [], "neither walked nor said why not"
    assert sorted((walked | set(NO_ACTOR)) - every) == [], "no such command"


def test_each_role_refused_outright_is_one_its_act_does_not_declare() -> None:
    for walk in WALK:
        bare = {refusal for refusal in walk.refused if isinstance(refusal, Role)}
        assert not bare & walk.act.roles, f"{walk.command}: the act admits {bare & walk.act.roles}"


def _records(fronts: Fronts, files: Path) -> dict[str, Any]:
    """The records the walked commands name, each in the state a valid call wants."""
    operator, counter = fronts.context(OPERATOR), fronts.context(COUNTER)
    owner = fronts.context(OWNER)
    cards = [
        conversions.convert_by_card(
            operator, account, amount, payment_reference=f"card-{account}", key=account
        ).transaction_batch
        for account, amount in (("alice", 5000), ("bakery", 20000))
    ]
    paid = transfers.transfer(fronts.context(MEMBER), "alice", "bakery", 1000, key="pay")
    order = conversions.order_conversion(fronts.context(MEMBER), "alice", 2000, key="order")

    def requested(key: str) -> int:
        return reconversions.request_reconversion(
            owner, "bakery", 1000, creditor_name="Boulangerie", iban=BAKERY_IBAN, key=key
        ).id

    request, batched, payable = requested("r1"), requested("r2"), requested("r3")
    batch = reconversions.validate_batch(operator, [batched], key="b1")
    exported = reconversions.validate_batch(operator, [payable], key="b2")
    reconversions.export_batch(operator, exported.id)
    # Notes in the vault and at both offices, cash in both tills, some of it on its way.
    notes.print_notes(operator, {2000: 15}, key="print")
    for office in (OFFICE, OTHER):
        notes.deliver_notes(operator, office, {2000: 5}, key=f"deliver-{office}")
        conversions.convert_cash(operator, office, "town", 5000, key=f"cash-{office}")
    deposit = offices.bank_till(counter, OFFICE, 1000, key="bank")
    (imported,) = reserve.import_statement_file(
        operator, BANK_LINES, file_format="csv", key="lines"
    )
    line, matched = (outcome.row_id for outcome in imported.unmatched)
    assert line is not None and matched is not None
    card = [_card_transaction(fronts, batch) for batch in cards]
    bank.match_line(operator, matched, transaction_id=card[1])
    mandate = _proposed_mandate(fronts)
    (files / "members.csv").write_bytes(ACCOUNTS_CSV)
    (files / "releve.csv").write_bytes(STATEMENT)
    return {
        "transaction": paid.id,
        "order": order.reference,
        "request": request,
        "batch": batch.id,
        "exported": exported.id,
        "payable": payable,
        "deposit": deposit.id,
        "files": files,
        "line": line,
        "matched": matched,
        "card": card[0],
        "mandate": mandate,
    }


def _proposed_mandate(fronts: Fronts) -> int:
    """The town of tests.authorities.town, funded, with a mandate its ordonnateur proposed."""
    set_up_town(fronts.database, fronts.ops.clock)
    operator = fronts.context(OPERATOR)
    conversions.convert_by_card(
        operator, "authority:bayonne", 5000, payment_reference="card-town", key="town"
    )
    ordonnateur = dataclasses.replace(
        operator, actor=sessions.acting_as(fronts.database, "ordonnateur")
    )
    return mandates.propose_mandate(
        ordonnateur, TOWN, payee="alice", amount=1000, exercice=2026, bordereau="B-1",
        number="1", chapitre="65", article="6574", fonction="40", object="Subvention",
        key="mandate",
    ).id  # fmt: skip


def _card_transaction(fronts: Fronts, batch: str | None) -> int:
    """The first transaction of a card conversion's ledger ``batch`` on reserve:digital."""
    query = (
        select(postings.c.transaction_id)
        .join(accounts_table, accounts_table.c.id == postings.c.account_id)
        .join(transactions, transactions.c.id == postings.c.transaction_id)
        .where(transactions.c.batch == batch, accounts_table.c.code == "reserve:digital")
        .order_by(postings.c.transaction_id)
        .limit(1)
    )
    return int(fronts.ops.database.read(lambda conn: conn.execute(query).scalar_one()))


def _caller(
    fronts: Fronts, route: Route, records: Mapping[str, Any], role: Role | None
) -> Callable[[], httpx.Response]:
    """The request of ``route``, with the credentials of ``role``'s user (none for None)."""
    headers = {} if role is None else fronts.ops.auth(role)
    return lambda: route.call(fronts.ops.client, records, headers)


def test_every_command_refuses_whom_its_route_refuses_and_changes_nothing(
    fronts: Fronts,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    subtests: pytest.Subtests,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "a long new secret")
    records = _records(fronts, tmp_path)
    written = set(tmp_path.iterdir())
    for walk in WALK:
        cli = [*walk.command.split(), *shlex.split(walk.args.format_map(records))]
        for role, code in [*walk.refusals(), (None, "not_authenticated")]:
            api = None if walk.api is None else _caller(fronts, walk.api, records, role)
            with subtests.test(" ".join(cli), actor=role):
                fronts.refused_alike(role, code, api=api, cli=cli)
                assert set(tmp_path.iterdir()) == written, "a refused command wrote a file"
