"""Backups a finder cannot read (issue 26): sealed with age to the desk's own key (OS keyring) and
to the township's and county's public keys from the county configuration; opened by the desk and
by the township's key file, refused by name with a stranger's; written 0600. Without a keyring
the desk says what that means; an old configuration keeps its journalled text."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pyrage
import pytest

from app.domain.canonical import canonical_json
from app.domain.config import ConfigError, load_config_text
from app.domain.records import UserInfo
from app.services import sealing
from app.services.desk import Desk
from app.services.errors import InvalidInput
from app.services.restore import RestoreRefused, restore
from tests.conftest import HEAD_PIN
from tests.factories import CONFIG_PATH, ZHANG
from tests.keyrings import MemoryKeyring


def _with_recipients(desk: Desk, head: UserInfo, township: object, county: object) -> None:
    data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    data["recipients"] = {"township": str(township), "county": str(county)}
    desk.setup.import_config(json.dumps(data, ensure_ascii=False), by=head)


def _key_file(tmp_path: Path, identity: object, name: str) -> Path:
    path = tmp_path / name
    path.write_text(f"# 乡镇社保中心的密钥：只在乡镇的电脑上保存\n{identity}\n", encoding="utf-8")
    return path


def _is_ledger(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] > 0
    finally:
        conn.close()


def test_a_backup_opens_with_the_desk_key_and_the_township_key_only(desk: Desk, head: UserInfo,
                                                                    tmp_path: Path) -> None:
    township, county = pyrage.x25519.Identity.generate(), pyrage.x25519.Identity.generate()
    _with_recipients(desk, head, township.to_public(), county.to_public())
    result = desk.backups.write(tmp_path / "usb")
    assert result.path.name.endswith(".sqlite3.age") and result.note is None
    sealed = result.path.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1")
    assert ZHANG.id_number.encode() not in sealed and b"SQLite format 3" not in sealed
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600

    by_desk, by_township, by_county = (tmp_path / n for n in ("desk.sqlite3", "township.sqlite3", "county.sqlite3"))
    sealing.unseal(result.path, by_desk, sealing.desk_identities(desk.home))
    sealing.unseal(result.path, by_township, sealing.read_key_file(_key_file(tmp_path, township, "乡镇.key")))
    sealing.unseal(result.path, by_county, [county])
    assert all(_is_ledger(p) for p in (by_desk, by_township, by_county))
    assert stat.S_IMODE(by_township.stat().st_mode) == 0o600

    stranger = _key_file(tmp_path, pyrage.x25519.Identity.generate(), "stranger.key")
    with pytest.raises(InvalidInput, match="不是加密给这把密钥的") as refused:
        sealing.unseal(result.path, tmp_path / "stranger.sqlite3", sealing.read_key_file(stranger))
    assert result.path.name in refused.value.message
    assert not (tmp_path / "stranger.sqlite3").exists() and not (tmp_path / "stranger.sqlite3.part").exists()


def test_without_a_keyring_the_copy_goes_to_the_township_and_restore_needs_its_key(
        desk: Desk, head: UserInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    township, county = pyrage.x25519.Identity.generate(), pyrage.x25519.Identity.generate()
    _with_recipients(desk, head, township.to_public(), county.to_public())
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    result = desk.backups.write(tmp_path / "usb")
    assert result.path.suffix == ".age" and result.note == sealing.NO_KEYRING
    desk.close()
    with pytest.raises(RestoreRefused, match="没有可用的密钥打开它；.*请选择乡镇的密钥文件"):
        restore(desk.home, result.path, by="王村长", pin=HEAD_PIN)
    done = restore(desk.home, result.path, by="王村长", pin=HEAD_PIN,
                   key_file=_key_file(tmp_path, township, "乡镇.key"))
    assert done.village_code == "341824100201"


def test_no_keyring_and_no_recipients_writes_in_the_clear_and_says_so(
        desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    result = desk.backups.write(tmp_path / "usb")
    assert result.path.suffix == ".sqlite3" and _is_ledger(result.path)
    assert result.note == sealing.IN_THE_CLEAR and "拾到U盘的人可以读出" in result.note


def test_the_desk_key_stays_in_the_keyring(desk: Desk, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    first = desk.backups.write(tmp_path / "usb").path
    (secret,) = [v for (service, _), v in memory_keyring.values.items() if service == sealing.KEYRING_SERVICE]
    assert secret.startswith("AGE-SECRET-KEY-1")
    assert not any("AGE-SECRET-KEY" in p.read_text(errors="replace") for p in desk.home.rglob("*") if p.is_file()
                   and p.suffix not in (".sqlite3",)) and secret.encode() not in (desk.home / "daishou.sqlite3").read_bytes()
    sealing.unseal(first, tmp_path / "again.sqlite3", sealing.desk_identities(desk.home))  # the same key next time


def test_an_old_configuration_keeps_its_journalled_text() -> None:
    text = CONFIG_PATH.read_text(encoding="utf-8")
    assert "recipients" not in canonical_json(load_config_text(text).to_json())
    data = json.loads(text)
    data["recipients"] = {"township": "age1notakey"}
    with pytest.raises(ConfigError, match="recipients.township"):
        load_config_text(json.dumps(data))
    data["recipients"] = {"village": str(pyrage.x25519.Identity.generate().to_public())}
    with pytest.raises(ConfigError, match="recipients.village"):
        load_config_text(json.dumps(data))


def test_daishou_review_opens_a_sealed_file_with_the_township_key_only(desk: Desk, head: UserInfo,
                                                                       tmp_path: Path) -> None:
    import io

    from app.cli import main
    from app.cli.common import Context

    township, county = pyrage.x25519.Identity.generate(), pyrage.x25519.Identity.generate()
    _with_recipients(desk, head, township.to_public(), county.to_public())
    sealed = desk.backups.write(tmp_path / "usb").path

    def review(*extra: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(["review", str(sealed), "--as-of", "2026-11-25", "--json", *extra],
                    context=Context(stdout=out, stderr=err))
        return code, out.getvalue(), err.getvalue()

    code, out, err = review("--key", str(_key_file(tmp_path, township, "乡镇.key")))
    assert code == 0, err
    reviewed = json.loads(out)
    assert reviewed["village_name"] == "示范村" and reviewed["check"]["ok"] is True
    assert reviewed["file"] == str(sealed)  # the report names the file the township was given
    code, _, err = review("--key", str(_key_file(tmp_path, pyrage.x25519.Identity.generate(), "stranger.key")))
    assert code == 1 and "不是加密给这把密钥的" in err
    code, _, err = review()
    assert code == 1 and "没有可用的密钥" in err
