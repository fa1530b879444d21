"""``mlc keys``: the Ed25519 keys that sign payment codes and receipts.

``generate`` writes a new private key file (mode 0600, never over an existing file);
``rotate`` makes a new active key in the configured file and keeps the old key's public
half in the retired keys directory, so codes already printed keep working; ``show``
lists the keys the service would load, as the public JWK Set it publishes. The files and
the directory are those of the service's settings (``MLC_SIGNING_KEY_FILE``,
``MLC_SIGNING_KEY_PASSPHRASE``, ``MLC_SIGNING_KEY_RETIRED_DIR``): see
:mod:`monnaie_locale.signing_keys`. Passphrases are never given on the command line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.options import EXAMPLE, EXEMPLE, JsonOption
from cli.context import RunContext, run_context
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import print_json

if TYPE_CHECKING:
    from monnaie_locale import config, signing_keys
    from monnaie_locale.config import Settings
else:
    signing_keys = lazy("monnaie_locale.signing_keys")
    config = lazy("monnaie_locale.config")

__all__ = ["explained_key_problems", "register", "service_settings"]


group = typer.Typer(
    help=(
        "The keys that sign payment codes and receipts: generate, rotate, show.\n\n"
        f"{EXAMPLE}mlc keys show --json"
    ),
    no_args_is_help=True,
)

# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "keys": (
        "Les clés qui signent les codes de paiement et les reçus : créer, renouveler, "
        f"afficher.\n\n{EXEMPLE}mlc keys show --json"
    ),
    "keys generate": (
        "Crée une clé de signature Ed25519 dans un nouveau fichier PEM (PKCS#8, mode 0600) "
        "et affiche son identifiant et sa clé publique (JWK).\n\n"
        "N'écrase jamais un fichier existant. Avec --passphrase-env, la clé est chiffrée "
        "par la phrase secrète lue dans cette variable d'environnement : donnez la même au "
        "service (MLC_SIGNING_KEY_PASSPHRASE).\n\n"
        f"{EXEMPLE}mlc keys generate --out /etc/monnaie-locale/signing.pem "
        "--passphrase-env MLC_SIGNING_KEY_PASSPHRASE"
    ),
    "keys generate --out": "Le fichier de la clé privée à créer.",
    "keys generate --passphrase-env": (
        "Chiffre la clé avec la phrase secrète lue dans cette variable d'environnement."
    ),
    "keys rotate": (
        "Remplace la clé active (MLC_SIGNING_KEY_FILE) par une nouvelle ; l'ancienne ne fait "
        "plus que vérifier, pour que les codes déjà imprimés restent valables.\n\n"
        "La clé publique de l'ancienne est écrite dans MLC_SIGNING_KEY_RETIRED_DIR (effacer "
        "ce fichier révoque les codes qu'elle a signés) ; la nouvelle est chiffrée avec la "
        "même phrase secrète. Redémarrez ensuite le service.\n\n"
        f"{EXEMPLE}mlc keys rotate"
    ),
    "keys show": (
        "Affiche les clés que le service charge : l'active et celles qui ne font que "
        "vérifier, avec leur clé publique (JWK).\n\n"
        f"{EXEMPLE}mlc keys show --json"
    ),
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="keys")


@contextmanager
def explained_key_problems(run: RunContext) -> Iterator[None]:
    """Say what is wrong with a key in the run's language, with what to do next."""
    try:
        yield
    except signing_keys.SigningKeyUnavailable as error:
        message = run.messages(f"keys.p.{error.problem}", source=error.source, reason=error.reason)
        raise UsageProblem(message) from error


def service_settings(run: RunContext) -> Settings:
    """The service's settings, as the environment gives them to a serving process; a
    setting that does not parse is bad usage, said in the run's language."""
    # pydantic only when settings are read: help never pays for it.
    from pydantic import ValidationError

    try:
        return config.load_settings()
    except ValidationError as error:
        reason = "; ".join(str(e["msg"]) for e in error.errors())
        raise UsageProblem(run.messages("keys.bad_settings", reason=reason)) from error


def _passphrase(run: RunContext, variable: str | None) -> bytes | None:
    if variable is None:
        return None
    value = os.environ.get(variable, "")
    if not value:
        raise UsageProblem(run.messages("keys.no_passphrase", var=variable))
    return value.encode()


@group.command()
def generate(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The private key file to create.")],
    passphrase_env: Annotated[
        str | None,
        typer.Option(
            "--passphrase-env",
            help="Encrypt the key with the passphrase in this environment variable.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an Ed25519 signing key in a new PEM file (PKCS#8, mode 0600).

    Prints the key id and the public key (JWK). Never overwrites a file. With
    --passphrase-env the key is encrypted with the passphrase read from that environment
    variable: give the service the same one (MLC_SIGNING_KEY_PASSPHRASE).

    [b]Example:[/b] mlc keys generate --out /etc/monnaie-locale/signing.pem
    --passphrase-env MLC_SIGNING_KEY_PASSPHRASE
    """
    run = run_context(ctx)
    passphrase = _passphrase(run, passphrase_env)
    key = _payment_keys().SigningKey.generate()
    with explained_key_problems(run):
        signing_keys.write_new_key(out, key, passphrase=passphrase)
    kid, jwk = key.key_id.hex(), _payment_keys().public_jwk(key.public_key)
    if as_json:
        print_json(
            {"file": str(out), "key_id": kid, "encrypted": passphrase is not None, "jwk": jwk}
        )
        return
    run.out.print(run.messages("keys.generated", path=out, kid=kid), markup=False)
    run.out.print_json(data=jwk)
    run.out.print(run.messages("keys.generated_next", path=out.resolve()), markup=False)


@group.command()
def rotate(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Replace the active key (MLC_SIGNING_KEY_FILE) with a new one; the old one only verifies.

    Codes already printed keep working: the old key's public half is written to
    MLC_SIGNING_KEY_RETIRED_DIR (deleting that file revokes the codes it signed). The new
    key is encrypted with the same passphrase. Restart the service afterwards.

    [b]Example:[/b] mlc keys rotate
    """
    run = run_context(ctx)
    settings = service_settings(run)
    with explained_key_problems(run):
        done = signing_keys.rotate(settings)
    new, old = done.active.key_id.hex(), done.retired.key_id.hex()
    if as_json:
        print_json(
            {
                "active": new,
                "active_file": str(done.active_file),
                "retired": old,
                "retired_file": str(done.retired_file),
                "jwk": _payment_keys().public_jwk(done.active.public_key),
            }
        )
        return
    run.out.print(
        run.messages(
            "keys.rotated", new=new, path=done.active_file, old=old, retired=done.retired_file
        ),
        markup=False,
    )


@group.command()
def show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the keys the service loads: the active one and those that only verify.

    [b]Example:[/b] mlc keys show --json
    """
    run = run_context(ctx)
    settings = service_settings(run)
    with explained_key_problems(run):
        ring = signing_keys.keyring_from_settings(settings)
    if ring is None:
        raise UsageProblem(run.messages("keys.none"))
    active = ring.active.key_id.hex()
    jwks = ring.jwks()
    if as_json:
        print_json({"active": active, **jwks})
        return
    table = Table(title=run.messages("keys.title"))
    for column in ("key_id", "state", "public_key"):
        table.add_column(run.messages(f"keys.col.{column}"))
    for jwk in jwks["keys"]:
        state = "keys.active" if jwk["kid"] == active else "keys.verify_only"
        table.add_row(jwk["kid"], run.messages(state), jwk["x"])
    run.out.print(table)


def _payment_keys() -> ModuleType:
    """The payment keys' module, imported when a command needs it (not for its help)."""
    from monnaie_locale.payments import keys

    return keys
