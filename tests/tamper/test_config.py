"""The county configuration decides every amount due. It is journalled at each import (with its
hash), so an insider who raises the medical amount in the file, takes the higher amount without
an override reason, and puts the configuration back is caught by `verify`; so is a configuration
or device identity left changed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.domain.canonical import canonical_json
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import AuthError, Refused
from tests.core.test_receipts import med
from tests.factories import ZHANG, ZHANG_WIFE, signed_agent


def _set_config(desk: Desk, value: str) -> None:
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    conn.execute("UPDATE setting SET value = ? WHERE key = 'county_config'", (value,))
    conn.close()


def test_raising_the_medical_amount_taking_more_and_restoring_is_caught(desk: Desk, agent: UserInfo) -> None:
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    honest = desk.setup.get_setting("county_config")
    assert honest is not None
    raised = json.loads(honest)
    raised["years"]["2027"]["medical_yuan"] = 500
    _set_config(desk, canonical_json(raised))
    cheat = Desk(desk.home, clock=desk.clock)  # a fresh start reads the raised amount
    taken = cheat.receipts.record(cheat.users.authenticate("李代收", "1234"), [med(ZHANG_WIFE)],
                                  cash_fen=50000)
    assert taken.total_fen == 50000 and taken.override_reason is None
    cheat.close()
    _set_config(desk, honest)  # and the configuration put back as it was
    result = desk.verify()
    assert not result.ok
    assert f"收据 {taken.number}" in (result.reason or "") and "高于县里规定的 40000 分" in (result.reason or "")


def test_a_configuration_left_changed_is_caught(desk: Desk) -> None:
    raised = json.loads(desk.setup.get_setting("county_config") or "{}")
    raised["years"]["2027"]["medical_yuan"] = 500
    _set_config(desk, canonical_json(raised))
    result = desk.verify()
    assert not result.ok and "县级配置与日志第" in (result.reason or "")


def test_the_device_identity_changed_in_the_file_is_caught(desk: Desk) -> None:
    conn = sqlite3.connect(desk.db.path, isolation_level=None)
    conn.execute("UPDATE device SET device_no = 2")
    conn.close()
    result = desk.verify()
    assert not result.ok and "本机身份" in (result.reason or "")


def test_a_new_configuration_needs_the_heads_pin_and_keeps_verify_whole(
        desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    text = desk.setup.get_setting("county_config") or ""
    newer = json.loads(text)
    newer["years"]["2027"]["medical_yuan"] = 420
    for who in (None, agent, desk.users.get("王村长")):  # nobody, the agent, the head unsigned
        with pytest.raises((Refused, AuthError)):
            desk.setup.import_config(json.dumps(newer, ensure_ascii=False), by=who)
    assert desk.setup.config.year(2027).medical_fen == 40000
    desk.setup.import_config(json.dumps(newer, ensure_ascii=False), by=head)
    assert desk.setup.config.year(2027).medical_fen == 42000
    assert desk.verify().ok


def test_each_roster_version_is_journalled_with_the_files_hash(desk: Desk, tmp_path: Path) -> None:
    import hashlib

    from tests.factories import VILLAGE, write_roster

    roster = write_roster(tmp_path / "again.csv", VILLAGE[:3])
    desk.roster.import_file(roster, by=signed_agent(desk), allow_removals=True)
    with desk.db.read() as conn:
        body = conn.execute(
            "SELECT body FROM journal WHERE kind = 'roster' ORDER BY seq DESC LIMIT 1").fetchone()[0]
    entry = json.loads(body)["data"]
    assert entry["sha256"] == hashlib.sha256(roster.read_bytes()).hexdigest()
    assert (entry["file"], entry["removed"]) == ("again.csv", 3)  # the three left out are marked removed
    assert desk.verify().ok
