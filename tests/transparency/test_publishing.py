"""The checkpoint job: checkpoints on the size and time rules, and alarms for what it refuses.

On both engines. A checkpoint's note must verify with the log's published keys, cover
the tree the journal gives, and attest the reserve report's totals. An entry appended in
SQL stops the tree there, for good, while checkpoints keep being signed at that size;
the newest transaction removed after a checkpoint is refused too. Either raises an alarm,
once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, func, select, update

from monnaie_locale.clock import as_utc
from monnaie_locale.jobs import find_job, run_job, standard_jobs
from monnaie_locale.reserve import position
from monnaie_locale.store import Database
from monnaie_locale.store.tables import journal
from monnaie_locale.store.tables_transparency import checkpoints as checkpoint_rows
from monnaie_locale.transparency import alarms, checkpoints
from monnaie_locale.transparency.publishing import Cadence, Publishing
from monnaie_locale.verify.checkpoint import parse_checkpoint
from monnaie_locale.verify.merkle import leaf_hash, root_of
from monnaie_locale.verify.note import open_note
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.store.forgery import (
    _drop_protections,
    append_entry,
    forge_transfer,
    remove_newest,
    rewind_head,
)
from tests.transparency.support import DEPLOYMENT, open_books, pay, publisher, run

LATER = timedelta(minutes=61)


def entry_hashes(database: Database) -> list[str]:
    return database.read(
        lambda conn: list(conn.execute(select(journal.c.hash).order_by(journal.c.seq)).scalars())
    )


def all_alarms(database: Database) -> list[alarms.Alarm]:
    return database.read(lambda conn: alarms.list_alarms(conn))


def test_the_first_run_signs_a_checkpoint_of_the_whole_journal_with_the_books_totals(
    ledger: Engine, clock: SteppingClock
) -> None:
    open_books(ledger)
    pay(ledger, 5)
    log = publisher()

    made = run(ledger.database, log, clock).checkpoint

    assert made is not None
    signed, keys = open_note(made.note, log.note_keys())
    assert [key.vkey for key in keys] == log.vkeys()
    said = parse_checkpoint(signed.text)
    hashes = entry_hashes(ledger.database)
    assert said.origin == "pay.example/mlc"
    assert said.size == len(hashes) == 6
    assert said.root == root_of([leaf_hash(bytes.fromhex(h)) for h in hashes])
    books = ledger.database.read(lambda conn: position(conn, DEPLOYMENT))
    assert (said.issued, said.digital, said.paper) == (5000, books.digital_total, books.paper)
    assert said.reserve == books.reserve
    assert said.circulation == books.circulation == 5000


def test_a_checkpoint_is_due_once_the_tree_grew_by_the_entries_the_setting_says(
    ledger: Engine, clock: SteppingClock
) -> None:
    open_books(ledger)
    log = publisher()
    first = run(ledger.database, log, clock, entries=3).checkpoint
    assert first is not None

    pay(ledger, 2)
    waiting = run(ledger.database, log, clock, entries=3)
    pay(ledger, 1, start=2)
    due = run(ledger.database, log, clock, entries=3)

    assert waiting.checkpoint is None
    assert waiting.head.size == first.checkpoint.size + 2  # the tree grows at every run
    assert due.checkpoint is not None
    assert due.checkpoint.checkpoint.size == first.checkpoint.size + 3


def test_a_checkpoint_is_due_after_the_minutes_only_when_something_changed(
    ledger: Engine, clock: SteppingClock
) -> None:
    open_books(ledger)
    log = publisher()
    first = run(ledger.database, log, clock, minutes=60).checkpoint
    assert first is not None

    clock.advance(LATER)
    unchanged = run(ledger.database, log, clock, minutes=60)
    pay(ledger, 1)
    too_soon = run(ledger.database, log, clock, minutes=60)  # the last one is 61 min old
    clock.advance(LATER)
    pay(ledger, 1, start=1)
    due = run(ledger.database, log, clock, minutes=60)

    assert unchanged.checkpoint is None
    assert too_soon.checkpoint is not None  # changed, and the last is old enough
    assert due.checkpoint is not None
    assert due.checkpoint.checkpoint.size == first.checkpoint.size + 2
    assert due.checkpoint.checkpoint.time > too_soon.checkpoint.checkpoint.time


def test_a_change_of_the_totals_alone_makes_a_checkpoint_due_after_the_minutes(
    ledger: Engine, clock: SteppingClock
) -> None:
    open_books(ledger)
    log = publisher()
    run(ledger.database, log, clock)
    clock.advance(LATER)

    # Nothing new in the journal; a changed total is found all the same.
    ledger.database.write(
        lambda conn: conn.execute(
            update(checkpoint_rows).values(
                text=func.replace(checkpoint_rows.c.text, "issued 5000", "issued 4000")
            )
        )
    )

    assert run(ledger.database, log, clock).checkpoint is not None


def test_a_checkpoint_s_time_is_read_before_the_tree_last_reads_the_journal(
    ledger: Engine, clock: SteppingClock
) -> None:
    open_books(ledger)
    pay(ledger, 3)

    made = run(ledger.database, publisher(), clock).checkpoint

    assert made is not None
    sealed = ledger.database.read(
        lambda conn: [as_utc(t) for t in conn.execute(select(journal.c.sealed_at)).scalars()]
    )
    assert all(moment <= made.made_at for moment in sealed)
    assert made.checkpoint.time <= made.made_at  # the text keeps whole seconds


def test_the_job_runs_under_its_name_and_says_what_it_did(
    ledger: Engine, clock: SteppingClock
) -> None:
    open_books(ledger)
    log = publisher()
    work = Publishing(DEPLOYMENT, log, Cadence())
    jobs = standard_jobs(ledger.database, publishing=work)

    job = find_job(jobs, "checkpoint")
    outcome = run_job(ledger.database, job, clock=clock, period=1)

    assert job.interval == 60.0
    assert "checkpoint" not in [j.name for j in standard_jobs(ledger.database)]
    assert (outcome.status, outcome.result) == ("ok", "tree at 1; checkpoint 1 signed")


def test_an_entry_appended_in_sql_stops_the_tree_and_stays_out_of_every_later_checkpoint(
    ledger: Engine, clock: SteppingClock
) -> None:
    open_books(ledger)
    pay(ledger, 3)
    log = publisher()
    before = run(ledger.database, log, clock).checkpoint
    assert before is not None
    forged = append_entry(ledger.database, forge_transfer(ledger.database, "issuance", "bob", 9999))

    first = run(ledger.database, log, clock, entries=2)
    pay(ledger, 4, start=3)  # genuine payments, chained after the forged entry
    clock.advance(LATER)
    later = run(ledger.database, log, clock, entries=2)
    clock.advance(LATER)
    again = run(ledger.database, log, clock, entries=2)

    assert forged == before.checkpoint.size + 1
    assert first.refused is not None and first.refused.seq == forged
    assert first.checkpoint is None  # nothing due: the tree did not grow
    stuck = [later.checkpoint, again.checkpoint]
    assert all(made is not None for made in stuck)
    assert [m.checkpoint.size for m in stuck if m] == [forged - 1, forged - 1]
    assert [m.checkpoint.root for m in stuck if m] == [before.checkpoint.root] * 2
    assert stuck[1] and stuck[0] and stuck[1].checkpoint.time > stuck[0].checkpoint.time
    [alarm] = all_alarms(ledger.database)  # raised once, though found at every run
    assert alarm.kind == "tree_refused"
    assert f"journal entry {forged} " in alarm.detail
    assert "mark" in alarm.detail
    assert [a.id for a in first.alarms] == [alarm.id]
    assert later.alarms == again.alarms == ()


def test_the_newest_transaction_removed_after_a_checkpoint_raises_alarms_and_signs_nothing(
    ledger: Engine, clock: SteppingClock
) -> None:
    open_books(ledger)
    pay(ledger, 4)
    log = publisher()
    signed = run(ledger.database, log, clock).checkpoint
    assert signed is not None
    remove_newest(ledger.database)
    rewind_head(ledger.database)
    assert ledger.verify_journal().ok  # what verification alone cannot see

    clock.advance(LATER)
    outcome = run(ledger.database, log, clock)

    assert outcome.checkpoint is None
    assert outcome.refused is not None and outcome.refused.seq == signed.checkpoint.size
    assert outcome.inconsistent is not None
    kinds = {alarm.kind: alarm for alarm in all_alarms(ledger.database)}
    assert set(kinds) == {"tree_refused", "inconsistent"}
    assert "lost" in kinds["tree_refused"].detail
    assert f"checkpoint {signed.id} " in kinds["inconsistent"].detail
    assert ledger.database.read(checkpoints.latest).id == signed.id  # type: ignore[union-attr]


def test_a_rewritten_entry_hash_refuses_the_next_checkpoint_with_an_alarm(
    ledger: Engine, clock: SteppingClock
) -> None:
    open_books(ledger)
    pay(ledger, 4)
    log = publisher()
    signed = run(ledger.database, log, clock).checkpoint
    assert signed is not None

    def rewrite(conn: Connection) -> None:
        _drop_protections(conn)
        conn.execute(update(journal).where(journal.c.seq == 2).values(hash="0" * 64))

    ledger.database.write(rewrite)
    outcome = run(ledger.database, log, clock, forced=True)

    assert outcome.checkpoint is None
    assert outcome.inconsistent is not None
    assert outcome.inconsistent.reason == "the tree's root at that size differs"
    [alarm] = all_alarms(ledger.database)
    assert alarm.kind == "inconsistent"
    assert ledger.database.read(checkpoints.latest).id == signed.id  # type: ignore[union-attr]


def test_an_acknowledged_alarm_leaves_the_unread_count_and_is_not_raised_again(
    ledger: Engine, clock: SteppingClock
) -> None:
    open_books(ledger)
    log = publisher()
    run(ledger.database, log, clock)
    append_entry(ledger.database, forge_transfer(ledger.database, "issuance", "bob", 1))
    [alarm] = run(ledger.database, log, clock).alarms
    assert ledger.database.read(alarms.unacknowledged) == 1

    read = ledger.database.write(
        lambda conn: alarms.acknowledge(conn, alarm.id, by="assoc", now=clock())
    )
    again = run(ledger.database, log, clock)

    assert read.acknowledged_by == "assoc" and read.acknowledged
    assert ledger.database.read(alarms.unacknowledged) == 0
    assert again.alarms == ()
    assert [a.id for a in all_alarms(ledger.database)] == [alarm.id]
