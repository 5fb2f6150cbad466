"""The PySide6 desk window: views and their controllers; the only package that imports Qt."""

from __future__ import annotations
