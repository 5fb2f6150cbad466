"""Township review of a village's ledger file (the copy a desk writes to the USB stick after
each settlement): the file is checked like `verify` does, then flagged and sampled
(app/domain/review.py). The file is only read: opened read-only, never migrated."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from app.domain.records import Device
from app.domain.review import LedgerReview, ReceiptRow, new_seed, review_entries
from app.services import sealing
from app.services.errors import InvalidInput
from app.storage import journal
from app.storage import settings as store
from app.storage.verify import VerifyResult, verify_database


@dataclass(frozen=True)
class FileReview:
    path: Path
    device: Device
    check: VerifyResult  # the file's own check: a review of a file that fails it says so first
    review: LedgerReview
    seed: str
    sample: list[ReceiptRow]
    as_of: date

    def with_seed(self, seed: str) -> FileReview:
        """The same review with the sample drawn from another seed (a reviewer typing the seed
        printed on an earlier report draws that report's sample again)."""
        seed = checked_seed(seed)
        return replace(self, seed=seed, sample=self.review.sample(seed))

    def to_json(self) -> dict[str, Any]:
        # The file's own device names the village: the review's copy comes from the first receipt
        # and is empty for a file with none.
        return {"file": str(self.path), **self.review.to_json(), "village_code": self.device.village_code,
                "village_name": self.device.village_name, "township_code": self.device.township_code,
                "device_no": self.device.device_no, "as_of": self.as_of.isoformat(),
                "check": self.check.to_json(), "seed": self.seed,
                "sample": [r.to_json() for r in self.sample]}


def review_file(path: Path, *, as_of: date, seed: str | None = None,
                identities: Sequence[Any] = ()) -> FileReview:
    """A village's file; a sealed one (`.age`) is opened with `identities` (the township's key
    file, app/services/sealing.py) into a private temporary folder removed afterwards."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"找不到账本文件 {path}")
    if sealing.is_sealed(path):
        with tempfile.TemporaryDirectory(prefix="daishou-review-") as scratch, \
                sealing.opened(path, identities, Path(scratch)) as plain:
            return replace(review_file(plain, as_of=as_of, seed=seed), path=path)
    seed = checked_seed(seed or new_seed())
    with read_copy(path, path.name, where=str(path)) as conn:
        device = store.device(conn)
        rows = journal.entries(conn)
    if device is None:
        raise InvalidInput(f"{path.name} 是尚未初始化的账本，没有村代码和设备号")
    check = verify_database(path)
    review = review_entries(rows, as_of=as_of)
    return FileReview(path, device, check, review, seed, review.sample(seed), as_of)


@contextmanager
def read_copy(path: Path, name: str, *, where: str | None = None) -> Iterator[sqlite3.Connection]:
    """A village's ledger file (or the plain copy of a sealed one) opened read-only for the
    block: a file that will not open, or is not a ledger, is refused by its `name` (`where` for
    one that will not open, when the full path says more)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InvalidInput(f"无法打开账本文件 {where or name}：{exc}") from None
    try:
        yield conn
    except sqlite3.DatabaseError:
        raise InvalidInput(f"{name} 不是代收账本文件（或已损坏）：请选择村里备份的 daishou-….sqlite3") from None
    finally:
        conn.close()


def checked_seed(seed: str) -> str:
    seed = seed.strip()
    if not seed or len(seed) > 40:
        raise InvalidInput("抽查种子：应为 1–40 个字符（重新抽查时输入报告上的种子）")
    return seed
