"""The grid member's list and the 联络表 on paper, read back: what a grid member sees, and what
must never be on a sheet that may end up on a wall (a full ID number, a phone number)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pypdf
import pytest

from app.domain.config import load_config_text
from app.domain.door import DoorConfig
from app.domain.records import Role, UserInfo
from app.services.desk import Desk
from printing.pdf.door import contacts_pdf, door_list_pdf
from tests.conftest import AGENT_PIN, HEAD_PIN
from tests.door.conftest import GRID_NAME, day, write_list
from tests.factories import CONFIG_PATH, ZHANG, ZHANG_WIFE
from tests.printing.pdftext import read_pdf

PAY_URL = "https://county.example/pay?c=341824"


def test_the_list_read_back_has_failed_debits_first_masked_ids_and_the_guidance(
        desk: Desk, grid: UserInfo, tmp_path: Path) -> None:
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    desk.door.import_debit_list(agent, write_list(tmp_path / "f.csv", [(ZHANG_WIFE.id_number, ZHANG_WIFE.name,
                                                                        "2026-11-19", "余额不足")]),
                                list_kind="failed", day=day("2026-11-20"))
    desk.door.record_reason(grid, ZHANG.id_number, 2027, "外出务工", note="电话 13800138000")
    desk.door.record_visit(grid, ZHANG.id_number, 2027, outcome="家人说13800138000可联系", next_step="电话联系")
    listing = desk.door.door_list(member=GRID_NAME, year=2027)
    door = DoorConfig(guidance="请通过微信小程序“税务社保缴费”缴费", pay_url=PAY_URL)
    data = door_list_pdf(listing, village="示范村", door=door)
    (tmp_path / "list.pdf").write_bytes(data)
    text = read_pdf(data).all.replace(" ", "")
    assert "请勿张贴" in text and "周网格" in text
    def masked(i: str) -> str:
        return i[:6] + "********" + i[-4:]

    assert text.index("扣款失败：请督促") < text.index(masked(ZHANG_WIFE.id_number)) < text.index("未缴费人员") \
        < text.index(masked(ZHANG.id_number))
    assert "扣款失败2026-11-19" in text and "外出务工" in text and "微信小程序" in text
    for person in listing.people:
        assert person.id_number not in text
        assert masked(person.id_number) in text
    assert "13800138000" not in text  # a phone typed into a visit is masked too
    # The QR on it, rendered as a printer would and scanned, leads to the county's payment entry.
    assert _decode_qr(tmp_path / "list.pdf", tmp_path) == PAY_URL


def _decode_qr(pdf: Path, tmp_path: Path) -> str:
    import cv2

    subprocess.run(["pdftoppm", "-png", "-r", "200", str(pdf), str(tmp_path / "page")], check=True)
    page = sorted(tmp_path.glob("page*.png"))[-1]
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(page)))
    return str(text)


def test_an_empty_list_says_everyone_paid(desk: Desk) -> None:
    listing = desk.door.door_list(member="没有人", year=2027)
    text = read_pdf(door_list_pdf(listing, village="示范村", door=DoorConfig())).all
    assert "逐一销号完毕" in text and "请勿张贴" in text


def test_the_contacts_sheet_lists_each_post(desk: Desk) -> None:
    head = desk.users.authenticate("王村长", HEAD_PIN, roles=(Role.HEAD,))
    desk.door.add_contact(head, post="village_leader", name="王村长", phone="13900001111")
    desk.door.add_contact(head, post="member", name="周网格", phone="13900002222")
    desk.door.add_contact(head, post="tax_member", name="刘税务", phone="0563-8100002", unit="城关税务分局")
    desk.door.add_contact(head, post="member", name="钱离任", phone="13900003333")
    desk.door.add_contact(head, post="member", name="钱离任", phone="13900003333", active=False)
    contacts = desk.door.contacts()
    assert [c.name for c in contacts] == ["王村长", "周网格", "刘税务"]
    text = read_pdf(contacts_pdf(contacts, county="绩溪县", township="城关镇", village="示范村")).all
    assert "网格化管理服务联络表" in text and "13900002222" in text and "城关税务分局" in text
    assert "钱离任" not in text
    with pytest.raises(Exception, match="职务"):
        desk.door.add_contact(head, post="boss", name="某人", phone="13900004444")


def test_a_configuration_without_the_door_key_journals_the_same_text() -> None:
    text = CONFIG_PATH.read_text(encoding="utf-8")
    config = load_config_text(text)
    assert config.door == DoorConfig() and "door" not in config.to_json()
    with_door = load_config_text(text[:text.rindex("}")] + ', "door": {"reasons": ["长期外出"], '
                                 f'"guidance": "扫码缴费", "pay_url": "{PAY_URL}"}}}}')
    assert with_door.door.all_reasons[-1] == "长期外出" and with_door.to_json()["door"]["pay_url"] == PAY_URL
    assert with_door.years == config.years


def test_a_release_ledgers_configuration_keeps_its_hash(tmp_path: Path) -> None:
    """The configuration journalled by a released program, read by this one, gives the same text."""
    import sqlite3

    from app.domain.canonical import canonical_json

    data = Path(__file__).resolve().parents[1] / "core" / "data" / "release-ledger.sqlite3"
    conn = sqlite3.connect(data)
    bodies = [r[0] for r in conn.execute("SELECT json_extract(body, '$.data.config') FROM journal WHERE kind = 'config'")]
    conn.close()
    assert bodies
    for old in bodies:
        assert canonical_json(load_config_text(old).to_json()) == old


def test_the_pdf_has_all_pages(desk: Desk) -> None:
    data = door_list_pdf(desk.door.door_list(year=2027), village="示范村", door=DoorConfig(pay_url=PAY_URL))
    assert len(pypdf.PdfReader(__import__("io").BytesIO(data)).pages) >= 1
