"""`daishou restore FILE` (issue 26): a good copy comes back and the old file is kept aside; a
copy of another village or device, a damaged one, one older than the keyring's high-water mark,
an export file or a confirmation by someone who is not the head or an administrator is refused
with a named message, and nothing in the data folder changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.services.desk import Desk
from app.storage.db import copy_database
from tests.core.test_cli import Cli, settle_with_backup
from tests.factories import ZHANG, ZHANG_WIFE, FakeClock

pytest_plugins = ["tests.core.test_cli"]  # the `cli` fixture: a village set up through the command line


def _plain_copy(home: Path, out: Path) -> Path:
    copy_database(home / "daishou.sqlite3", out)
    return out


def _folder_state(home: Path) -> dict[str, str]:
    """Every file's content; SQLite's own -shm index and an empty -wal (made by any reader of a
    WAL-mode file) are not content."""
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(home.rglob("*")) if p.is_file() and "logs" not in p.parts
            and not p.name.endswith("-shm") and not (p.name.endswith("-wal") and not p.stat().st_size)}


def _refused(cli: Cli, backup: Path, reason_words: str, *, by: str = "王村长", pin: str = "567890") -> str:
    before = _folder_state(cli.home)
    code, _, err = cli("restore", str(backup), "--by", by, stdin=f"{pin}\n")
    assert code == 1, err
    assert reason_words in err
    assert _folder_state(cli.home) == before  # nothing moved, nothing written
    return err


def test_a_good_copy_replaces_a_damaged_ledger_which_is_kept(cli: Cli, tmp_path: Path) -> None:
    backup = settle_with_backup(cli, tmp_path / "usb")
    ledger = cli.home / "daishou.sqlite3"
    data = bytearray(ledger.read_bytes())
    data[8192:12288] = b"\xa5" * 4096  # a bad sector in the middle of the file
    ledger.write_bytes(bytes(data))
    code, _, err = cli("verify", "--json")
    assert code != 0 or '"ok": false' in _

    done = cli.json("restore", str(backup), "--by", "王村长", stdin="567890\n")
    assert done["village_code"] == "341824100201" and done["receipt_seq"] == 1
    (aside,) = [Path(p) for p in done["kept_aside"] if p.endswith(".sqlite3")]
    assert aside.parent == cli.home / "replaced" and aside.read_bytes() == bytes(data)  # kept as it was
    assert cli.json("verify")["ok"] is True
    assert [r["number"] for r in cli.json("receipt", "list", "--date", "2026-11-20")] == ["341824100201-01-000001"]
    cli.clock.next_day()
    after = cli.json("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG_WIFE.id_number}:medical:2027",
                     "--cash", "400", stdin="1234\n")
    assert after["number"] == "341824100201-01-000002"  # numbering goes on, no number twice


def test_another_villages_copy_is_refused(cli: Cli, tmp_path: Path, clock: FakeClock) -> None:
    settle_with_backup(cli, tmp_path / "usb")
    other = Cli(tmp_path / "other", clock)
    assert other("init", "--village-code", "341824100202", "--village-name", "邻村", "--township-code",
                 "341824100", "--device-no", "1")[0] == 0
    with Desk(other.home, clock=clock) as desk:
        sealed = desk.backups.write(tmp_path / "their-usb").path
    _refused(cli, sealed, "不是加密给这把密钥的")  # sealed to their desk: this one cannot even open it
    plain = _plain_copy(other.home, tmp_path / "theirs.sqlite3")  # as written before backups were sealed
    err = _refused(cli, plain, "邻村")
    assert "不能恢复别村的备份" in err


def test_another_devices_copy_is_refused(cli: Cli, tmp_path: Path, clock: FakeClock) -> None:
    other = Cli(tmp_path / "second-pc", clock)
    assert other("init", "--village-code", "341824100201", "--village-name", "示范村", "--township-code",
                 "341824100", "--device-no", "2")[0] == 0
    _refused(cli, _plain_copy(other.home, tmp_path / "theirs.sqlite3"), "每台设备只能恢复自己的备份")


def test_a_damaged_copy_is_refused(cli: Cli, tmp_path: Path) -> None:
    sealed = settle_with_backup(cli, tmp_path / "usb")
    data = bytearray(sealed.read_bytes())
    data[-100] ^= 0x01  # one bit of the sealed copy: age's authentication refuses it
    broken = tmp_path / "broken.sqlite3.age"
    broken.write_bytes(bytes(data))
    _refused(cli, broken, "已损坏或被改动（加密内容校验不符）")
    backup = _plain_copy(cli.home, tmp_path / "plain.sqlite3")
    good = backup.read_bytes()
    assert ZHANG.id_number.encode() in good
    backup.write_bytes(good.replace(ZHANG.id_number.encode(), ZHANG_WIFE.id_number.encode()))  # a payer changed
    _refused(cli, backup, "已损坏或被改动")
    backup.write_bytes(good[: len(good) // 2])  # a copy cut short (the stick pulled out)
    _refused(cli, backup, "已损坏或被改动")


def test_a_copy_older_than_the_keyring_mark_is_refused(cli: Cli, tmp_path: Path) -> None:
    backup = settle_with_backup(cli, tmp_path / "usb")
    cli.clock.advance(hours=1)
    later = cli.json("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG_WIFE.id_number}:medical:2027",
                     "--cash", "400", stdin="1234\n")
    (cli.home / "daishou.sqlite3").unlink()  # even with the ledger gone, the mark remembers
    for extra in ("-wal", "-shm"):
        Path(f"{cli.home / 'daishou.sqlite3'}{extra}").unlink(missing_ok=True)
    err = _refused(cli, backup, "恢复会重复使用已开出的收据号")
    assert later["number"] == "341824100201-01-000002" and "收据序号 2" in err


def test_a_copy_older_than_the_mark_is_refused_in_another_folder_too(cli: Cli, tmp_path: Path) -> None:
    """The mark is the device's: restoring the older copy into a new, empty folder (and working
    there) would reissue the same numbers just as well."""
    settle_with_backup(cli, tmp_path / "usb")
    backup = _plain_copy(cli.home, tmp_path / "taken-that-evening.sqlite3")  # a plain copy of the file
    cli.clock.advance(hours=1)
    cli.json("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG_WIFE.id_number}:medical:2027",
             "--cash", "400", stdin="1234\n")
    elsewhere = Cli(tmp_path / "elsewhere", cli.clock)
    code, _, err = elsewhere("restore", str(backup), "--by", "王村长", stdin="567890\n")
    assert code == 1 and "恢复会重复使用已开出的收据号" in err and "收据序号 2" in err
    assert not (elsewhere.home / "daishou.sqlite3").exists()


def test_only_the_head_or_an_administrator_confirms(cli: Cli, tmp_path: Path) -> None:
    backup = settle_with_backup(cli, tmp_path / "usb")
    _refused(cli, backup, "恢复账本需要村委会负责人或管理员", by="李代收", pin="1234")
    _refused(cli, backup, "须由村委会负责人或管理员确认", pin="000000")


def test_an_export_file_or_a_stranger_file_is_not_a_backup(cli: Cli, tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text('{"format": "daishou-batch-1", "entries": []}', encoding="utf-8")
    _refused(cli, export, "不是完整账本")
    photo = tmp_path / "照片.sqlite3"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    _refused(cli, photo, "不是代收的账本备份")
    _refused(cli, tmp_path / "nowhere.sqlite3", "找不到备份文件")
