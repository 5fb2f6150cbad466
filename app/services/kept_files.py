"""A file the desk keeps a copy of beside the ledger (the 台账 scan, the 公示 photo): read once
within a size bound, its kind told by its first bytes, hashed, and the very bytes hashed written
0600 under a name that carries the hash, so what the journal names is what was read (a second
read of a file that may change meanwhile could keep other bytes than were hashed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.domain.entry_base import Entry
from app.services.errors import InvalidInput, Refused
from app.services.ledger import refuse_if_clock_behind
from app.storage import journal
from app.storage.database import Database
from app.storage.db import owner_only
from app.storage.digest import file_sha256

KINDS = {b"%PDF": ".pdf", b"\xff\xd8\xff": ".jpg", b"\x89PNG": ".png", b"II*\x00": ".tif", b"MM\x00*": ".tif"}


@dataclass(frozen=True)
class KeptRecord:
    """A kept file as read back: the hash its entry names, where its copy is, who recorded it,
    and whether the copy still hashes to what was journalled."""

    sha256: str
    path: Path
    by: str
    intact: bool


@dataclass(frozen=True)
class KeptFile:
    sha256: str
    name: str  # in the folder: `{stem}-{first 12 of the hash}{ext}`
    size: int


def keep(source: Path, folder: Path, stem: str, *, max_bytes: int, unreadable: str, too_big: str,
         not_a_kind: str) -> KeptFile:
    """Keep `source` in `folder`; the messages say, in the caller's words, what was wrong
    (`unreadable` is followed by the path and the reason)."""
    source = Path(source)
    try:
        data = source.read_bytes() if source.stat().st_size <= max_bytes else None
    except OSError as exc:
        raise InvalidInput(f"{unreadable} {source}：{exc.strerror or exc}") from None
    if data is None:
        raise InvalidInput(too_big)
    ext = next((e for magic, e in KINDS.items() if data.startswith(magic)), None)
    if ext is None:
        raise InvalidInput(not_a_kind)
    digest = hashlib.sha256(data).hexdigest()
    name = f"{stem}-{digest[:12]}{ext}"
    folder.mkdir(parents=True, exist_ok=True)
    owner_only(folder)
    kept = folder / name
    if not kept.exists():
        part = kept.with_name(kept.name + ".part")
        part.write_bytes(data)
        part.replace(kept)
        owner_only(kept)
    return KeptFile(digest, name, len(data))


def journal_once(db: Database, now: datetime, entry: Entry, *, twice: str) -> None:
    """Journal `entry`, which names a kept file by its hash, unless an entry of its kind already
    names the same bytes (`twice` says so, in the caller's words)."""
    digest = entry.sha256  # type: ignore[attr-defined]
    with db.write() as conn:
        if any(d.sha256 == digest for _s, _a, d in journal.of_kind(conn, type(entry))):  # type: ignore[attr-defined]
            raise Refused(twice)
        refuse_if_clock_behind(conn, now)
        journal.append(conn, now.isoformat(), entry)


def intact(path: Path, sha256: str) -> bool:
    """The kept copy is there and still the bytes its entry names."""
    return path.is_file() and file_sha256(path) == sha256
