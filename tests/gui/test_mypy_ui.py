"""mypy checks the window's calls to our own code: a wrong keyword in ui/ is an error.

ui/ used to switch off `call-arg` and `call-overload` (for Qt properties given as constructor
keywords), which let `format_fen(100, colour="red")` through. The snippet is checked as a module
of a `ui` package under the project's own mypy configuration, so an override for `ui.*` that
silences those codes again makes this test fail.
"""

from __future__ import annotations

from pathlib import Path

from mypy import api

REPO = Path(__file__).resolve().parents[2]

SNIPPET = '''\
from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.domain.money import format_fen


def shown() -> str:
    return format_fen(100, symbol=True)


def wrong() -> str:
    return format_fen(100, colour="red")


def wrong_qt() -> QLabel:
    return QLabel("x", objectName="y")
'''


def test_a_wrong_keyword_from_ui_is_a_mypy_error(tmp_path: Path) -> None:
    package = tmp_path / "ui"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "snippet.py").write_text(SNIPPET)
    out, err, status = api.run(["--config-file", str(REPO / "pyproject.toml"),
                                "--cache-dir", str(tmp_path / "cache"), str(package / "snippet.py")])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1, out + err
    assert any(':13: error: Unexpected keyword argument "colour" for "format_fen"' in e for e in errors), out
    assert any(":17: error:" in e and "objectName" in e for e in errors), out
    assert not any(":9: error:" in e for e in errors), out  # the right call passes
