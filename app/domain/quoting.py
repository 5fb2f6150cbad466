"""How a message quotes what somebody typed or a file held."""

from __future__ import annotations

QUOTE_CHARS = 24  # enough for an 18-character ID number or a long name


def quote(text: object) -> str:
    """At most QUOTE_CHARS characters, unprintable ones shown as �: a rejection of a megabyte
    cell, or of a cell of terminal control characters, stays one short, harmless line."""
    value = str(text)
    shown = "".join(ch if ch.isprintable() else "\ufffd" for ch in value[:QUOTE_CHARS])
    return shown + ("…" if len(value) > QUOTE_CHARS else "")
