"""django-hordak's side of ``bench.single_client``, run in Hordak's own virtual environment.

Started by :mod:`bench.single_client` with the interpreter of a separate venv that holds
Django, django-hordak and psycopg, so Django never imports into the benchmark's process
(nor is it a dependency of the service). This file imports nothing of the project: only
the standard library, Django and Hordak.

Usage: ``python hordak_side.py <libpq URL of an empty scratch database> <members>``.
It configures a Django project in code against that database, migrates it, opens
``members`` asset accounts (plus one equity account that funds them) and prints
``{"ready": true}``. Then it reads commands, one JSON object a line, on stdin:

* ``{"plan": [[debit, credit, amount], ...]}``: posts each as
  ``Account.transfer_to`` inside ``transaction.atomic()`` (one commit per transfer, as
  Hordak's documentation shows) and answers ``{"seconds": <elapsed>, "cpu": <this
  process's CPU seconds meanwhile>}``;
* ``{"check": true}``: answers the number of transactions and whether the members'
  balances sum to what the funding put in.

Amounts are minor units, posted as ``Money(amount / 100, "EUR")``.
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from urllib.parse import unquote, urlsplit

FUNDING = Decimal(1_000_000)


def configure(url: str) -> None:
    import django
    from django.conf import settings

    parts = urlsplit(url)
    settings.configure(
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": parts.path.lstrip("/"),
                "USER": unquote(parts.username or ""),
                "PASSWORD": unquote(parts.password or ""),
                "HOST": parts.hostname or "",
                "PORT": str(parts.port or ""),
                "CONN_MAX_AGE": None,  # one connection for the whole run
            }
        },
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "mptt",
            "djmoney",
            "hordak",
        ],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        DEFAULT_CURRENCY="EUR",
        CURRENCIES=["EUR"],
        HORDAK_CURRENCIES=["EUR"],
    )
    django.setup()


def main() -> None:
    url, members = sys.argv[1], int(sys.argv[2])
    configure(url)
    from django.core.management import call_command
    from django.db import transaction
    from djmoney.money import Money
    from hordak.models import Account

    call_command("migrate", verbosity=0)
    equity = Account.objects.create(name="Funding", code="0", type="EQ", currencies=["EUR"])
    accounts = [
        Account.objects.create(name=f"Member {i}", code=f"{i + 1}", type="AS", currencies=["EUR"])
        for i in range(members)
    ]
    for account in accounts:
        with transaction.atomic():
            equity.transfer_to(account, Money(FUNDING, "EUR"))
    print(json.dumps({"ready": True}), flush=True)

    for line in sys.stdin:
        command = json.loads(line)
        if "plan" in command:
            plan = [
                (accounts[d], accounts[c], Money(Decimal(a) / 100, "EUR"))
                for d, c, a in command["plan"]
            ]
            cpu, start = time.process_time(), time.perf_counter()
            for debit, credit, amount in plan:
                with transaction.atomic():
                    debit.transfer_to(credit, amount)
            answer: dict[str, object] = {
                "seconds": time.perf_counter() - start,
                "cpu": time.process_time() - cpu,
            }
        else:
            from hordak.models import Transaction

            total = sum((a.get_balance()["EUR"].amount for a in accounts), Decimal(0))
            answer = {
                "transactions": Transaction.objects.count(),
                "balanced": total == FUNDING * members,
            }
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
