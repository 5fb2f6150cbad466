"""Verify's saved state: where the rule walk stood at the entry the county acknowledged.

Replaying the chain rules over 100,000 receipts costs more than reading and hashing them (issue
23: ~0.8 s CPU against ~0.2 s). The entries up to the county's acknowledgement do not change
(the hash chain proves that the file still holds them byte for byte), so neither does the rules'
state after them. A successful default `verify` saves that state (`Saved`): the rules'
(`ChainRules.to_state`), what the walk gathered for the table comparisons (`Journalled`), and a
digest of the journal's `kind` and `recorded_at` columns up to there (the hash covers only the
body: the columns were found to agree with it when the state was made), and a digest of the
receipt and line rows up to there (app/storage/verify_receipts.py: they were found to agree with
the entries). The next `verify` hashes every entry from the first, replays rules only after the
saved entry, and compares only the receipt entries after it with their rows when the rows up to
it still have that digest.

Trust: the state is a file in the data folder (`verify-state.json`), which whoever can rewrite
the ledger file can rewrite too. So its SHA-256 is kept in the OS keyring beside the county's
acknowledgement (`HighWater`), with the entry (sequence and hash) it was made at and the rows'
digest (made on another connection once the state's bytes were): a state that
does not hash to what the keyring holds is not used (the full walk runs, and `verify` says so),
and one that is used only holds if the walk, hashing the file from the first entry, arrives at
that entry with that hash and those columns (otherwise, again, the full walk). With no keyring
nothing is saved and every verify walks every rule. `verify --full` neither uses nor saves it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from app.storage.digest import ROSTER_DIGESTS
from app.storage.highwater import HighWater
from app.storage.verify_tables import when_locked

FILENAME = "verify-state.json"

# What `verify` says when the saved state could not be used.
REFUSED = "本机保存的核验进度与系统密钥库记下的不符（可能被改动），已从第 1 条起重验全部规则"


@dataclass
class Journalled:
    """What the walk gathers from the entries for the table comparisons after it (the users,
    the device, configuration and roster, the prints, the uniform receipts' serials)."""

    # name -> (seq, (role, active, salt, hash, kdf, (failed attempts, locked until) or None)) of its newest entry
    users: dict[str, tuple[int, tuple[Any, ...]]] = field(default_factory=dict)
    setup: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # "device"/"config"/"roster"
    prints: Counter[tuple[Any, ...]] = field(default_factory=Counter)  # (number, ok, copy_no, error)
    serials: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # 统一票据: serial -> (seq, receipt, spoiled reason)

    def take(self, seq: int, kind: str, d: dict[str, Any]) -> None:
        if kind == "receipt":
            if "serial" in d:
                self.serials[d["serial"]] = (seq, d["number"], None)
        elif kind == "user":
            lock = (d["failed_attempts"], d["locked_until"]) if "failed_attempts" in d else None
            self.users[d["name"]] = (seq, (d["role"], d["active"], d["pin_salt"], d["pin_hash"], d["pin_kdf"], lock))
        elif kind == "print":
            self.prints[(d["number"], bool(d["ok"]), d["copy_no"], d["error"])] += 1
        elif kind == "serial_spoiled":
            self.serials[d["serial"]] = (seq, None, d["reason"])
        elif kind in ("device", "config"):
            self.setup[kind] = (seq, d)
        elif kind == "roster" and not ROSTER_DIGESTS.keys().isdisjoint(d):
            self.setup["roster"] = (seq, d)

    def users_compared(self) -> dict[str, tuple[int, tuple[Any, ...]]]:
        """The users as compare_users takes them (the lockout time as a time)."""
        return {name: (seq, (*state[:5], None if state[5] is None else (state[5][0], when_locked(state[5][1]))))
                for name, (seq, state) in self.users.items()}

    def to_state(self) -> dict[str, Any]:
        return {"users": self.users, "setup": self.setup, "serials": self.serials,
                "prints": [[*key, n] for key, n in self.prints.items()]}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Journalled:
        def lock(value: Any) -> tuple[Any, ...] | None:
            return None if value is None else tuple(value)

        return cls(users={k: (int(seq), (*s[:5], lock(s[5]))) for k, (seq, s) in state["users"].items()},
                   setup={k: (int(seq), d) for k, (seq, d) in state["setup"].items()},
                   prints=Counter({tuple(p[:4]): int(p[4]) for p in state["prints"]}),
                   serials={k: tuple(v) for k, v in state["serials"].items()})


@dataclass(frozen=True)
class Saved:
    """The walk's state after entry `seq` (whose hash is `hash`), as bytes: made in one go when
    the walk passes that entry (the live state keeps changing after it)."""

    seq: int
    hash: str
    raw: bytes = field(repr=False)
    rows: str = ""  # the receipt rows' digest up to `seq` (verify_receipts.compare_receipt_rows; "": none)

    @classmethod
    def make(cls, seq: int, digest: str, columns: str, rules: dict[str, Any], journalled: Journalled) -> Saved:
        raw = orjson.dumps({"seq": seq, "hash": digest, "columns": columns, "rules": rules,
                            "journalled": journalled.to_state()})
        return cls(seq, digest, raw)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    def state(self) -> tuple[str, dict[str, Any], Journalled]:
        """(columns digest, rules' state, journalled) as saved."""
        d = orjson.loads(self.raw)
        if (d["seq"], d["hash"]) != (self.seq, self.hash):
            raise ValueError("the state is of another entry")
        return str(d["columns"]), d["rules"], Journalled.from_state(d["journalled"])


def columns_digest(columns: list[str]) -> str:
    """The digest of the entries' kind and time columns, from the first entry, in order: kind,
    time, kind, time … (none of them holds the separator: were one to, the text would have one
    separator more than the entries' columns have boundaries, and so not be the same)."""
    return hashlib.sha256("\x1f".join(columns).encode()).hexdigest()


def _key(highwater: HighWater) -> str:
    return highwater.key + "#verify-state"


def load(home: Path, highwater: HighWater, acknowledged: int) -> tuple[Saved | None, str | None]:
    """The saved state, when the keyring holds its hash and it is not past `acknowledged`;
    else None, with the reason to tell when one was there but does not hold."""
    if highwater.store.problem is not None or not acknowledged:
        return None, None
    text = highwater.store.get(_key(highwater))
    path = Path(home) / FILENAME
    if text is None:
        return None, None  # none saved yet (the first verify after the county acknowledged)
    try:
        kept = json.loads(text)
        seq, digest, sha = int(kept["seq"]), str(kept["hash"]), str(kept["sha256"])
        raw = path.read_bytes()
    except (ValueError, KeyError, TypeError, OSError):
        return None, REFUSED
    saved = Saved(seq, digest, raw, str(kept.get("rows", "")))
    if saved.sha256 != sha or seq > acknowledged:
        return None, REFUSED
    return saved, None


def keep(home: Path, highwater: HighWater, saved: Saved) -> None:
    """Write the state beside the ledger, then its hash to the keyring (a state written but not
    yet in the keyring is simply not used)."""
    if highwater.store.problem is not None:
        return
    path = Path(home) / FILENAME
    part = path.with_name(FILENAME + ".part")
    try:
        part.write_bytes(saved.raw)
        os.replace(part, path)
    except OSError:
        return  # a read-only data folder: the next verify walks every rule again
    highwater.store.set(_key(highwater), json.dumps({"seq": saved.seq, "hash": saved.hash, "sha256": saved.sha256,
                                                     "rows": saved.rows}))
