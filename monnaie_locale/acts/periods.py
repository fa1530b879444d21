"""Closing the books: the closing checklist, closing a period, and the closings made.

==================  ======================================================================
Act                 Who may do it
==================  ======================================================================
closing_checklist   auditors, the association's operators, administrators
close_period        the association's operators and administrators, once the checklist
                    passes (there is no forcing it)
list_periods        auditors, the association's operators, administrators
==================  ======================================================================

What a closing means for the books is in :mod:`monnaie_locale.periods`.
"""

from __future__ import annotations

from datetime import date

from monnaie_locale import periods
from monnaie_locale.acting import Context, act
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth.roles import OPERATORS, REPORT_READERS
from monnaie_locale.model import check_plain_text
from monnaie_locale.periods import Check, ClosedPeriod

__all__ = ["close_period", "closing_checklist", "list_periods"]

MAX_NOTE = 500


@act(*REPORT_READERS)
def closing_checklist(ctx: Context, through: date) -> list[Check]:
    """Each check a closing through ``through`` needs, passed or not."""
    return ctx.read(lambda conn: periods.checklist(conn, ctx.deployment, through=through))


@act(*OPERATORS, logged=Logged(target="through", fields=("year_end", "note")))
def close_period(
    ctx: Context, through: date, *, year_end: bool = False, note: str = ""
) -> ClosedPeriod:
    """Close the books through ``through`` (a past day), if the checklist passes."""
    check_plain_text(note, "note", max_length=MAX_NOTE)
    return ctx.write(
        lambda conn: periods.close_period(
            conn,
            ctx.deployment,
            through=through,
            by=ctx.actor.name,
            now=ctx.clock(),
            year_end=year_end,
            note=note,
        )
    )


@act(*REPORT_READERS)
def list_periods(ctx: Context) -> list[ClosedPeriod]:
    """Every closing of the books, oldest first."""
    return ctx.read(periods.list_periods)
