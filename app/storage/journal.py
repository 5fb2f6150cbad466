"""The append-only journal: each entry chained to the one before by SHA-256."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from app.domain.canonical import GENESIS_HASH, canonical_json
from app.domain.countersign import Signer, signing_bytes
from app.domain.entries import Entry

_E = TypeVar("_E", bound=Entry)


@dataclass(frozen=True)
class Appended:
    """An entry as the journal now holds it."""

    seq: int
    kind: str
    recorded_at: str
    data: Entry
    prev_hash: str
    hash: str


def body(seq: int, recorded_at: str, entry: Entry) -> str:
    """The canonical text of an entry, which its hash covers: from its typed data alone."""
    return canonical_json({"seq": seq, "kind": entry.KIND, "recorded_at": recorded_at, "data": entry.to_data()})


def entry_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """(seq, hash) of the last entry, or (0, genesis)."""
    row = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)


def hash_at(conn: sqlite3.Connection, seq: int) -> str | None:
    row = conn.execute("SELECT hash FROM journal WHERE seq = ?", (seq,)).fetchone()
    return str(row[0]) if row else None


def newest_seq(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()[0])


def seq_of_hash(conn: sqlite3.Connection, digest: str) -> int | None:
    row = conn.execute("SELECT seq FROM journal WHERE hash = ?", (digest,)).fetchone()
    return int(row[0]) if row else None


def rows(conn: sqlite3.Connection, first: int, last: int) -> list[tuple[int, str, str, str, str, str]]:
    """(seq, kind, recorded_at, body, prev_hash, hash) of first..last, as stored."""
    return [(int(a), str(b), str(c), str(d), str(e), str(f)) for a, b, c, d, e, f in conn.execute(
        "SELECT seq, kind, recorded_at, body, prev_hash, hash FROM journal WHERE seq BETWEEN ? AND ? ORDER BY seq",
        (first, last))]


def added_by(conn: sqlite3.Connection, name: str) -> str | None:
    """Who added `name`'s account, per the newest user entry that added it (None: at setup,
    or before users were journalled)."""
    row = conn.execute(
        "SELECT json_extract(body, '$.data.by') FROM journal WHERE kind = 'user' "
        "AND json_extract(body, '$.data.name') = ? AND json_extract(body, '$.data.action') = 'add' "
        "ORDER BY seq DESC LIMIT 1", (name,)).fetchone()
    return str(row[0]) if row and row[0] else None


def signing_key(conn: sqlite3.Connection, name: str) -> tuple[str, str] | None:
    """(public key hex, sealed private key) journalled for `name` most recently, or None."""
    row = conn.execute(
        "SELECT json_extract(body, '$.data.sign_key'), json_extract(body, '$.data.sealed_key') FROM journal "
        "WHERE kind = 'user' AND json_extract(body, '$.data.name') = ? "
        "AND json_extract(body, '$.data.sign_key') IS NOT NULL ORDER BY seq DESC LIMIT 1", (name,)).fetchone()
    return (str(row[0]), str(row[1])) if row else None


def has_kind(conn: sqlite3.Connection, kind: str) -> bool:
    """Whether any entry of this kind was journalled."""
    return conn.execute("SELECT 1 FROM journal WHERE kind = ? LIMIT 1", (kind,)).fetchone() is not None


def append(conn: sqlite3.Connection, recorded_at: str, entry: Entry,
           signers: Sequence[Signer] = ()) -> Appended:
    """Append one entry inside the caller's transaction; the body is canonical JSON of it all.
    Each of `signers` signs the entry's body without signatures (app/domain/countersign.py),
    and the entry is written with them (`sigs`)."""
    last_seq, prev_hash = head(conn)
    seq = last_seq + 1
    if signers:
        message = signing_bytes(seq, entry.KIND, recorded_at, entry.to_data())
        entry = replace(entry, sigs={s.name: s.sign(message) for s in signers})  # type: ignore[call-arg]
    text = body(seq, recorded_at, entry)
    digest = entry_hash(prev_hash, text)
    conn.execute("INSERT INTO journal (seq, kind, recorded_at, body, prev_hash, hash) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (seq, entry.KIND, recorded_at, text, prev_hash, digest))
    return Appended(seq, entry.KIND, recorded_at, entry, prev_hash, digest)


def of_kind(conn: sqlite3.Connection, cls: type[_E]) -> list[tuple[int, str, _E]]:
    """(seq, recorded_at, typed data) of every entry of one kind, in order."""
    return [(seq, at, cls.from_data(d)) for seq, _k, at, d in entries(conn, cls.KIND)]


def entries(conn: sqlite3.Connection, kind: str | None = None) -> list[tuple[int, str, str, dict[str, Any]]]:
    """(seq, kind, recorded_at, data) of every entry, or of one kind, in order: what review reads,
    and the rare kinds (a month's close, the scanned 台账) are looked up by."""
    import orjson

    where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
    return [(int(seq), str(k), str(at), orjson.loads(body)["data"]) for seq, k, at, body in conn.execute(
        f"SELECT seq, kind, recorded_at, CAST(body AS BLOB) FROM journal {where} ORDER BY seq", params)]
