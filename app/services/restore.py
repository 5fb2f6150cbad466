"""Restore a data home's ledger from a backup copy (`daishou restore FILE`, settings F6).

A restore must never make the desk issue a receipt number twice, and must never lose a file:

- the copy is checked before anything is touched: it is a Daishou ledger (not the JSON batch
  `daishou export` writes for the county, which holds only what the county has not confirmed),
  not written by a newer program, whole (migrated to this program's schema on a scratch copy,
  then the chain, projections and signatures checked by verify);
- it is this desk's: the same village and device as the ledger it replaces (a new PC, whose
  data folder holds no ledger, takes any village's copy: the county's check at the next sync
  and the device key decide there);
- it is not older than what is known to exist beyond it: the high-water mark in the OS keyring
  (app/services/highwater.py) and the county's signed acknowledgement kept in the current file;
  the copy must hold the entry each names, with the same hash, and every receipt number issued;
- the head (村委会负责人) or an administrator confirms with their PIN, checked against the copy;
- the current file (with its -wal and -shm) is moved aside into `replaced/`, never deleted, and
  put back if the restored file does not open and verify.

Sealed copies (`.age`, app/services/sealing.py) are opened with this desk's key from the OS
keyring, or with a key file given (the township's, when this PC had no keyring).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.domain.records import Role
from app.services import sealing
from app.services.errors import AuthError, InvalidInput, Refused
from app.services.sync_state import Ack, read, stored_ack
from app.storage import journal, settings
from app.storage.db import DB_FILENAME, SCHEMA_VERSION, StorageError, open_database, user_version
from app.storage.highwater import HighWater, KeyringStore, Mark, MarkStore, current_mark
from app.storage.verify import verify_database

REPLACED_DIR = "replaced"
SQLITE_MAGIC = b"SQLite format 3\x00"
Opener = Callable[[Path, Path], None]  # (encrypted copy, where to write the plain file)


class RestoreRefused(Refused):
    """Nothing was changed; `reason` names the case for scripts and tests."""

    def __init__(self, reason: str, message: str, *, command: str | None = None) -> None:
        super().__init__(message, command=command)
        self.reason = reason


@dataclass(frozen=True)
class RestoreResult:
    restored: Path
    kept_aside: list[Path]  # the replaced ledger's files, as they were
    entries: int
    receipt_seq: int
    village_code: str
    device_no: int

    def to_json(self) -> dict[str, object]:
        return {"restored": str(self.restored), "kept_aside": [str(p) for p in self.kept_aside],
                "entries": self.entries, "receipt_seq": self.receipt_seq,
                "village_code": self.village_code, "device_no": self.device_no}


@dataclass(frozen=True)
class _Ledger:
    village_code: str
    village_name: str
    device_no: int
    mark: Mark
    ack: Ack | None


def restore(home: Path, source: Path, *, by: str, pin: str, now: Callable[[], datetime] = datetime.now,
            marks: MarkStore | None = None, key_file: Path | None = None) -> RestoreResult:
    home, source = Path(home), Path(source)

    def open_copy(sealed: Path, plain: Path) -> None:
        keys = sealing.desk_identities(home) + (sealing.read_key_file(key_file) if key_file else [])
        try:
            sealing.unseal(sealed, plain, keys)
        except InvalidInput as exc:
            hint = "" if key_file else "；备份只加密给乡镇和县里时，请选择乡镇的密钥文件再恢复"
            raise RestoreRefused("wrong_key", exc.message + hint,
                                 command=None if key_file else "daishou restore 文件 --by 姓名 --key 乡镇密钥文件") from None

    target = home / DB_FILENAME
    if not source.is_file():
        raise RestoreRefused("missing", f"找不到备份文件 {source}")
    with _scratch(home) as scratch:
        candidate = scratch / DB_FILENAME
        _plain_copy(source, candidate, open_copy)
        copy = _check_copy(candidate, source)
        current = _current(target)
        _check_same_desk(copy, current, source)
        _check_not_older(home, candidate, copy, current, marks or KeyringStore())
        _check_pin(scratch, by, pin)
        for extra in ("-wal", "-shm"):  # the PIN check opened it: leave one self-contained file
            Path(f"{candidate}{extra}").unlink(missing_ok=True)
        aside = _move_aside(home, target, now)
        try:
            shutil.move(str(candidate), target)
            open_database(target, backup_dir=home / "backups")
            result = verify_database(target)
            if not result.ok:
                raise RestoreRefused("damaged", f"恢复后的账本校验失败：{result.reason}")
        except BaseException:
            _put_back(target, aside)
            raise
    return RestoreResult(target, aside, result.entries, copy.mark.receipt_seq, copy.village_code, copy.device_no)


@contextlib.contextmanager
def _scratch(home: Path) -> Iterator[Path]:
    home.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="restore-", dir=home))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _plain_copy(source: Path, candidate: Path, open_copy: Opener) -> None:
    head = _head(source)
    if head.startswith(sealing.AGE_MAGIC):
        open_copy(source, candidate)
    elif head.lstrip().startswith(b"{"):
        raise RestoreRefused("export_file", f"{source.name} 是导出交县里的文件（只含县里尚未确认的记录），"
                                            "不是完整账本，不能用来恢复：请选择备份文件夹中的 daishou-….sqlite3 备份")
    else:
        shutil.copyfile(source, candidate)
    with contextlib.suppress(OSError):
        candidate.chmod(0o600)
    if not _head(candidate).startswith(SQLITE_MAGIC):
        raise RestoreRefused("not_a_ledger", f"{source.name} 不是代收的账本备份（也可能已损坏）")


def _head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(64)


def _check_copy(candidate: Path, source: Path) -> _Ledger:
    damaged = f"备份文件 {source.name} 已损坏或被改动，不能用来恢复"
    try:
        version = user_version(candidate)
        if version > SCHEMA_VERSION:
            raise RestoreRefused("newer_program", f"{source.name} 由较新版本的代收程序写成（数据版本 {version}，"
                                                  f"本程序支持 {SCHEMA_VERSION}）：请先安装新版本再恢复")
        open_database(candidate, backup_dir=candidate.parent / "backups")  # an older copy: migrated here
    except (StorageError, sqlite3.DatabaseError) as exc:
        raise RestoreRefused("damaged", f"{damaged}（{exc}）") from None
    result = verify_database(candidate)
    if not result.ok:
        raise RestoreRefused("damaged", f"{damaged}：{result.reason}")
    ledger = _read_ledger(candidate)
    if ledger is None:
        raise RestoreRefused("not_a_ledger", f"{source.name} 中没有村代码和设备号：不是一个已设置的账本")
    return ledger


def _read_ledger(path: Path) -> _Ledger | None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        device = settings.device(conn)
        if device is None:
            return None
        return _Ledger(device.village_code, device.village_name, device.device_no, current_mark(conn),
                       _ack(conn))
    finally:
        conn.close()


def _ack(conn: sqlite3.Connection) -> Ack | None:
    try:
        return stored_ack(read(conn))
    except (KeyError, TypeError, ValueError, json.JSONDecodeError):
        return None


def _current(target: Path) -> _Ledger | None:
    """The ledger being replaced, if it can still be read (it is often damaged: that is why)."""
    if not target.exists():
        return None
    try:
        return _read_ledger(target)
    except sqlite3.DatabaseError:
        return None


def _check_same_desk(copy: _Ledger, current: _Ledger | None, source: Path) -> None:
    if current is None:
        return
    if copy.village_code != current.village_code:
        raise RestoreRefused("other_village", f"{source.name} 是「{copy.village_name}」（{copy.village_code}）的账本，"
                                              f"本机是「{current.village_name}」（{current.village_code}）：不能恢复别村的备份")
    if copy.device_no != current.device_no:
        raise RestoreRefused("other_device", f"{source.name} 是本村 {copy.device_no} 号设备的账本，本机是 "
                                             f"{current.device_no} 号设备：每台设备只能恢复自己的备份")


def _check_not_older(home: Path, candidate: Path, copy: _Ledger, current: _Ledger | None,
                     marks: MarkStore) -> None:
    conn = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
    try:
        problem = HighWater(home, marks).problem(conn)
        if problem:
            raise RestoreRefused("older_than_mark", "这个备份比本机记下的账本旧（系统密钥库中的记号）："
                                                    f"恢复会重复使用已开出的收据号，已拒绝。{problem}")
        for ack in (a for a in (current.ack if current else None, copy.ack) if a is not None):
            held = journal.hash_at(conn, ack.seq)
            if held is None:
                raise RestoreRefused("older_than_county", f"县里已确认收到本机日志到第 {ack.seq} 条，这个备份只到"
                                                          f"第 {copy.mark.seq} 条：恢复会重复使用县里已有的收据号，已拒绝")
            if held != ack.hash:
                raise RestoreRefused("older_than_county", f"这个备份的日志第 {ack.seq} 条与县里确认收到的不同："
                                                          "不是县里所知的账本，已拒绝")
    finally:
        conn.close()


def _check_pin(scratch: Path, by: str, pin: str) -> None:
    from app.services.users import Users
    from app.storage.database import Database

    db = Database(scratch, marks=_NoMarks())
    try:
        Users(db, datetime.now).authenticate(by, pin, roles=(Role.HEAD, Role.ADMIN), purpose="恢复账本")
    except AuthError as exc:
        raise RestoreRefused("pin", f"恢复账本须由村委会负责人或管理员确认：{exc.message}") from None
    finally:
        db.close()


class _NoMarks:
    """The scratch copy is not the desk's ledger: no mark of it is read or kept."""

    problem: str | None = "scratch copy"

    def get(self, key: str) -> str | None:
        return None

    def set(self, key: str, value: str) -> None:
        return None


def _move_aside(home: Path, target: Path, now: Callable[[], datetime]) -> list[Path]:
    if not target.exists():
        return []
    folder = home / REPLACED_DIR
    folder.mkdir(exist_ok=True)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)
    stamp = now().strftime("%Y%m%d-%H%M%S")
    moved = []
    for suffix in ("", "-wal", "-shm"):  # together: committed writes may still be in the WAL
        part = Path(f"{target}{suffix}")
        if part.exists():
            aside = folder / f"daishou-before-restore-{stamp}.sqlite3{suffix}"
            part.replace(aside)
            moved.append(aside)
    return moved


def _put_back(target: Path, aside: list[Path]) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    for path in aside:
        suffix = next((s for s in ("-wal", "-shm") if path.name.endswith(s)), "")
        path.replace(Path(f"{target}{suffix}"))
