"""The one place that imports python-escpos, tamed.

python-escpos has two import-time side effects we do not want in a desk program:
`escpos.capabilities` creates a fresh temporary folder on every import (even when
`ESCPOS_CAPABILITIES_PICKLE_DIR` is set), and it calls `logging.basicConfig()`, which would
install a stderr handler on the root logger before the application configured logging.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

_loaded: dict[str, ModuleType] = {}


def _pickle_dir() -> str:
    # One stable folder per user instead of a new mkdtemp() per import.
    base = Path(tempfile.gettempdir()) / f"daishou-escpos-{os.getuid() if hasattr(os, 'getuid') else 'u'}"
    base.mkdir(parents=True, exist_ok=True)
    return str(base)


def escpos_modules() -> tuple[ModuleType, ModuleType, ModuleType]:
    """Return (escpos.printer, escpos.exceptions, escpos.constants), importing them once."""
    if not _loaded:
        if not os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR"):
            os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = _pickle_dir()
        root = logging.getLogger()
        handlers_before = list(root.handlers)
        # WORKAROUND: escpos.capabilities reads environ.get(KEY, mkdtemp()): the default is
        # evaluated first, so a new temp folder is made on every start even with the variable
        # set. Hand it our folder while it imports.
        real_mkdtemp = tempfile.mkdtemp
        tempfile.mkdtemp = lambda *a, **k: os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]  # type: ignore[assignment]
        try:
            import escpos.constants as constants
            import escpos.exceptions as exceptions
            import escpos.printer as printer
        finally:
            tempfile.mkdtemp = real_mkdtemp
            # WORKAROUND: escpos.capabilities calls logging.basicConfig() at import time; take
            # back exactly the handlers it added so the application's logging stays its own.
            for handler in list(root.handlers):
                if handler not in handlers_before:
                    root.removeHandler(handler)
        _loaded.update(printer=printer, exceptions=exceptions, constants=constants)
    return _loaded["printer"], _loaded["exceptions"], _loaded["constants"]


# Profiles from python-escpos's capability database whose paper width in dots matches ours;
# `image()` reads the width from the profile and prints a warning to stdout when it is unknown.
_PROFILE_FOR_WIDTH = {384: "POS-5890", 576: "TM-T20II"}


def dummy_printer(width_dots: int) -> Any:
    """An in-memory python-escpos printer used to build image and QR commands."""
    printer, _, _ = escpos_modules()
    return printer.Dummy(profile=_PROFILE_FOR_WIDTH.get(width_dots, "POS-5890"))
