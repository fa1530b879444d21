"""What several command groups share: the ``--json`` and ``--key`` options, and the words
that open an example in a command's help (English; French for :mod:`cli.help_fr`'s
tables). Their French help is :data:`cli.help_fr.FRENCH_HELP`'s, under ``--json`` and
``--key``."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["EXAMPLE", "EXEMPLE", "JsonOption", "KeyOption"]

EXAMPLE = "[b]Example:[/b] "
EXEMPLE = "[b]Exemple :[/b] "

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
KeyOption = Annotated[
    str,
    typer.Option(
        "--key",
        help="Idempotency key: run again with the same key and nothing is recorded twice.",
    ),
]
