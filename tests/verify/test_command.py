"""``python -m monnaie_locale.verify``, given files only: what holds, what is named, exit codes.

The files are made in memory (:mod:`tests.verify.builders`) and changed as an attacker
would change them; the tests against a real ledger, on both engines, are in
``tests/transparency/test_tampering.py`` and ``test_attacks.py``.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monnaie_locale.verify.note import (
    COSIGNATURE,
    NoteKey,
    cosign,
    format_note,
    parse_note,
    sign_line,
)
from monnaie_locale.verify.replay import replay_export
from monnaie_locale.verify.report import Report
from tests.verify.builders import ORIGIN, Files, Journal, content_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


# Checkpoints --------------------------------------------------------------------------


def test_a_good_checkpoint_holds_and_its_totals_are_printed(files: Files) -> None:
    journal = Journal.of(10)
    note = files.write("cp.note", journal.note(10))
    run = files.verify("checkpoint", note, "--key", journal.vkey)
    assert run.code == 0, run.output
    assert "tree size   10 journal entries" in run.output
    assert "circulation 1000 = 900 digital + 100 on paper" in run.output
    assert "reserve     reserve:digital 1000" in run.output
    assert run.output.endswith("Everything holds.\n")


def test_keys_can_come_from_the_served_json_or_a_file_of_lines(files: Files) -> None:
    journal = Journal.of(3)
    note = files.write("cp.note", journal.note(3))
    served = files.write("keys.json", {"origin": ORIGIN, "vkeys": [journal.vkey]})
    lines = files.write("keys.txt", f"# the log\n{journal.vkey}\n\n")
    assert files.verify("checkpoint", note, "--keys", served).code == 0
    assert files.verify("checkpoint", note, "--keys", lines).code == 0


def test_a_checkpoint_signed_by_another_key_fails(files: Files) -> None:
    journal = Journal.of(3)
    note = files.write("cp.note", journal.note(3))
    stranger = NoteKey(ORIGIN, Ed25519PrivateKey.generate().public_key()).vkey
    run = files.verify("checkpoint", note, "--key", stranger)
    assert run.code == 1
    assert run.problems() == [
        f"PROBLEM {note}: its signature does not hold: no known key signed this note"
    ]


def test_a_checkpoint_with_a_changed_total_fails_its_signature(files: Files) -> None:
    journal = Journal.of(3)
    changed = journal.note(3).replace("circulation digital 900", "circulation digital 800")
    run = files.verify("checkpoint", files.write("cp.note", changed), "--key", journal.vkey)
    assert run.code == 1
    assert "does not verify" in run.problems()[0]


def test_circulation_above_the_reserve_is_named_with_the_gap(files: Files) -> None:
    journal = Journal.of(3)
    note = files.write("cp.note", journal.note(3, reserve={"reserve:digital": 950}))
    run = files.verify("checkpoint", note, "--key", journal.vkey)
    assert run.code == 1
    assert run.problems() == [
        f"PROBLEM {note}: circulation 1000 exceeds the reserve 950 by 50: not every unit is backed"
    ]


def test_a_liabilities_sum_other_than_the_digital_circulation_is_named(files: Files) -> None:
    journal = Journal.of(3)
    good = files.write(
        "good.note", journal.note(3, liabilities_root=bytes(32), liabilities_sum=900)
    )
    bad = files.write("bad.note", journal.note(3, liabilities_root=bytes(32), liabilities_sum=899))
    assert files.verify("checkpoint", good, "--key", journal.vkey).code == 0
    run = files.verify("checkpoint", bad, "--key", journal.vkey)
    assert run.problems() == [
        f"PROBLEM {bad}: the holders' sum tree adds up to 899, not to the digital circulation 900"
    ]


def test_two_checkpoints_of_one_size_with_different_roots_are_a_fork(files: Files) -> None:
    journal = Journal.of(6)
    other = Journal(entries=[dict(e) for e in journal.entries], key=journal.key)
    other.entries[4]["hash"] = "ff" * 32  # another history from entry 5 on
    a = files.write("a.note", journal.note(6))
    b = files.write("b.note", other.note(6))
    run = files.verify("checkpoint", a, b, "--key", journal.vkey)
    assert run.code == 1
    [fork] = run.problems()
    assert fork.startswith(f"FORK {ORIGIN} at size 6: {a} and {b} sign different roots")


def test_a_later_checkpoint_of_a_smaller_tree_is_a_rollback(files: Files) -> None:
    journal = Journal.of(6)
    early = files.write("early.note", journal.note(6))
    late = files.write("late.note", journal.note(4, when=journal.sealed_at(6) + timedelta(hours=1)))
    run = files.verify("checkpoint", early, late, "--key", journal.vkey)
    assert [line.split(":")[0] for line in run.problems()] == [f"ROLLBACK {ORIGIN}"]
    assert f"{late} (size 4" in run.problems()[0]


def test_a_witness_cosignature_is_shown_but_is_not_the_logs(files: Files) -> None:
    journal = Journal.of(3)
    note = journal.note(3)
    witness = Ed25519PrivateKey.generate()
    line = cosign(parse_note(note).text, "town.example/w", witness, timestamp=1_796_000_000)
    cosigned = files.write("cp.note", note + line.line)
    wkey = NoteKey("town.example/w", witness.public_key(), COSIGNATURE).vkey
    run = files.verify("checkpoint", cosigned, "--key", journal.vkey, "--key", wkey)
    assert run.code == 0
    assert "cosigned by the witness town.example/w at 2026-11-30T00:53:20Z" in run.output
    alone = files.verify("checkpoint", cosigned, "--key", wkey)
    assert alone.code == 1
    assert "no given key of the log" in alone.problems()[0]


def test_a_key_of_another_name_is_not_the_logs(files: Files) -> None:
    journal = Journal.of(3)
    # The same key under another name signs the same text: the log's name is its origin.
    text = parse_note(journal.note(3)).text
    resigned = format_note(text, [sign_line(text, "elsewhere.example/log", journal.key)])
    other = NoteKey("elsewhere.example/log", journal.key.public_key())
    run = files.verify("checkpoint", files.write("cp.note", resigned), "--key", other.vkey)
    assert run.code == 1
    assert f"no given key of the log {ORIGIN} signed it" in run.problems()[0]


# Usage ---------------------------------------------------------------------------------


def test_bad_usage_exits_2(files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    journal = Journal.of(2)
    note = files.write("cp.note", journal.note(2))
    assert files.verify().code == 2
    assert files.verify("checkpoint", note).code == 2  # no key
    assert files.verify("checkpoint", note, "--key", "not-a-key").code == 2
    assert (
        files.verify("checkpoint", str(Path(note).with_name("missing")), "--key", journal.vkey).code
        == 2
    )
    assert files.verify("consistency", note, note, "--key", journal.vkey).code == 2  # --proof
    assert "error:" in capsys.readouterr().err


def test_the_module_runs_as_a_program(files: Files) -> None:
    journal = Journal.of(2)
    note = files.write("cp.note", journal.note(2))
    ran = subprocess.run(
        [sys.executable, "-m", "monnaie_locale.verify", "checkpoint", note, "--key", journal.vkey],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Everything holds." in ran.stdout


def test_it_loads_no_third_party_module_but_cryptography() -> None:
    # A fresh interpreter, so that nothing the tests imported counts; what it loaded at
    # start-up (site's hooks) is left out.
    probe = (
        "import sys\n"
        "before = set(sys.modules)\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import monnaie_locale.verify.command\n"
        "new = {name.split('.')[0] for name in set(sys.modules) - before}\n"
        "print('\\n'.join(sorted(new - set(sys.stdlib_module_names))))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # _openssl and _cffi_backend are cryptography's own compiled parts.
    loaded = set(ran.stdout.split())
    assert "monnaie_locale" in loaded
    assert loaded - {"monnaie_locale", "cryptography", "_openssl", "_cffi_backend"} == set()


# Proofs --------------------------------------------------------------------------------


def test_a_consistency_proof_between_two_checkpoints_holds(files: Files) -> None:
    journal = Journal.of(13)
    old, new = files.write("old.note", journal.note(5)), files.write("new.note", journal.note(13))
    proof = files.write("proof.json", journal.consistency(5, 13))
    run = files.verify("consistency", old, new, "--proof", proof, "--key", journal.vkey)
    assert run.code == 0, run.output
    assert "extends" in run.output


def test_a_rewritten_history_fails_the_consistency_proof(files: Files) -> None:
    journal = Journal.of(13)
    rewritten = Journal(entries=[dict(e) for e in journal.entries], key=journal.key)
    rewritten.entries[2]["content"] = content_of(3, amount=1)
    rewritten = rewritten.rechained()
    old = files.write("old.note", journal.note(5))
    new = files.write("new.note", rewritten.note(13))
    proof = files.write("proof.json", rewritten.consistency(5, 13))
    run = files.verify("consistency", old, new, "--proof", proof, "--key", journal.vkey)
    assert run.code == 1
    assert run.problems() == [
        f"PROBLEM {new} (size 13) does not extend {old} (size 5): the consistency proof fails,"
        " the entries up to 5 were changed or the log forked"
    ]


def test_a_proof_for_other_sizes_or_malformed_is_named(files: Files) -> None:
    journal = Journal.of(13)
    old, new = files.write("old.note", journal.note(5)), files.write("new.note", journal.note(13))
    other = files.write("other.json", journal.consistency(4, 13))
    short = files.write("short.json", {**journal.consistency(5, 13), "proof": ["AAAA"]})
    notjson = files.write("bad.json", "{")
    for proof, words in ((other, "from size 4 to 13"), (short, "32-byte"), (notjson, "not JSON")):
        run = files.verify("consistency", old, new, "--proof", proof, "--key", journal.vkey)
        assert run.code == 1
        assert words in run.problems()[0]


def test_an_inclusion_proof_names_the_entry_and_its_content(files: Files) -> None:
    journal = Journal.of(9)
    note = files.write("cp.note", journal.note(9))
    proof = files.write("inc.json", journal.inclusion(4, 9))
    run = files.verify("inclusion", note, "--proof", proof, "--key", journal.vkey)
    assert run.code == 0, run.output
    assert f"entry 4 (transaction 104) is in {note} (size 9)" in run.output


def test_an_entry_whose_content_changed_fails_inclusion_by_its_hash(files: Files) -> None:
    journal = Journal.of(9)
    note = files.write("cp.note", journal.note(9))
    proof = journal.inclusion(4, 9)
    changed = content_of(4).replace('"MLC",100,100]', '"MLC",1000,1000]')
    proof["entry"] = {**proof["entry"], "content": changed}
    run = files.verify(
        "inclusion", note, "--proof", files.write("inc.json", proof), "--key", journal.vkey
    )
    assert run.code == 1
    assert run.problems() == [
        "PROBLEM entry 4 (transaction 104): its hash is not SHA-256(prev_hash + content):"
        " the transaction was changed after it was sealed",
        "PROBLEM entry 4 (transaction 104): its postings do not sum to zero (+900 MLC)",
    ]


def test_an_entry_rechained_after_a_change_is_not_in_the_checkpoint(files: Files) -> None:
    journal = Journal.of(9)
    note = files.write("cp.note", journal.note(9))
    forged = Journal(entries=[dict(e) for e in journal.entries], key=journal.key)
    forged.entries[3]["content"] = content_of(4, amount=5000)
    forged = forged.rechained()
    proof = {**journal.inclusion(4, 9), "entry": forged.entries[3]}
    run = files.verify(
        "inclusion", note, "--proof", files.write("inc.json", proof), "--key", journal.vkey
    )
    assert run.problems() == [
        f"PROBLEM entry 4 (transaction 104) is not in {note} (size 9):"
        " the inclusion proof fails for its hash"
    ]


def test_an_inclusion_proof_for_another_size_is_named(files: Files) -> None:
    journal = Journal.of(9)
    note = files.write("cp.note", journal.note(9))
    proof = files.write("inc.json", journal.inclusion(4, 8))
    run = files.verify("inclusion", note, "--proof", proof, "--key", journal.vkey)
    assert "a tree of size 8" in run.problems()[0]


# The journal export ----------------------------------------------------------------------


def replay(files: Files, journal: Journal, export: str, *sizes: int) -> list[str]:
    notes = [files.write(f"cp{size}.note", journal.note(size)) for size in sizes]
    run = files.verify(
        "journal", files.write("journal.jsonl", export), *notes, "--key", journal.vkey
    )
    assert run.code == (1 if run.problems() else 0)
    return run.problems()


def test_an_untouched_export_matches_every_checkpoint(files: Files) -> None:
    journal = Journal.of(20)
    assert replay(files, journal, journal.export(), 0, 1, 7, 16, 20) == []


def test_a_changed_posting_names_its_entry_and_transaction(files: Files) -> None:
    journal = Journal.of(20)
    entries = [dict(e) for e in journal.entries]
    entries[11]["content"] = content_of(12).replace('"MLC",100,', '"MLC",10000,')
    problems = replay(files, journal, journal.export(entries=entries), 8, 20)
    assert problems == [
        "PROBLEM entry 12 (transaction 112): its hash is not SHA-256(prev_hash + content):"
        " the transaction was changed after it was sealed",
        "PROBLEM entry 12 (transaction 112): its postings do not sum to zero (+9900 MLC)",
    ]


def test_a_history_rewritten_and_rechained_names_the_range_since_the_last_match(
    files: Files,
) -> None:
    journal = Journal.of(20)
    rewritten = Journal(entries=[dict(e) for e in journal.entries], key=journal.key)
    rewritten.entries[11]["content"] = content_of(12, amount=7)
    rewritten = rewritten.rechained()
    problems = replay(files, journal, rewritten.export(), 8, 16, 20)
    one, other = files.folder / "cp16.note", files.folder / "cp20.note"
    matched = f"(the export matches {files.folder / 'cp8.note'} (size 8))"
    assert problems == [
        f"PROBLEM {one} (size 16): the export's entries 1 to 16 do not give the root it signed:"
        f" entries 9 to 16 differ from what it signed {matched}",
        f"PROBLEM {other} (size 20): the export's entries 1 to 20 do not give the root it signed:"
        f" entries 9 to 20 differ from what it signed {matched}",
    ]


def test_a_deleted_entry_is_named_and_later_roots_are_not_guessed(files: Files) -> None:
    journal = Journal.of(20)
    entries = [e for e in journal.entries if e["seq"] != 12]
    problems = replay(files, journal, journal.export(entries=entries), 8, 20)
    assert problems == [
        "PROBLEM entry 12 missing: the export jumps from entry 11 to entry 13 (transaction 113)",
        f"PROBLEM {files.folder / 'cp20.note'} (size 20): its root cannot be recomputed:"
        " entry 12 missing from the export",
    ]


def test_a_removed_tail_is_named_against_the_checkpoint_that_held_it(files: Files) -> None:
    journal = Journal.of(20)
    problems = replay(files, journal, journal.export(entries=journal.entries[:17]), 8, 20)
    assert problems == [
        f"PROBLEM {files.folder / 'cp20.note'} (size 20): the export ends at entry 17:"
        " entries 18 to 20 missing"
    ]


def test_a_broken_chain_and_a_missing_transaction_are_named(files: Files) -> None:
    journal = Journal.of(10)
    entries = [dict(e) for e in journal.entries]
    entries[4]["prev_hash"] = "00" * 32
    entries[6]["content"] = None
    problems = replay(files, journal, journal.export(entries=entries), 4)
    assert (
        "PROBLEM entry 5 (transaction 105): its prev_hash is not the hash of entry 4:"
        " the chain breaks" in problems
    )
    assert (
        "PROBLEM entry 7 (transaction 107): its transaction is missing from the books that were"
        " exported" in problems
    )


def test_an_entry_past_a_checkpoint_yet_sealed_well_before_it_was_not_sealed_by_the_service(
    files: Files,
) -> None:
    journal = Journal.of(10)
    journal.append(
        content_of(11, amount=100_000), sealed_at=journal.sealed_at(10) + timedelta(seconds=5)
    )
    journal.append(sealed_at=journal.sealed_at(10) + timedelta(minutes=10))
    stuck = journal.checkpoint(10, when=journal.sealed_at(10) + timedelta(minutes=30))
    notes = [files.write("cp.note", journal.sign(stuck))]
    run = files.verify(
        "journal", files.write("journal.jsonl", journal.export()), *notes, "--key", journal.vkey
    )
    assert [p.split(":")[0] for p in run.problems()] == [
        "PROBLEM entry 11 (transaction 111)",
        "PROBLEM entry 12 (transaction 112)",
    ]
    assert "in the journal before checkpoint" in run.problems()[0]
    assert "not in it: not sealed by the service" in run.problems()[0]


def test_an_entry_sealed_within_the_grace_after_a_checkpoint_is_not_named(files: Files) -> None:
    journal = Journal.of(10)
    journal.append(sealed_at=journal.sealed_at(10) + timedelta(seconds=1))
    cp = journal.checkpoint(10, when=journal.sealed_at(10) + timedelta(seconds=50))
    notes = [files.write("cp.note", journal.sign(cp))]
    run = files.verify(
        "journal", files.write("journal.jsonl", journal.export()), *notes, "--key", journal.vkey
    )
    assert run.code == 0, run.output


def test_times_going_back_after_the_export_or_after_a_checkpoint_that_holds_them_are_named(
    files: Files,
) -> None:
    journal = Journal.of(10)
    entries = [dict(e) for e in journal.entries]
    entries[3]["sealed_at"] = "2026-11-01T00:00:00.000000Z"  # before entry 3's
    entries[9]["sealed_at"] = "2027-06-01T00:00:00.000000Z"  # after the export, and cp 10
    problems = replay(files, journal, journal.export(entries=entries), 10)
    assert [p.split(":")[0] for p in problems] == [
        "PROBLEM entry 4 (transaction 104)",
        "PROBLEM entry 10 (transaction 110)",
        "PROBLEM entry 10 (transaction 110)",
    ]
    assert "its time goes back" in problems[0]
    assert "after the export was made" in problems[1]
    assert "its time was changed" in problems[2]


def test_an_export_of_another_log_or_not_an_export_is_named(files: Files) -> None:
    journal = Journal.of(3)
    assert (
        "is a checkpoint of" in replay(files, journal, journal.export(origin="x.example/y"), 3)[0]
    )
    assert "not a monnaie-locale-journal/1 header" in replay(files, journal, "{}\n", 3)[0]
    miscount = journal.export(entries=journal.entries)
    miscount = miscount.replace('"entries": 3', '"entries": 4', 1)
    assert replay(files, journal, miscount, 3) == [
        f"PROBLEM {files.folder / 'journal.jsonl'}: its header announces 4 entries, it holds 3"
    ]


def test_a_problem_repeated_a_thousand_times_is_written_a_hundred(files: Files) -> None:
    journal = Journal.of(300)
    entries = [{**e, "content": None} for e in journal.entries]
    run = files.verify(
        "journal",
        files.write("journal.jsonl", journal.export(entries=entries)),
        files.write("cp.note", journal.note(300)),
        "--key",
        journal.vkey,
    )
    assert len(run.problems()) == 101
    assert run.problems()[-1].startswith("PROBLEM ... and 200 more:")
    assert run.output.endswith("300 problem(s) found.\n")


def _entries(count: int) -> Iterator[str]:
    """``count`` export lines, made as they are read: the journal is never in memory."""
    prev = "0" * 64
    for seq in range(1, count + 1):
        content = content_of(seq)
        digest = hashlib.sha256((prev + content).encode()).hexdigest()
        line = {
            "seq": seq,
            "transaction_id": seq,
            "prev_hash": prev,
            "hash": digest,
            "sealed_at": "2026-12-01T09:00:00.000000Z",
            "content": content,
        }
        yield json.dumps(line) + "\n"
        prev = digest


def _peak(tmp_path: Path, count: int) -> int:
    path = tmp_path / f"journal-{count}.jsonl"
    with path.open("w") as out:
        header = {
            "format": "monnaie-locale-journal/1",
            "origin": ORIGIN,
            "exported_at": "2026-12-02T00:00:00Z",
            "entries": count,
        }
        out.write(json.dumps(header) + "\n")
        out.writelines(_entries(count))
    report = Report(io.StringIO())
    tracemalloc.start()
    replay_export(str(path), [], report)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.problems == 0
    return peak


def test_memory_stays_flat_as_the_journal_grows(tmp_path: Path) -> None:
    small, large = _peak(tmp_path, 2_000), _peak(tmp_path, 40_000)
    assert large < small * 1.5 + 100_000, (small, large)
