"""``mlc jobs``: the scheduled jobs listed with their last run, and one run by hand."""

from __future__ import annotations

from datetime import timedelta

from cli.errors import ExitCode
from monnaie_locale.jobs import claim
from monnaie_locale.model import AccountKind, HoldStatus
from tests.cli.conftest import Mlc
from tests.conftest import SteppingClock
from tests.engine import Engine


def expired_hold(ledger: Engine, clock: SteppingClock) -> int:
    """A hold of 12.00 on alice that expired (the command runs on the machine's time)."""
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund")
    hold = ledger.place_hold(
        "alice", "bakery", 1200, idempotency_key="h", expires_at=clock() + timedelta(minutes=1)
    )
    return hold.id


def test_the_list_shows_every_job_of_the_service_never_run_yet(mlc: Mlc, ledger: Engine) -> None:
    result = mlc("jobs", "list")

    assert result.exit_code == 0, result.output
    assert "expire_holds" in result.stdout
    assert "every 60 s" in result.stdout
    assert "deliver_webhooks" in result.stdout
    assert ("seal_journal" in result.stdout) is ledger.database.is_postgres
    assert "never" in result.stdout


def test_running_expire_holds_releases_an_expired_hold_and_the_list_shows_it(
    mlc: Mlc, ledger: Engine, clock: SteppingClock
) -> None:
    hold_id = expired_hold(ledger, clock)

    ran = mlc("jobs", "run", "expire_holds")

    assert ran.exit_code == 0, ran.output
    assert "Job expire_holds ran: 1 hold(s) expired." in ran.stdout
    assert ledger.account("alice").held == 0
    assert ledger.get_hold(hold_id).status is HoldStatus.EXPIRED
    listed = mlc.json("jobs", "list")["jobs"]
    state = next(job for job in listed if job["name"] == "expire_holds")
    assert (state["last_status"], state["last_result"]) == ("ok", "1")
    assert state["last_started_at"] is not None
    table = mlc("jobs", "list", lang="fr").stdout
    assert "1 réservation(s) expirée(s)" in table
    assert "réussie" in table


def test_a_period_the_service_already_ran_is_refused_and_nothing_runs(
    mlc: Mlc, ledger: Engine, clock: SteppingClock
) -> None:
    expired_hold(ledger, clock)
    # As if a server had claimed every period to come.
    ledger.database.write(lambda conn: claim(conn, "expire_holds", 10**15, now=clock()))

    refused = mlc("jobs", "run", "expire_holds")

    assert refused.exit_code == ExitCode.REFUSED
    assert "Job expire_holds already ran in the current period" in refused.output
    assert ledger.account("alice").held == 1200


def test_a_run_reports_as_json(mlc: Mlc, ledger: Engine) -> None:
    outcome = mlc.json("jobs", "run", "expire_holds")

    assert (outcome["name"], outcome["status"], outcome["result"]) == ("expire_holds", "ok", "0")


def test_an_unknown_job_is_refused_with_the_names_of_the_jobs(mlc: Mlc, ledger: Engine) -> None:
    result = mlc("jobs", "run", "payroll", lang="fr")

    assert result.exit_code == ExitCode.BAD_INPUT
    assert "Aucune tâche ne s'appelle payroll" in result.output
    assert "expire_holds" in result.output
