"""``mlc cashiers``: a shop's cashiers, managed by the shop's owner (``--as``).

A cashier takes payments and refunds within a limit at one shop, nothing else. The owner
of a shop account adds them, disables them (which ends their sessions), lets them back in
and sets their password; an administrator may do it for any shop. As with ``mlc users``,
passwords are never given on the command line: they are asked for (hidden, typed twice)
or read from the environment variable named by ``--password-env``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.options import JsonOption
from cli.commands.users import PasswordEnvOption, password_from
from cli.context import run_context
from cli.lazy import lazy
from cli.output import print_json

if TYPE_CHECKING:
    from monnaie_locale.acts import cashiers
    from monnaie_locale.auth.user_admin import UserSummary
else:
    cashiers = lazy("monnaie_locale.acts.cashiers")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "A shop's cashiers: add, disable, enable, set a password (for the shop's owner).\n\n"
        "[b]Example:[/b] mlc --as baker cashiers add bakery lea.bakery"
    ),
    no_args_is_help=True,
)
ShopArgument = Annotated[str, typer.Argument(help="The shop's account, e.g. bakery.")]
CashierArgument = Annotated[str, typer.Argument(help="The cashier's sign-in name.")]

_SHOP_FR = "Le compte du commerce, par exemple bakery."
_CASHIER_FR = "L'identifiant de connexion du caissier ou de la caissière."
_PASSWORD_ENV_FR = "Lit le mot de passe dans cette variable d'environnement au lieu de le demander."

# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "cashiers": (
        "Les caissiers d'un commerce : ajouter, désactiver, réactiver, changer le mot de "
        "passe (pour le ou la gérante du commerce).\n\n[b]Exemple :[/b] mlc --as baker "
        "cashiers add bakery lea.bakery"
    ),
    "cashiers list": (
        "Liste les caissiers du commerce, actifs ou non.\n\n[b]Exemple :[/b] mlc --as baker "
        "cashiers list bakery"
    ),
    "cashiers list ACCOUNT": _SHOP_FR,
    "cashiers add": (
        "Ajoute un caissier au commerce : il encaisse et rembourse dans une limite, rien "
        "d'autre. Le mot de passe est demandé deux fois, masqué.\n\n[b]Exemple :[/b] mlc "
        "--as baker cashiers add bakery lea.bakery"
    ),
    "cashiers add ACCOUNT": _SHOP_FR,
    "cashiers add USERNAME": _CASHIER_FR,
    "cashiers add --password-env": _PASSWORD_ENV_FR,
    "cashiers disable": (
        "Empêche un caissier du commerce de se connecter et clôt ses sessions.\n\n"
        "[b]Exemple :[/b] mlc --as baker cashiers disable bakery lea.bakery"
    ),
    "cashiers disable ACCOUNT": _SHOP_FR,
    "cashiers disable USERNAME": _CASHIER_FR,
    "cashiers enable": (
        "Permet de nouveau à un caissier désactivé de se connecter (ses anciennes sessions "
        "restent closes).\n\n[b]Exemple :[/b] mlc --as baker cashiers enable bakery lea.bakery"
    ),
    "cashiers enable ACCOUNT": _SHOP_FR,
    "cashiers enable USERNAME": _CASHIER_FR,
    "cashiers password": (
        "Change le mot de passe d'un caissier (demandé deux fois, masqué) et le déconnecte "
        "partout.\n\n[b]Exemple :[/b] mlc --as baker cashiers password bakery lea.bakery"
    ),
    "cashiers password ACCOUNT": _SHOP_FR,
    "cashiers password USERNAME": _CASHIER_FR,
    "cashiers password --password-env": _PASSWORD_ENV_FR,
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="cashiers")


def _json(user: UserSummary) -> dict[str, object]:
    return {
        "username": user.username,
        "role": str(user.role),
        "active": user.active,
        "accounts": sorted(user.accounts),
    }


@group.command("list")
def list_cashiers(ctx: typer.Context, account: ShopArgument, as_json: JsonOption = False) -> None:
    """List the shop's cashiers, active or not.

    [b]Example:[/b] mlc --as baker cashiers list bakery
    """
    run = run_context(ctx)
    found = cashiers.list_cashiers(run.context(), account)
    if as_json:
        print_json([_json(user) for user in found])
        return
    if not found:
        run.out.print(run.messages("cashiers.none", account=account), markup=False)
        return
    table = Table(title=run.messages("cashiers.title", account=account))
    for column in ("user", "status"):
        table.add_column(run.messages(f"col.{column}"))
    for user in found:
        state = run.messages("status.active" if user.active else "users.disabled_state")
        table.add_row(user.username, state)
    run.out.print(table)


@group.command()
def add(
    ctx: typer.Context,
    account: ShopArgument,
    username: CashierArgument,
    password_env: PasswordEnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a cashier to the shop: they take payments and refund within a limit, nothing
    else. The password is asked for twice, hidden.

    [b]Example:[/b] mlc --as baker cashiers add bakery lea.bakery
    """
    run = run_context(ctx)
    context = run.context()  # who acts, known before a password is asked for
    # Refused before a password is typed for a shop the actor does not own.
    cashiers.list_cashiers(context, account)
    password = password_from(run, password_env)
    user = cashiers.add_cashier(context, account, username, password)
    if as_json:
        print_json(_json(user))
        return
    run.out.print(run.messages("cashiers.added", user=username, account=account), markup=False)


@group.command()
def disable(ctx: typer.Context, account: ShopArgument, username: CashierArgument) -> None:
    """Stop a cashier of the shop from signing in and end their sessions.

    [b]Example:[/b] mlc --as baker cashiers disable bakery lea.bakery
    """
    run = run_context(ctx)
    cashiers.disable_cashier(run.context(), account, username)
    run.out.print(run.messages("cashiers.disabled", user=username, account=account), markup=False)


@group.command()
def enable(ctx: typer.Context, account: ShopArgument, username: CashierArgument) -> None:
    """Let a disabled cashier sign in again (their old sessions stay ended).

    [b]Example:[/b] mlc --as baker cashiers enable bakery lea.bakery
    """
    run = run_context(ctx)
    cashiers.enable_cashier(run.context(), account, username)
    run.out.print(run.messages("cashiers.enabled", user=username, account=account), markup=False)


@group.command()
def password(
    ctx: typer.Context,
    account: ShopArgument,
    username: CashierArgument,
    password_env: PasswordEnvOption = None,
) -> None:
    """Set a cashier's new password (asked for twice, hidden) and sign them out everywhere.

    [b]Example:[/b] mlc --as baker cashiers password bakery lea.bakery
    """
    run = run_context(ctx)
    context = run.context()
    # Checked before asking, so nobody types a password for a misspelt name.
    cashiers.get_cashier(context, account, username)
    new = password_from(run, password_env)
    cashiers.reset_cashier_password(context, account, username, new)
    run.out.print(run.messages("cashiers.password_set", user=username), markup=False)
