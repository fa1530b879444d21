"""The acts of the scheduled jobs: only an administrator lists them or runs one by hand,
and a refused actor runs nothing: no hold released, no period claimed."""

from __future__ import annotations

import pytest

from monnaie_locale.acting import Context
from monnaie_locale.acts import jobs as job_acts
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.auth.principal import Principal
from monnaie_locale.config import Settings
from monnaie_locale.deployment import from_settings
from monnaie_locale.jobs import job_states
from monnaie_locale.model import HoldStatus
from tests.cli.test_jobs import expired_hold
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import refused

NOT_ADMINS = [role for role in Role if role is not Role.ADMIN]


def acting(ledger: Engine, role: Role) -> Context:
    actor = Principal(role=role, accounts=frozenset({"alice"}), name=str(role), user_id=1)
    return Context(database=ledger.database, actor=actor, deployment=from_settings(Settings()))


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_an_administrator_runs_a_job_and_a_refusal_runs_nothing(
    ledger: Engine, clock: SteppingClock, role: Role
) -> None:
    hold_id = expired_hold(ledger, clock)

    refused(
        ledger.database,
        RoleForbidden,
        lambda: job_acts.run_job(acting(ledger, role), "expire_holds"),
    )

    assert ledger.get_hold(hold_id).status is HoldStatus.PENDING
    assert job_states(ledger.database) == {}


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_an_administrator_lists_the_jobs(ledger: Engine, role: Role) -> None:
    with pytest.raises(RoleForbidden):
        job_acts.list_jobs(acting(ledger, role))


def test_an_administrator_runs_a_job_and_sees_how_it_ended(
    ledger: Engine, clock: SteppingClock
) -> None:
    hold_id = expired_hold(ledger, clock)
    admin = acting(ledger, Role.ADMIN)

    outcome = job_acts.run_job(admin, "expire_holds")

    assert (outcome.status, outcome.result) == ("ok", "1")
    assert ledger.get_hold(hold_id).status is HoldStatus.EXPIRED
    listed = {entry.job.name: entry.state for entry in job_acts.list_jobs(admin)}
    expired = listed["expire_holds"]
    assert expired is not None and expired.last_status == "ok"
