"""The program's version, from one source: the `version` of pyproject.toml.

Installed (pip, the developer's venv) and frozen (installer/daishou.spec copies the package's
metadata into the bundle) it is read from the package metadata. A source tree run without an
install reads pyproject.toml beside the packages. Whoever answers a village's call asks for it
first: it is in `daishou --version`, the window's title, the log's first line, every backup's
and USB file's name, and every upload (the county's overview shows it per device).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _metadata_version
from pathlib import Path

UNKNOWN = "0+unknown"


@cache
def version() -> str:
    try:
        return _metadata_version("daishou")
    except PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return UNKNOWN


def version_line(program: str = "daishou") -> str:
    """`daishou 0.1.0`: what --version prints and the log starts with."""
    return f"{program} {version()}"
