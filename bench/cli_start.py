"""How long ``mlc`` takes to show its help, against a bare Python start in the same run.

It times ``mlc --help``, every group's help and, in each group, its first command's help
(the groups are those of ``cli.main.COMMANDS``); ``--only TEXT`` keeps the helps whose
line contains TEXT. Each command is started as a new process, as a person at a terminal
starts it; rounds alternate the commands' order. The figures are medians of wall time and
of CPU time (user + system of the child), with the ratio to ``python -c pass`` measured
alongside: the start of the interpreter itself is what no change to the project can
remove. It prints the load average (``/proc/loadavg``) before and after, and the slowest
help against the target (CPU time).

    .venv/bin/python -m bench.cli_start --rounds 15
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 0.3

BASELINE = "python -c pass (baseline)"


def help_commands() -> dict[str, list[str]]:
    """``python -c pass``, ``mlc --help``, then every group's help and, for a group, its
    first command's: the table of :mod:`cli.main` says which there are."""
    import typer.main

    from cli.main import COMMANDS, ReportingGroup, app

    root = typer.main.get_group(app)
    assert isinstance(root, ReportingGroup)
    commands: dict[str, list[str]] = {BASELINE: ["-c", "pass"], "mlc --help": ["--help"]}
    for name, (module, _) in COMMANDS.items():
        commands[f"mlc {name} --help"] = [name, "--help"]
        root.load(module)
        sub = getattr(root.commands[name], "commands", None)
        if sub:
            first = next(iter(sub))
            commands[f"mlc {name} {first} --help"] = [name, first, "--help"]
    return {
        label: args if label == BASELINE else ["-m", "cli.main", *args]
        for label, args in commands.items()
    }


def _load_average() -> str:
    """The three load averages of /proc/loadavg (1, 5 and 15 minutes)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _run_once(args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "100"},
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="runs of each command")
    parser.add_argument(
        "--only", default="", help="only the help commands containing this text (and the baseline)"
    )
    options = parser.parse_args()
    rounds = options.rounds

    commands = {
        label: args
        for label, args in help_commands().items()
        if label == BASELINE or options.only in label
    }
    names = list(commands)
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, list[float]] = {name: [] for name in names}
    load_before = _load_average()
    for index in range(rounds):
        for name in names if index % 2 == 0 else reversed(names):
            wall, cpu = _run_once(commands[name])
            walls[name].append(wall)
            cpus[name].append(cpu)

    base_wall = statistics.median(walls[BASELINE])
    base_cpu = statistics.median(cpus[BASELINE])
    print(f"load average before: {load_before}; after: {_load_average()}; rounds: {rounds}")
    width = max(len(name) for name in names)
    print(f"{'command':<{width}} {'wall s':>8} {'cpu s':>8} {'wall/base':>10} {'cpu/base':>9}")
    for name in names:
        wall = statistics.median(walls[name])
        cpu = statistics.median(cpus[name])
        print(
            f"{name:<{width}} {wall:>8.3f} {cpu:>8.3f} "
            f"{wall / base_wall:>10.1f} {cpu / base_cpu:>9.1f}"
        )
    worst = max(names[1:], key=lambda name: statistics.median(cpus[name]))
    worst_cpu = statistics.median(cpus[worst])
    verdict = "met" if worst_cpu <= TARGET_SECONDS else "NOT met"
    print(
        f"worst: {worst}, {worst_cpu:.3f} s CPU ({worst_cpu / base_cpu:.1f}x the baseline); "
        f"target, at most {TARGET_SECONDS} s per help command (median CPU): {verdict}"
    )


if __name__ == "__main__":
    main()
