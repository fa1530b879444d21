"""How long ``mlc`` takes to show its help, against a bare Python start in the same run.

Each command is started as a new process, as a person at a terminal starts it; rounds
alternate the commands' order. The figures are medians of wall time and of CPU time
(user + system of the child), with the ratio to ``python -c pass`` measured alongside:
the start of the interpreter itself is what no change to the project can remove.

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

COMMANDS: dict[str, list[str]] = {
    "python -c pass (baseline)": ["-c", "pass"],
    "mlc --help": ["-m", "cli.main", "--help"],
    "mlc accounts --help": ["-m", "cli.main", "accounts", "--help"],
    "mlc reserve --help": ["-m", "cli.main", "reserve", "--help"],
    "mlc transfer --help": ["-m", "cli.main", "transfer", "--help"],
}


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
    rounds = parser.parse_args().rounds

    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
    names = list(COMMANDS)
    for index in range(rounds):
        for name in names if index % 2 == 0 else reversed(names):
            wall, cpu = _run_once(COMMANDS[name])
            walls[name].append(wall)
            cpus[name].append(cpu)

    base_wall = statistics.median(walls[names[0]])
    base_cpu = statistics.median(cpus[names[0]])
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; rounds: {rounds}")
    print(f"{'command':<28} {'wall s':>8} {'cpu s':>8} {'wall/base':>10} {'cpu/base':>9}")
    for name in names:
        wall = statistics.median(walls[name])
        cpu = statistics.median(cpus[name])
        print(
            f"{name:<28} {wall:>8.3f} {cpu:>8.3f} {wall / base_wall:>10.1f} {cpu / base_cpu:>9.1f}"
        )
    print(f"target: at most {TARGET_SECONDS} s per help command (median CPU time)")


if __name__ == "__main__":
    main()
