"""The 公示's 佐证 (003 第四十三条): a photo of the posting with its dates, journalled with its
SHA-256 and who recorded it, kept beside the ledger, and sent to the county like every entry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import InvalidInput, Refused
from app.services.posting_evidence import PostingEvidence
from sync.server import models as m
from tests.core.test_receipts import med
from tests.factories import ZHANG, FakeClock
from tests.server.conftest import Server
from tests.server.test_sync_flow import enrol

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_the_posting_photo_is_journalled_and_reaches_the_county(
        server: Server, desk: Desk, agent: UserInfo, head: UserInfo, clock: FakeClock, tmp_path: Path) -> None:
    client = enrol(desk, server)
    desk.receipts.record(agent, [med(ZHANG)], cash_fen=40000)
    desk.settlements.settle(clock().date(), agent=agent, head=head, counted_fen=40000)
    photo = tmp_path / "公示照片.png"
    photo.write_bytes(PNG)
    evidence = PostingEvidence(desk.db, desk.clock)
    kept = evidence.record(photo, posted_from=date(2026, 11, 20), posted_to=date(2026, 11, 26), by=agent)
    assert kept.path.read_bytes() == PNG and kept.path.parent == desk.home / "evidence"
    with pytest.raises(Refused, match="已经登记过"):
        evidence.record(photo, posted_from=date(2026, 11, 20), posted_to=date(2026, 11, 26), by=agent)
    assert desk.verify().ok
    client.run()
    with server.session() as s:
        held = s.exec(select(m.Entry).where(m.Entry.kind == "posting_evidence")).all()
    assert len(held) == 1 and kept.sha256 in held[0].body and '"posted_to":"2026-11-26"' in held[0].body
    assert agent.name in held[0].body
    # the kept copy swapped afterwards no longer matches the journal
    kept.path.write_bytes(PNG + b"edited")
    assert [e.intact for e in evidence.list()] == [False]


def test_what_is_not_a_photo_or_has_wrong_dates_is_refused(desk: Desk, agent: UserInfo, tmp_path: Path) -> None:
    evidence = PostingEvidence(desk.db, desk.clock)
    text = tmp_path / "notes.txt"
    text.write_text("不是照片", encoding="utf-8")
    with pytest.raises(InvalidInput, match="不是照片"):
        evidence.record(text, posted_from=date(2026, 11, 20), posted_to=date(2026, 11, 26), by=agent)
    photo = tmp_path / "p.png"
    photo.write_bytes(PNG)
    with pytest.raises(InvalidInput, match="在未来"):
        evidence.record(photo, posted_from=date(2026, 12, 1), posted_to=date(2026, 12, 7), by=agent)
    with pytest.raises(InvalidInput, match="早于张贴日期"):
        evidence.record(photo, posted_from=date(2026, 11, 20), posted_to=date(2026, 11, 19), by=agent)
    assert evidence.list() == [] and not (desk.home / "evidence").exists()
