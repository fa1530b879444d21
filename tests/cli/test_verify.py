"""``mlc verify``: the offline verifier from mlc, with files only and no database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.cli.conftest import WIDE
from tests.verify.builders import Files, Journal

# A database that does not exist: the verifier must never need one.
NOWHERE = ["--database", "sqlite:////nonexistent/nowhere.db"]


def mlc(*argv: str, lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(app, [*NOWHERE, "--lang", lang, "verify", *argv], env=WIDE)
    return result.exit_code, result.output


def test_a_replayed_journal_that_holds_exits_0_with_the_verdict(tmp_path: Path) -> None:
    files, journal = Files(tmp_path), Journal.of(12)
    notes = [files.write(f"{n}.note", journal.note(n)) for n in (5, 12)]
    export = files.write("journal.jsonl", journal.export())
    keys = files.write("keys.json", {"origin": journal.origin, "vkeys": [journal.vkey]})

    code, output = mlc("journal", export, *notes, "--keys", keys, lang="fr")

    assert code == 0, output
    assert "the entries up to 12 give the root" in output
    assert output.endswith("Vérification réussie\u00a0: tout tient.\n")


def test_a_problem_exits_1_and_is_named(tmp_path: Path) -> None:
    files, journal = Files(tmp_path), Journal.of(12)
    note = files.write("12.note", journal.note(12))
    export = files.write("journal.jsonl", journal.export(entries=journal.entries[:10]))

    code, output = mlc("journal", export, note, "--key", journal.vkey)

    assert code == 1
    assert "the export ends at entry 10: entries 11 to 12 missing" in output
    assert "Verification failed: see the PROBLEM, FORK and ROLLBACK lines above." in output


def test_every_check_is_there(tmp_path: Path) -> None:
    files, journal = Files(tmp_path), Journal.of(9)
    old, new = files.write("4.note", journal.note(4)), files.write("9.note", journal.note(9))
    consistency = files.write("c.json", journal.consistency(4, 9))
    inclusion = files.write("i.json", journal.inclusion(3, 9))
    key = ["--key", journal.vkey]
    assert mlc("checkpoint", old, new, *key)[0] == 0
    assert mlc("consistency", old, new, "--proof", consistency, *key)[0] == 0
    assert mlc("inclusion", new, "--proof", inclusion, *key)[0] == 0
    # No liabilities line, no statement line in these checkpoints: each says so and fails.
    assert mlc("liability", new, "--proof", consistency, "--account", "alice", *key)[0] == 1
    statement = files.write("statement.csv", "Date;Montant\n")
    assert mlc("reserve", new, "--statement", statement, *key)[0] == 1


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    files, journal = Files(tmp_path), Journal.of(2)
    note = files.write("2.note", journal.note(2))
    code, output = mlc("checkpoint", note, "--key", "not a key")
    assert code == 2
    assert "Cannot verify: see the error above." in output
