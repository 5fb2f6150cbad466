"""One version, shown wherever the support person on the phone looks (issue 26)."""

from __future__ import annotations

import io
import subprocess
import sys
import tomllib
from pathlib import Path

from app.cli import main
from app.cli.common import Context
from app.version import version

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_the_one_in_pyproject() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert version() == declared


def test_daishou_version_prints_it() -> None:
    out = io.StringIO()
    assert main(["--version"], context=Context(stdout=out, stderr=io.StringIO())) == 0
    assert out.getvalue() == f"daishou {version()}\n"


def test_both_installed_commands_answer_version() -> None:
    for program in ("daishou", "daishou-server"):  # the scripts pip installed beside this python
        proc = subprocess.run([str(Path(sys.executable).parent / program), "--version"],
                              capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == f"{program} {version()}"
