"""The button beside 生成本日公示 records the posting's photo (佐证) for the day shown, with the
county's 公示期, as a journal entry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt

from app.domain.entries import PostingEvidenceEntry
from app.storage import journal
from tests.gui.conftest import FakeFiles
from tests.gui.test_today_settle import open_screen


def test_the_photo_of_the_posting_is_recorded_from_f3(  # type: ignore[no-untyped-def]
        qtbot, window, clock, tmp_path: Path, errors) -> None:
    photo = tmp_path / "公示.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 32)
    view = open_screen(qtbot, window, Qt.Key.Key_F3)
    window.ctx.files = FakeFiles(open_=photo)
    view.evidence_button.click()
    qtbot.waitUntil(lambda: "已登记公示佐证" in view.message.text())
    day = clock().date()
    days = window.ctx.desk.setup.config.paper.posting_days
    assert f"公示期 {day.isoformat()} 至 {(day + timedelta(days=days - 1)).isoformat()}" in view.message.text()
    with window.ctx.desk.db.read() as conn:
        [(_seq, _at, entry)] = journal.of_kind(conn, PostingEvidenceEntry)
    assert (entry.posted_from, entry.by) == (day.isoformat(), window.ctx.user.name)
    view.evidence_button.click()  # the same photo again
    qtbot.waitUntil(lambda: "已经登记过" in view.message.text())
    assert not errors
