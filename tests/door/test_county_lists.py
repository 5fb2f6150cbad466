"""A tax office list that comes down from the county goes through the same row rule as the file a
desk loads itself, and only this year's collection window's failures count for this year's list."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain.records import UserInfo
from app.domain.signing import county_signing_bytes
from app.services.desk import Desk
from app.services.door import county_list_payload
from tests.conftest import AGENT_PIN
from tests.door.conftest import day, write_list
from tests.factories import ZHANG, ZHANG_MOTHER, ZHANG_WIFE, FakeClock

ROWS = [(ZHANG_WIFE.id_number, ZHANG_WIFE.name, "2026-11-19", "余额不足"),
        (ZHANG.id_number[:-1] + ("0" if ZHANG.id_number[-1] != "0" else "1"), "错号码", "2026-11-19", ""),
        ("110101199003070011", "外村人", "", ""),
        (ZHANG_WIFE.id_number, ZHANG_WIFE.name, "2026-11-18", "重复"),
        (ZHANG_MOTHER.id_number, ZHANG_MOTHER.name, "2026-11-30", "")]


def _as_county(desk: Desk) -> Ed25519PrivateKey:
    """This desk enrolled with a county whose key the test holds (what enrolment leaves behind)."""
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    desk.sync.update(server_public_key=base64.b64encode(raw).decode(), device_id="341824100201-01")
    return key


def test_the_county_rows_and_the_file_rows_meet_one_rule(desk: Desk, grid: UserInfo, tmp_path: Path) -> None:
    key = _as_county(desk)
    marks = [{"id_number": i, "name": n, "on_day": d, "detail": x} for i, n, d, x in ROWS]
    payload = county_list_payload(7, "failed", "2026-11-20", "扣款失败.csv", "a" * 64, marks)
    signature = base64.b64encode(key.sign(county_signing_bytes("debit_list", "341824100201-01", payload))).decode()
    taken, refused = desk.door.import_county_list(7, list_kind="failed", day="2026-11-20", file="扣款失败.csv",
                                                  sha256="a" * 64, marks=marks, signature=signature)
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    file_taken, file_refused = desk.door.import_debit_list(agent, write_list(tmp_path / "f.csv", ROWS),
                                                           list_kind="failed", day=day("2026-11-20"))
    # The same reasons (a file's row numbers start under its title and header: +2).
    assert taken == file_taken == 1
    assert [(r.row + 2, r.column, r.reason) for r in refused] == [(r.row, r.column, r.reason) for r in file_refused]
    assert [r.column for r in refused] == ["身份证号", "身份证号", "身份证号", "扣款日期"]
    assert "不在本村征收清册中" in refused[1].reason and "重复" in refused[2].reason
    # Held once: the same list again (a sync repeated) adds nothing.
    assert desk.door.import_county_list(7, list_kind="failed", day="2026-11-20", file="扣款失败.csv",
                                        sha256="a" * 64, marks=marks, signature=signature) == (0, ())
    assert desk.verify().ok


def test_last_years_failures_do_not_count_for_this_year(
        desk: Desk, grid: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    """A failure of the 2026 collection (window 2025-09-01 – 2026-06-30) neither puts the person first
    on the 2027 list nor moves them to the other channels."""
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    desk.door.import_debit_list(agent, write_list(tmp_path / "old.csv", [(ZHANG.id_number, ZHANG.name, "2026-05-10",
                                                                         "余额不足")]),
                                list_kind="failed", day=day("2026-11-20"))
    person = next(p for p in desk.door.door_list(year=2027).people if p.id_number == ZHANG.id_number)
    assert (person.section, person.debit) == (1, "")
    desk.door.import_debit_list(agent, write_list(tmp_path / "new.csv", [(ZHANG.id_number, ZHANG.name, "2026-11-19",
                                                                         "余额不足")]),
                                list_kind="failed", day=day("2026-11-20"))
    person = next(p for p in desk.door.door_list(year=2027).people if p.id_number == ZHANG.id_number)
    assert (person.section, person.debit) == (0, "扣款失败 2026-11-19")
    clock.advance(days=29)  # 12-19: thirty days after 11-19 (the May failure would have moved them in June)
    person = next(p for p in desk.door.door_list(year=2027).people if p.id_number == ZHANG.id_number)
    assert person.section == 2
