"""A township reviews a whole folder of its villages' files (issue 24): one row per village with
the check, the cash and the 疑点 by kind; each 疑点 answered (核实无误 / 已整改 / 移交, who, when,
a note) into a file for the county; a file that is no ledger is named and stops nothing."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from app.services.errors import InvalidInput
from app.services.township_review import ANSWERS_FORMAT, answer, answers_json, review_folder
from tests.gui.conftest import FakeClock
from tests.review.township_files import township_folder


def test_one_row_per_village_from_the_whole_folder(tmp_path: Path) -> None:
    clock = FakeClock()
    folder = township_folder(tmp_path, clock)
    found = review_folder(folder, as_of=clock().date(), seed="2468")
    assert [(v.village_code, v.village_name) for v in found.villages] == [
        ("341824100201", "示范村"), ("341824100202", "东山村")]
    one, two = found.villages
    assert one.ok and one.check_text == "完好（1 台设备）"
    assert (one.total("collected_fen"), one.total("settled_fen")) == (40000, 40000)
    assert one.flags_by_kind() == {"作废": 1}
    # 东山村: of its two copies the newer (both receipts and the settlement) is the one reviewed
    assert len(two.files) == 1 and len(two.files[0].review.receipts) == 2
    assert (two.total("collected_fen"), two.total("settled_fen")) == (80000, 70000)
    assert two.flags_by_kind()["日结差额"] == 1
    assert [name for name, _why in found.unreadable] == ["notes.sqlite3"]
    assert "不是代收账本文件" in found.unreadable[0][1]


def test_answers_go_to_a_file_for_the_county(tmp_path: Path) -> None:
    clock = FakeClock()
    found = review_folder(township_folder(tmp_path, clock), as_of=clock().date(), seed="2468")
    at = datetime(2026, 11, 28, 10, 0)
    [(f1, void)] = found.villages[0].flags()
    difference = next((f, flag) for f, flag in found.villages[1].flags() if flag.code == "difference")
    with pytest.raises(InvalidInput, match="须写明说明"):
        answer(*difference, "已整改", by="赵审核", at=at)
    with pytest.raises(InvalidInput, match="答复应为"):
        answer(f1, void, "没问题", by="赵审核", at=at)
    answers = [answer(f1, void, "核实无误", by="赵审核", at=at, note="调取原始收据核对，确系收错人后当场作废"),
               answer(*difference, "已整改", by="赵审核", at=at, note="代收员已补交100元，见补交收据")]
    text = answers_json(found, answers, reviewer="赵审核", made_at=at)
    data = json.loads(text)
    assert data["format"] == ANSWERS_FORMAT and data["seed"] == "2468" and data["reviewer"] == "赵审核"
    assert [(a["village_code"], a["code"], a["verdict"]) for a in data["answers"]] == [
        ("341824100201", "void", "核实无误"), ("341824100202", "difference", "已整改")]
    assert data["answers"][1]["note"] == "代收员已补交100元，见补交收据" and data["answers"][0]["at"] == at.isoformat()
    assert data["answers"][0]["seq"] == void.seq and data["answers"][0]["reason"] == void.reason


def test_a_folder_with_no_ledger_says_so(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="没有村账本文件"):
        review_folder(tmp_path, as_of=FakeClock()().date(), seed="1")


def test_a_usb_upload_file_is_listed_for_the_county_not_reviewed(tmp_path: Path) -> None:
    """It holds only the entries since the county's last acknowledgement: no check or total of
    the village can be made from it, and the row says so instead of showing zeros as if checked."""
    clock = FakeClock()
    folder = township_folder(tmp_path, clock)
    (folder / "daishou-341824100203-01-upload.json").write_text(
        json.dumps({"format": "daishou-usb/1", "batches": [{"device_id": "341824100203-01", "entries": []}]}),
        encoding="utf-8")
    (folder / "other.json").write_text("{}", encoding="utf-8")
    found = review_folder(folder, as_of=clock().date(), seed="2468")
    usb = next(v for v in found.villages if v.village_code == "341824100203")
    assert not usb.ok and usb.files == [] and usb.check_text.startswith("未审核：U盘上传文件只含上次同步后的记录")
    assert ("other.json", "不是代收的U盘上传文件") in found.unreadable


def test_sealed_copies_in_the_folder_open_with_the_townships_key(tmp_path: Path) -> None:
    """A desk seals its copies to the township's key (issue 26): the folder review opens them
    with that key, and without it names each file it could not open instead of skipping it."""
    import pyrage

    from app.domain.records import Role
    from app.services.desk import Desk
    from app.services.sealing import is_sealed
    from tests.factories import CONFIG_PATH
    from tests.gui.conftest import HEAD, HEAD_PIN, make_demo_home

    clock = FakeClock()
    township = pyrage.x25519.Identity.generate()
    folder = tmp_path / "usb"
    make_demo_home(tmp_path / "home", clock)
    with Desk(tmp_path / "home", clock=clock) as desk:
        data = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
        data["recipients"] = {"township": str(township.to_public())}
        desk.setup.import_config(json.dumps(data, ensure_ascii=False),
                                 by=desk.users.authenticate(HEAD, HEAD_PIN, roles=(Role.HEAD,)))
        sealed = desk.backups.write(folder).path
    assert is_sealed(sealed)
    opened = review_folder(folder, as_of=clock().date(), seed="2468", identities=[township])
    assert [v.village_code for v in opened.villages] == ["341824100201"] and not opened.unreadable
    shut = review_folder(folder, as_of=clock().date(), seed="2468")
    assert not shut.villages and [name for name, _why in shut.unreadable] == [sealed.name]
