"""The township's 《两险批量扣款清册》 (003 第二十六条) from its villages' ledger copies, made by the
command line and read back with pdftotext: full ID numbers, 「内部资料 请勿张贴」 on every page, the
signature and seal boxes, and totals equal to a count by hand."""

from __future__ import annotations

import io
import json
import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from app.cli.common import Context
from app.domain.insurance import Insurance
from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.receipts import LineRequest
from tests.conftest import AGENT_PIN, set_up_village
from tests.door.conftest import day, write_list
from tests.factories import (
    AYGUL,
    CONFIG_PATH,
    POOR,
    WECHAT,
    ZHANG,
    ZHANG_MOTHER,
    ZHANG_WIFE,
    FakeClock,
    Resident,
    make_id,
    plain_backup,
)

NEIGHBOUR = Resident(make_id(date(1970, 4, 4), 7), "赵邻村")


@pytest.fixture
def neighbour_desk(tmp_path: Path, clock: FakeClock) -> Iterator[Desk]:
    """A second village of the same township, which never received an agreement list."""
    other = set_up_village(Desk(tmp_path / "home2", clock=clock), tmp_path, code="341824100202", name="邻村",
                           agent="钱代收", head=False, people=[NEIGHBOUR])
    yield other
    other.close()


def test_the_register_read_back_equals_a_hand_count(desk: Desk, grid: UserInfo, neighbour_desk: Desk,
                                                    tmp_path: Path) -> None:
    agent = desk.users.authenticate("李代收", AGENT_PIN)
    desk.door.import_debit_list(agent, write_list(tmp_path / "a.csv", [(POOR.id_number, POOR.name, "", "")]),
                                list_kind="no_agreement", day=day("2026-11-20"))
    desk.door.import_debit_list(agent, write_list(tmp_path / "r.csv", [(AYGUL.id_number, AYGUL.name, "", "")]),
                                list_kind="resign", day=day("2026-11-20"))
    desk.receipts.record(agent, [LineRequest(ZHANG.id_number, Insurance.MEDICAL, 2027)], cash_fen=40000)
    folder = tmp_path / "township"
    folder.mkdir()
    plain_backup(desk, folder)
    plain_backup(neighbour_desk, folder)
    (folder / "notes.sqlite3").write_bytes(b"not a ledger at all")  # named on the sheet, not skipped silently

    out = tmp_path / "清册.pdf"
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(["--home", str(tmp_path / "township-pc"), "report", "debit-register", "--folder", str(folder),
                 "--year", "2027", "--date", "2026-11-25", "--out", str(out), "--json"],
                context=Context(stdin=io.StringIO(""), stdout=stdout, stderr=stderr))
    assert code == 0, stderr.getvalue()
    summary = json.loads(stdout.getvalue())

    # By hand (2027: medical 400, the roster's pension tier 500; 低保 pays 400-280 medical, 特困 500-200
    # pension and no medical): 张三丰 paid his medical in cash -> 500; 李秀英 500+400; 王䶮 (低保, no
    # pension) 120; 单已缴 paid medical by WeChat -> 500; 邻村's 赵邻村 500+400. Left out: 曾特困 (no
    # agreement), 阿依古丽 (to re-sign).
    expected = {ZHANG.id_number: 500, ZHANG_WIFE.id_number: 900, ZHANG_MOTHER.id_number: 400 - 280,
                WECHAT.id_number: 500, NEIGHBOUR.id_number: 900}
    assert (summary["people"], summary["total_fen"]) == (5, sum(expected.values()) * 100)
    assert summary["left_out"] == {"未签两两协议": 1, "需重签协议或换卡": 1}

    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")[:-1]
    assert all("内部资料 请勿张贴" in page for page in pages)
    assert "《绩溪县两险批量扣款清册》（内部资料 请勿张贴）" in text
    rows = {m.group(1): m.group(2) for m in re.finditer(r"(\d{17}[\dX])\s+\S+\s+\S+\s+([\d,]+\.\d\d)\s*$", text,
                                                        re.MULTILINE)}
    assert {k: float(v.replace(",", "")) for k, v in rows.items()} == {k: float(v) for k, v in expected.items()}
    assert POOR.id_number not in text and AYGUL.id_number not in text
    total = re.search(r"合计\s+5\s*人\s+([\d,]+\.\d\d)", text)
    assert total is not None and total.group(1) == "2,920.00"
    flat = re.sub(r"\s+", "", text)
    assert "符合批量扣款条件的居民共5人，缴费金额合计￥2,920.00（大写：贰仟玖佰贰拾元整）" in flat
    assert re.search(r"一般\s+4\s+2,800\.00", text) and re.search(r"低保\s+1\s+120\.00", text)
    assert "未签两两协议1人，需重签协议或换卡1人" in flat
    for box in ("经办人（签字）", "审核人：主要领导（签字）", "乡（镇）人民政府（盖章）"):
        assert box in text
    assert "邻村尚未收到税务的未签两两协议名单" in flat
    assert "乡镇：341824100" in text
    assert "以下文件未能读取，其中的村未列入本清册：notes.sqlite3" in flat


def test_a_folder_of_two_townships_is_refused(desk: Desk, tmp_path: Path, clock: FakeClock) -> None:
    other = Desk(tmp_path / "home3", clock=clock)
    try:
        other.setup.init(village_code="341824200101", village_name="外乡村", township_code="341824200", device_no=1)
        other.setup.import_config(CONFIG_PATH.read_text(encoding="utf-8"))
        folder = tmp_path / "mixed"
        folder.mkdir()
        plain_backup(desk, folder)
        plain_backup(other, folder)
    finally:
        other.close()
    from app.services.debit_register import compile_register
    from app.services.errors import InvalidInput

    with pytest.raises(InvalidInput, match="不同乡镇"):
        compile_register(folder, year=2027, as_of=day("2026-11-25"))
