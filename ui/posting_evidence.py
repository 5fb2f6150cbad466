"""The button beside 生成本日公示: record the posting's 佐证 (003 第四十三条), a photo or scan of
the 公示 on the wall. The posting went up on the day shown and stays the county's 公示期
(paper.posting_days); the photo is journalled by app/services/posting_evidence.py."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QPushButton

from app.services.posting_evidence import Evidence, PostingEvidence
from ui.file_dialogs import Kind
from ui.typed_qt import named

if TYPE_CHECKING:
    from ui.today_view import TodayView

PHOTO_FILTER = "公示照片或扫描件 (*.jpg *.jpeg *.png *.tif *.tiff *.pdf)"


def evidence_button(view: TodayView) -> QPushButton:
    button: QPushButton = named(QPushButton("登记公示佐证（照片）"), "postingEvidenceButton")
    button.clicked.connect(lambda: record_evidence(view))
    return button


def record_evidence(view: TodayView, path: Path | None = None) -> None:
    """Pick the photo (unless given), then journal it with the posting's days."""
    ctx = view.ctx
    if path is None:
        path = ctx.files.open_path(view, "选择公示照片或扫描件", PHOTO_FILTER, kind=Kind.SCAN)
        if path is None:
            return
    desk, by, start = ctx.desk, ctx.user, view.shown_day
    end = start + timedelta(days=desk.setup.config.paper.posting_days - 1)
    chosen = Path(path)

    def done(found: Evidence) -> None:
        view.message.say(f"已登记公示佐证 {chosen.name}：公示期 {found.posted_from.isoformat()} 至 "
                         f"{found.posted_to.isoformat()}，同步时报县里", ok=True)

    ctx.tasks.run(lambda: PostingEvidence(desk.db, desk.clock).record(chosen, posted_from=start, posted_to=end, by=by),
                  done, on_error=view._refused)
