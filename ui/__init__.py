"""The PySide6 desk window: views and their controllers; the only package that imports Qt."""

from __future__ import annotations

import ctypes
import sys

if sys.version_info < (3, 12):
    # WORKAROUND: PySide6-Essentials 6.12 on CPython 3.11 drops one reference to None on every
    # call of a method returning void (setText, processEvents, ...): None starts with ~4,500
    # references, so the window aborted with "Fatal Python error: none_dealloc" within minutes.
    # Methods returning bool do the same to True and False (bool_dealloc at exit, seen in the
    # benchmark). CPython 3.12 made these immortal (PEP 683); this gives 3.11's a reference
    # count they cannot run out of. Remove with Python 3.11 or a fixed PySide6.
    for _singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(_singleton)).value += 1 << 40
