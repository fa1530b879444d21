"""``mlc users``: the people who sign in to the service, and the accounts they hold.

Passwords are never given on the command line, where the shell history and the process
list would keep them: they are asked for (hidden, typed twice) or read from the
environment variable named by ``--password-env``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.options import JsonOption
from cli.context import RunContext, run_context
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.auth.roles import Role

if TYPE_CHECKING:
    from monnaie_locale.acts import users
    from monnaie_locale.auth.user_admin import UserSummary
else:
    users = lazy("monnaie_locale.acts.users")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "Users of the service: create, link to accounts, disable, change passwords.\n\n"
        "[b]Example:[/b] mlc users create paul --role office_operator"
    ),
    no_args_is_help=True,
)
UserArgument = Annotated[str, typer.Argument(help="The user's sign-in name.")]
PasswordEnvOption = Annotated[
    str | None,
    typer.Option(
        "--password-env",
        help="Read the password from this environment variable instead of asking for it.",
    ),
]


# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "users": (
        "Utilisateurs du service : créer, lier à des comptes, désactiver, changer le mot de "
        "passe.\n\n[b]Exemple :[/b] mlc users create paul --role office_operator"
    ),
    "users create": (
        "Crée un utilisateur avec un rôle ; le mot de passe est demandé deux fois, "
        "masqué.\n\n[b]Exemple :[/b] mlc users create paul --role office_operator"
    ),
    "users create USERNAME": "L'identifiant de connexion.",
    "users create --role": "Ce que l'utilisateur peut faire.",
    "users create --password-env": (
        "Lit le mot de passe dans cette variable d'environnement au lieu de le demander."
    ),
    "users link": (
        "Donne à un utilisateur la détention d'un compte (le voir et le mouvementer selon son "
        "rôle).\n\n[b]Exemple :[/b] mlc users link alice.martin alice"
    ),
    "users link USERNAME": "L'identifiant de connexion.",
    "users link ACCOUNT": "Le compte détenu.",
    "users disable": (
        "Empêche un utilisateur de se connecter et clôt ses sessions.\n\n[b]Exemple :[/b] mlc "
        "users disable paul"
    ),
    "users disable USERNAME": "L'identifiant de connexion.",
    "users password": (
        "Change le mot de passe (demandé deux fois, masqué) et déconnecte l'utilisateur "
        "partout.\n\n[b]Exemple :[/b] mlc users password paul"
    ),
    "users password USERNAME": "L'identifiant de connexion.",
    "users password --password-env": (
        "Lit le mot de passe dans cette variable d'environnement au lieu de le demander."
    ),
    "users list": (
        "Liste les utilisateurs, leur rôle, s'ils sont actifs et les comptes qu'ils "
        "détiennent.\n\n[b]Exemple :[/b] mlc users list --json"
    ),
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="users")


def password_from(run: RunContext, variable: str | None) -> str:
    if variable is not None:
        password = os.environ.get(variable, "")
        if not password:
            raise UsageProblem(run.messages("users.no_password", var=variable))
        return password
    return str(
        typer.prompt(
            run.messages("users.password_prompt"), hide_input=True, confirmation_prompt=True
        )
    )


@group.command()
def create(
    ctx: typer.Context,
    username: UserArgument,
    role: Annotated[Role, typer.Option("--role", help="What the user may do.")],
    password_env: PasswordEnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user with a role; the password is asked for twice, hidden.

    [b]Example:[/b] mlc users create paul --role office_operator
    """
    run = run_context(ctx)
    context = run.context()  # who acts, known before a password is asked for
    password = password_from(run, password_env)
    user = users.create_user(context, username, password=password, role=role)
    if as_json:
        print_json({"id": user.id, "username": user.username, "role": str(user.role)})
        return
    run.out.print(run.messages("users.created", user=username, role=str(role)), markup=False)


@group.command()
def link(
    ctx: typer.Context,
    username: UserArgument,
    account: Annotated[str, typer.Argument(help="The account the user holds.")],
) -> None:
    """Let a user hold an account (see and move its money, as their role allows).

    [b]Example:[/b] mlc users link alice.martin alice
    """
    run = run_context(ctx)
    users.link_account(run.context(), username, account)
    run.out.print(run.messages("users.linked", user=username, account=account), markup=False)


@group.command()
def disable(ctx: typer.Context, username: UserArgument) -> None:
    """Stop a user from signing in and end their sessions.

    [b]Example:[/b] mlc users disable paul
    """
    run = run_context(ctx)
    users.disable(run.context(), username)
    run.out.print(run.messages("users.disabled", user=username), markup=False)


@group.command()
def password(
    ctx: typer.Context, username: UserArgument, password_env: PasswordEnvOption = None
) -> None:
    """Set a new password (asked for twice, hidden) and sign the user out everywhere.

    [b]Example:[/b] mlc users password paul
    """
    run = run_context(ctx)
    context = run.context()
    # Checked before asking, so nobody types a password for a misspelt name.
    users.get_user(context, username)
    new = password_from(run, password_env)
    users.reset_password(context, username, new)
    run.out.print(run.messages("users.password_set", user=username), markup=False)


@group.command("list")
def list_users(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the users, their role, whether they are active and the accounts they hold.

    [b]Example:[/b] mlc users list --json
    """
    run = run_context(ctx)
    found = [
        {
            "username": user.username,
            "role": str(user.role),
            "active": user.active,
            "accounts": sorted(user.accounts),
        }
        for user in sorted(_every_user(run), key=lambda user: user.username)
    ]
    if as_json:
        print_json(found)
        return
    table = Table(title=run.messages("users.title"))
    for column in ("user", "role", "status", "accounts"):
        table.add_column(run.messages(f"col.{column}"))
    for item in found:
        state = run.messages("status.active" if item["active"] else "users.disabled_state")
        accounts = item["accounts"]
        shown = ", ".join(accounts) if isinstance(accounts, list) else ""
        table.add_row(str(item["username"]), str(item["role"]), state, shown)
    run.out.print(table)


def _every_user(run: RunContext) -> list[UserSummary]:
    """Every user, read a page at a time."""
    found: list[UserSummary] = []
    context = run.context()
    while page := users.list_users(context, after_id=found[-1].id if found else 0, limit=500):
        found += page
    return found
