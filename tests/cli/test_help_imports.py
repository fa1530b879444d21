"""Asking ``mlc`` for help imports no database, web, settings or PDF library.

Help is what a person types first and most often; it must come at once (see
``bench/cli_start.py`` for how fast). The libraries below cost most of a second between
them: a command imports them when it runs, never for its help. Not timed here: whether
they are loaded at all is what cannot drift with the machine's load.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.cli.conftest import ROOT

HEAVY = ("sqlalchemy", "pydantic", "fastapi", "starlette", "fpdf", "uvicorn")

# In one fresh interpreter: the root help, then each group's, then each command's under
# it; after each, the heavy modules that help loaded, if any. The modules a help loads
# stay loaded for the next, so each help is charged with what it added.
_PROBE = """
import json, sys
import typer.main
from typer.testing import CliRunner
from cli.main import COMMANDS, app

HEAVY = tuple(sys.argv[1].split(","))

def heavy():
    return {m for m in sys.modules if m.split(".")[0] in HEAVY}

found, helps, already = {}, [["--help"]], heavy()
for name, (module, _) in COMMANDS.items():
    helps.append([name, "--help"])
for index, words in enumerate(helps):
    result = CliRunner().invoke(app, words, env={"COLUMNS": "200"})
    assert result.exit_code == 0, (words, result.output)
    if index > 0 and len(words) == 2:
        group = typer.main.get_group(app)
        group.load(COMMANDS[words[0]][0])
        for sub in getattr(group.commands[words[0]], "commands", {}):
            helps.append([words[0], sub, "--help"])
    loaded = heavy() - already
    if loaded:
        found[" ".join(words)] = sorted(loaded)[:5]
        already |= loaded
print(json.dumps({"helps": len(helps), "heavy": found}))
"""


def test_no_help_imports_a_heavy_library() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", _PROBE, ",".join(HEAVY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    report = json.loads(shown.splitlines()[-1])
    # The root, every group and every command of every group.
    assert report["helps"] > 2 * len(_groups())
    assert report["heavy"] == {}


def _groups() -> list[str]:
    from cli.main import COMMANDS

    return list(COMMANDS)
