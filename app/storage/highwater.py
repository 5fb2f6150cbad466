"""The ledger's high-water mark, kept outside the database file as well.

The hash chain proves that nothing *inside* the journal was changed, but not that its newest
entries are still there: someone who deletes the last receipts together with their rows leaves
a shorter chain that is whole, and the next receipt would reuse a printed number. So after every
write the newest entry (sequence and hash) and the receipt counter are written to the operating
system's keyring too (Windows Credential Manager, the Secret Service on Linux), keyed by the
village and device the file belongs to (not by the folder: an older backup copied into another
folder and opened there is the same device's ledger and is held against the same mark). Before
the first write of a process, and in `verify`, the file is compared with it: a file that lost
its tail, or whose newest entries were rewritten, is refused for writing, so no receipt number is
ever issued twice. A folder not yet set up (no device) and the 培训模式 practice village (the
demo village, which may be the real one's twin) are keyed by the folder; a mark kept by an
earlier release under the folder moves to the device's key the first time it is read.

What the county acknowledged (the newest entry it holds: sequence and hash) is kept there too,
beside the mark (`keep_ack`): the acknowledgement in the file can be deleted with the sqlite3
shell, and then the file no longer says which entries the county holds; the keyring still does.

Where the machine has no keyring (or one that keeps nothing, `keyring.backends.null`), the mark is not kept (the program says so in `verify`) and only
the county server's acknowledgements close the hole; a secret is never written to a plain file.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from app.domain.records import Device
from app.storage import journal, receipts, settings
from app.storage.db import DB_FILENAME
from app.storage.training import is_training

SERVICE = "daishou-ledger-mark"


@dataclass(frozen=True)
class Mark:
    seq: int  # the newest journal entry
    hash: str
    receipt_seq: int  # the newest receipt number's sequence

    def to_text(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "receipt_seq": self.receipt_seq})

    @classmethod
    def from_text(cls, text: str) -> Mark:
        d = json.loads(text)
        return cls(int(d["seq"]), str(d["hash"]), int(d["receipt_seq"]))


class MarkStore(Protocol):
    """Where marks live outside the file; `problem` says why none can be kept (else None)."""

    problem: str | None

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class KeyringStore:
    """The OS keyring through the `keyring` package, imported only when a mark is read or kept."""

    def __init__(self) -> None:
        self.problem: str | None = None

    def _keyring(self) -> Any:  # the keyring module, or None
        if self.problem is not None:
            return None
        try:
            import keyring
            from keyring.backends import fail, null

            # a backend that keeps nothing (null) is no keyring: a mark kept there is lost
            if isinstance(keyring.get_keyring(), (fail.Keyring, null.Keyring)):
                raise RuntimeError("no backend")
            return keyring
        except Exception:  # no keyring package, or no backend on this machine
            self.problem = "本机没有可用的系统密钥库，账本末尾是否被删改只能由县级服务器核对"
            return None

    def get(self, key: str) -> str | None:
        kr = self._keyring()
        if kr is None:
            return None
        try:
            value = kr.get_password(SERVICE, key)
        except Exception:
            self.problem = "系统密钥库无法读取，账本末尾是否被删改未能核对"
            return None
        return str(value) if value is not None else None

    def set(self, key: str, value: str) -> None:
        kr = self._keyring()
        if kr is None:
            return
        try:
            kr.set_password(SERVICE, key, value)
        except Exception:
            self.problem = "系统密钥库无法写入，账本末尾是否被删改只能由县级服务器核对"


def current_mark(conn: sqlite3.Connection) -> Mark:
    seq, digest = journal.head(conn)
    return Mark(seq, digest if seq else "", receipts.newest_receipt_seq(conn))


# What is kept under a ledger's key: the mark, the county's acknowledgement, verify's saved state.
KEPT_SUFFIXES = ("", "#county-ack", "#verify-state")


class HighWater:
    def __init__(self, home: Path, store: MarkStore) -> None:
        self.home = Path(home)
        self.folder_key = str(self.home.resolve())
        self.store = store
        self._kept: Mark | None = None
        self._key: str | None = None

    @property
    def key(self) -> str:
        """`device:<village>:<device no>` once the file names its device (the folder's path
        before that, and for a practice village)."""
        return self._bind(None)

    def _bind(self, conn: sqlite3.Connection | None) -> str:
        """The key, found from `conn`'s device (or the folder's file when None) the first time
        there is one."""
        if self._key is None and not is_training(self.home):
            device = settings.device(conn) if conn is not None else self._device_of_file()
            if device is not None:
                self._key = f"device:{device.village_code}:{device.device_no}"
                self._move_from_folder_key()
        return self._key or self.folder_key

    def _device_of_file(self) -> Device | None:
        path = self.home / DB_FILENAME
        if not path.is_file():
            return None
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
            try:
                return settings.device(conn)
            finally:
                conn.close()
        except sqlite3.Error:
            return None

    def _move_from_folder_key(self) -> None:
        """A mark an earlier release kept under the folder's path: carried over to the device's
        key, unless the device's key holds one already (the newer program's, which wins)."""
        assert self._key is not None
        if self.store.problem is not None or self.store.get(self._key) is not None:
            return
        for suffix in KEPT_SUFFIXES:
            value = self.store.get(self.folder_key + suffix)
            if value is not None:
                self.store.set(self._key + suffix, value)

    def problem(self, conn: sqlite3.Connection) -> str | None:
        """Why this file is not the ledger the mark remembers (its tail lost or rewritten)."""
        text = self.store.get(self._bind(conn))
        if text is None:
            return None
        try:
            mark = Mark.from_text(text)
        except (ValueError, KeyError, TypeError):
            return "系统密钥库中本账本的记号已损坏，请联系乡镇社保所核对账本"
        now = current_mark(conn)
        if now.seq < mark.seq or now.receipt_seq < mark.receipt_seq:
            return (f"账本文件末尾缺少记录：本机曾记到日志第 {mark.seq} 条、收据序号 {mark.receipt_seq}，"
                    f"文件中只有第 {now.seq} 条、收据序号 {now.receipt_seq}。为免收据号重复，已停止记账；"
                    f"请勿再用此文件，联系乡镇社保所核对并用备份恢复")
        if mark.seq and journal.hash_at(conn, mark.seq) != mark.hash:
            return (f"账本日志第 {mark.seq} 条与本机记下的不同（文件被改写）。已停止记账，"
                    f"请联系乡镇社保所核对")
        return None

    @property
    def ack_key(self) -> str:
        return self.key + "#county-ack"

    def keep_ack(self, seq: int, hash_: str) -> None:
        """The county's acknowledgement (already checked against its key and this file), kept
        outside the file: a newer one replaces an older one, never the other way round."""
        if self.store.problem is not None:
            return
        held = self._kept_ack()
        if held is None or seq >= held[0]:
            self.store.set(self.ack_key, json.dumps({"seq": seq, "hash": hash_}))

    def _kept_ack(self) -> tuple[int, str] | None:
        text = self.store.get(self.ack_key)
        if text is None:
            return None
        d = json.loads(text)
        return int(d["seq"]), str(d["hash"])

    def acknowledged(self, conn: sqlite3.Connection) -> int:
        """The newest entry the county acknowledged, as kept outside the file, when this file
        still holds it unchanged (0 when nothing is kept, or it is not): with the chain whole up
        to it, every entry before it is byte for byte what the county checked."""
        self._bind(conn)
        try:
            kept = self._kept_ack()
        except (ValueError, KeyError, TypeError):
            return 0
        if kept is None:
            return 0
        seq, digest = kept
        return seq if journal.hash_at(conn, seq) == digest else 0

    def ack_problem(self, conn: sqlite3.Connection) -> str | None:
        """Why this file does not hold what the county acknowledged, as the keyring remembers it:
        the acknowledgement deleted from the file (or an older one put back), or the entry it
        names gone or rewritten."""
        self._bind(conn)
        try:
            kept = self._kept_ack()
        except (ValueError, KeyError, TypeError):
            return "系统密钥库中本账本的县级确认记号已损坏，请联系乡镇社保所核对账本"
        if kept is None:
            return None
        seq, digest = kept
        try:
            in_file = json.loads(settings.get(conn, "sync") or "{}").get("ack") or {}
            file_seq = int(in_file.get("seq", 0))
        except (ValueError, TypeError, AttributeError):
            file_seq = 0
        if file_seq < seq:
            now = f"只到第 {file_seq} 条" if file_seq else "不见了"
            return (f"县里已确认收到本机日志到第 {seq} 条（本机密钥库记下的），账本文件中的县级确认记录却"
                    f"{now}：确认记录被删除或换成了旧的。"
                    "请联系乡镇社保所核对")
        if journal.hash_at(conn, seq) != digest:
            return (f"本机日志第 {seq} 条与县里确认收到的（本机密钥库记下的）不同或已缺失：账本在上传后被改写。"
                    "请联系乡镇社保所核对")
        return None

    def keep(self, conn: sqlite3.Connection) -> None:
        """After a commit: remember the newest entry, if it moved."""
        if self.store.problem is not None:
            return  # no keyring on this PC: nothing to keep (verify's note says so)
        mark = current_mark(conn)
        if mark != self._kept and mark.seq:
            self.store.set(self._bind(conn), mark.to_text())
            self._kept = mark
