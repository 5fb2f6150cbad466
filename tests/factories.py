"""Builders for test data: valid ID numbers, rosters as counties write them, a fake clock."""

from __future__ import annotations

import csv
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.domain.ids import check_character

DEMO = Path(__file__).resolve().parent.parent / "resources" / "demo"
CONFIG_PATH = DEMO / "county-config.json"
ROSTER_COLUMNS = ["证件号码", "姓名", "险种", "缴费年度", "缴费档次", "人员类别", "村民小组", "户号",
                  "户主姓名", "联系电话", "缴费状态"]


def make_id(born: date, serial: int, *, region: str = "341824", male: bool = True) -> str:
    """A valid 18-character ID number; serial 0..99 picks the order code."""
    order = serial % 100 * 10 + (1 if male else 2)
    first = f"{region}{born:%Y%m%d}{order:03d}"
    return first + check_character(first)


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 11, 20, 9, 0)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)

    def next_day(self, hour: int = 9) -> None:
        self.now = (self.now + timedelta(days=1)).replace(hour=hour, minute=0, second=0)


@dataclass(frozen=True)
class Resident:
    id_number: str
    name: str
    category: str = "一般"
    group: str = "第一村民小组"
    household: str = "0001"
    pension_tier: int | None = 500
    paid_elsewhere: bool = False


def write_roster(path: Path, residents: list[Resident], year: int = 2027) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=ROSTER_COLUMNS)
        w.writeheader()
        for r in residents:
            base = {"证件号码": r.id_number, "姓名": r.name, "缴费年度": year, "人员类别": r.category,
                    "村民小组": r.group, "户号": r.household, "户主姓名": residents[0].name,
                    "联系电话": "", "缴费状态": ""}
            if r.pension_tier is not None:
                w.writerow(base | {"险种": "城乡居民基本养老保险", "缴费档次": r.pension_tier})
            w.writerow(base | {"险种": "城乡居民基本医疗保险", "缴费档次": "",
                               "缴费状态": "已缴" if r.paid_elsewhere else ""})
    return path


ZHANG = Resident(make_id(date(1980, 3, 1), 1), "张三丰", household="0001")
ZHANG_WIFE = Resident(make_id(date(1982, 7, 9), 2, male=False), "李秀英", household="0001")
ZHANG_MOTHER = Resident(make_id(date(1950, 1, 5), 3, male=False), "王䶮", category="低保",
                        household="0001", pension_tier=None)
AYGUL = Resident(make_id(date(1990, 5, 5), 4, male=False), "阿依古丽·买买提", household="0002",
                 group="第二村民小组")
POOR = Resident(make_id(date(1975, 2, 2), 5), "曾特困", category="特困", household="0003")
WECHAT = Resident(make_id(date(1985, 6, 6), 6), "单已缴", household="0004", paid_elsewhere=True)
VILLAGE = [ZHANG, ZHANG_WIFE, ZHANG_MOTHER, AYGUL, POOR, WECHAT]


def signed_agent(desk: Any, name: str = "李代收", pin: str = "1234") -> Any:
    """The village agent signed in (a roster import and every cash act need a checked PIN)."""
    return desk.users.authenticate(name, pin)


def edit_file(path: Path, *statements: str) -> None:
    """What an insider does with the sqlite3 shell: the statements run straight on the data file,
    each committed at once (a trigger dropped first where the edit needs it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()


def plain_backup(desk: Any, folder: Path) -> Path:
    """A village's backup copy in the clear, as a desk without keys (or before issue 26) wrote it:
    the review's tests read the ledger itself; tests/core/test_sealing.py covers the sealing."""
    from app.services.sealing import desk_identities, is_sealed, unseal

    made = desk.backups.write(folder).path
    if not is_sealed(made):
        return Path(made)
    plain = made.with_name(made.name.removesuffix(".age"))
    unseal(made, plain, desk_identities(desk.home))
    made.unlink()
    return plain


def county_ack(desk: Any, seq: int) -> None:
    """The county's signed acknowledgement that it holds this desk's journal up to `seq`, taken in
    as sync takes it (its signature checked, kept in the file and the keyring), from a county key
    made here: the desk is taken to have enrolled with that county."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from app.domain.signing import ack_signing_bytes
    from app.services.sync_state import Ack

    county = Ed25519PrivateKey.generate()
    public = county.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    device_id = desk.sync.device_id()
    desk.sync.update(server_public_key=base64.b64encode(public).decode(), device_id=device_id)
    digest, at = desk.sync.hash_at(seq), "2026-11-21T18:00:00"
    signature = county.sign(ack_signing_bytes(device_id, seq, digest, at))
    desk.sync.keep_ack(Ack(device_id, seq, digest, at, base64.b64encode(signature).decode()))
