"""The PySide6 desk window: views and their controllers; the only package that imports Qt."""

from __future__ import annotations

import ctypes
import sys

if sys.version_info < (3, 12):
    # WORKAROUND: PySide6-Essentials 6.12 on CPython 3.11 drops one reference to None on every
    # call of a method returning void (setText, processEvents, ...): None starts with ~4,500
    # references, so the window aborted with "Fatal Python error: none_dealloc" within minutes.
    # CPython 3.12 made None immortal (PEP 683); this gives 3.11's None a reference count it
    # cannot run out of, which is what 3.12 does. Remove with Python 3.11 or a fixed PySide6.
    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40
