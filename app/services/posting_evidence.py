"""The 公示's 佐证 (003 第四十三条): the village posts everyone's payment and gives the tax office
evidence that it did. The desk keeps each photo or scan of the posting beside the ledger
(evidence/, readable by its owner only) and journals its SHA-256 with the days the posting was up
and who recorded it; the entry goes to the county with the others (the server knows the kind
through app/domain/entries.py). Reading back says whether each kept copy is still the one
journalled. No schema change: the journal is the only record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.domain.entries import PostingEvidenceEntry
from app.domain.records import UserInfo
from app.services import kept_files
from app.services.errors import InvalidInput
from app.services.signoff import require_pin
from app.storage import journal
from app.storage.database import Clock, Database

MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Evidence(kept_files.KeptRecord):
    posted_from: date
    posted_to: date
    recorded_at: str


class PostingEvidence:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self.folder = db.home / "evidence"

    def list(self) -> list[Evidence]:
        with self._db.read() as conn:
            rows = journal.of_kind(conn, PostingEvidenceEntry)
        out = []
        for _seq, at, d in rows:
            path = self.folder / d.file
            out.append(Evidence(d.sha256, path, d.by, kept_files.intact(path, d.sha256),
                                date.fromisoformat(d.posted_from), date.fromisoformat(d.posted_to), at))
        return out

    def record(self, picture: Path, *, posted_from: date, posted_to: date, by: UserInfo) -> Evidence:
        require_pin(by)
        today = self._clock().date()
        if posted_from > today:
            raise InvalidInput(f"张贴日期 {posted_from.isoformat()} 在未来：拍下公示后再登记")
        if posted_to < posted_from:
            raise InvalidInput(f"公示结束日期 {posted_to.isoformat()} 早于张贴日期 {posted_from.isoformat()}")
        picture = Path(picture)
        kept = kept_files.keep(picture, self.folder, f"公示佐证-{posted_from.isoformat()}", max_bytes=MAX_BYTES,
                               unreadable="无法读取文件",
                               too_big=f"{picture.name} 超过 50 MB，请缩小照片或降低扫描分辨率后再登记",
                               not_a_kind=f"{picture.name} 不是照片（JPEG、PNG、TIFF）或 PDF 扫描件")
        now = self._clock()
        kept_files.journal_once(self._db, now, PostingEvidenceEntry(
            posted_from=posted_from.isoformat(), posted_to=posted_to.isoformat(), sha256=kept.sha256,
            bytes=kept.size, file=kept.name, by=by.name), twice=f"这张照片（{picture.name}）已经登记过")
        return Evidence(kept.sha256, self.folder / kept.name, by.name, True, posted_from, posted_to, now.isoformat())

