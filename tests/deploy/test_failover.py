"""The primary dies under load, its synchronous standby is promoted: no payment is lost.

A primary cluster and a synchronous standby (``deploy/postgres/make-standby.sh``); the
service, two workers with their jobs, on a URL naming both servers with
``target_session_attrs=read-write``; nginx with TLS in front (``deploy/nginx/proxy.conf``).
Eight clients pay through nginx, each payment under its own ``Idempotency-Key``, a failed
one sent again with the same key until acknowledged. After a few seconds the primary's
postmaster is killed (``kill -9``) and the standby promoted (``deploy/postgres/promote.sh``);
the load goes on a few seconds after the service answers again.

Then, on the new primary: every acknowledged payment is there exactly once, under its
key and its id; no key has two transactions, also among those never acknowledged; the
journal verifies once sealed; every currency's balances sum to zero. The seconds no
payment went through are printed (``pytest -s``) and written to ``unavailability.txt`` in
the test's folder; they are a measure, not a condition: the test only bounds the wait
for the service to answer again.
"""

from __future__ import annotations

import os
import signal
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import text

from monnaie_locale import journal, journal_verify
from monnaie_locale.clock import utc_now
from monnaie_locale.payments.keys import SigningKey
from monnaie_locale.store import connect
from tests.deploy.clusters import REPO, cluster, dropping, free_port, script, unique_name
from tests.deploy.failover_stack import (
    Payers,
    nginx_in_front,
    outage,
    read_books,
    seed,
    service,
    stop_process,
    wait_answering,
)

DATABASE = "ledger"
LOAD_BEFORE = 4.0  # seconds of payments before the kill
LOAD_AFTER = 4.0  # seconds of payments once they go through again
RECOVERY_BOUND = 60.0  # the service must take payments again within this


@pytest.mark.usefixtures("nginx")
def test_payments_survive_the_primary_s_death_and_the_standby_s_promotion(
    tmp_path: Path,
) -> None:
    with ExitStack() as stack:
        primary = stack.enter_context(cluster("primary"))
        primary.scalar(f"CREATE DATABASE {DATABASE}")
        payers = seed(_on(primary.port), members=16, merchants=4)

        standby_name, standby_port = unique_name("standby"), free_port()
        stack.enter_context(dropping(standby_name))
        script("make-standby.sh", primary.port, standby_name, standby_port)

        # libpq's spelling of two servers: the service translates it (database_url).
        both = (
            f"postgresql://postgres@127.0.0.1:{primary.port},127.0.0.1:{standby_port}"
            f"/{DATABASE}?target_session_attrs=read-write"
        )
        pem = SigningKey.generate().to_pem().decode()
        upstream, process = stack.enter_context(
            service(both, tmp_path, workers=2, signing_key_pem=pem)
        )
        port, cert = stack.enter_context(
            nginx_in_front(
                upstream, tmp_path / "nginx", proxy_conf=REPO / "deploy/nginx/proxy.conf"
            )
        )
        wait_answering(port, cert, process, seconds=60)

        load = Payers(port, cert, payers, threads=8)
        load.start()
        stack.callback(load.stop)
        time.sleep(LOAD_BEFORE)
        assert load.acks, f"no payment went through before the kill: {load.outcomes}"

        postmaster = primary.pid
        assert postmaster is not None
        killed_at = time.monotonic()
        os.kill(postmaster, signal.SIGKILL)
        script("promote.sh", standby_name)
        promoted_at = time.monotonic()

        deadline = killed_at + RECOVERY_BOUND
        while load.acks_after(promoted_at) == 0:
            assert time.monotonic() < deadline, (
                f"no payment went through within {RECOVERY_BOUND:.0f} s of the kill; "
                f"outcomes {dict(load.outcomes)}; see {tmp_path / 'service.log'}"
            )
            assert not load.failures, load.failures
            time.sleep(0.05)
        time.sleep(LOAD_AFTER)
        load.stop()
        assert not load.failures, load.failures
        # Stopped before the books are read: its last sealing pass runs as it stops.
        stop_process(process, grace=30)

        seen = outage(load.acks, killed_at)
        report = (
            f"unavailability {seen.seconds:.2f} s: last payment {-seen.last_before:.2f} s "
            f"before the kill, next one {seen.first_after:.2f} s after it; "
            f"promote.sh returned after {promoted_at - killed_at:.2f} s; "
            f"{len(load.acks)} payments acknowledged, {len(load.unknown)} unknown; "
            f"slowest refused attempt {load.slowest_refusal:.2f} s; "
            f"outcomes {dict(sorted(load.outcomes.items()))}"
        )
        print(f"\nfailover: {report}")
        (tmp_path / "unavailability.txt").write_text(f"{seen.seconds:.3f}\n{report}\n")

        _check_books(_on(standby_port), load)


def _on(port: int) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DATABASE}"


def _check_books(url: str, load: Payers) -> None:
    database = connect(url)
    try:
        assert not database.read(
            lambda conn: conn.execute(text("SELECT pg_is_in_recovery()")).scalar()
        )
        journal.seal_queue(database, clock=utc_now)
        books = database.read(read_books)
        verification = database.read(journal_verify.verify)
    finally:
        database.dispose()

    acknowledged = {ack.key: ack.transaction_id for ack in load.acks}
    assert len(acknowledged) == len(load.acks), "a key was acknowledged twice"
    missing = {key for key in acknowledged if key not in books.by_key}
    assert not missing, f"{len(missing)} acknowledged payments are not on the new primary"
    wrong = {
        key: (books.by_key[key], acknowledged[key])
        for key in acknowledged
        if books.by_key[key] != [acknowledged[key]]
    }
    assert not wrong, f"payments doubled or under another id: {list(wrong.items())[:5]}"
    doubled = {key: ids for key, ids in books.by_key.items() if len(ids) > 1}
    assert not doubled, f"keys with several transactions: {list(doubled.items())[:5]}"
    strangers = set(books.by_key) - set(acknowledged) - set(load.unknown)
    assert not strangers, f"payments no client sent: {sorted(strangers)[:5]}"

    assert verification.ok, verification.discrepancies[:5]
    assert verification.unsealed == 0
    assert books.sums and all(total == 0 for total in books.sums.values()), books.sums
