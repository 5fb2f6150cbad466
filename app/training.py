"""培训模式 (003 第二十四条: training twice a year): practice on a separate village.

The practice village is the bundled demo village (app/demo.py) in its own data folder under the
data home (`<home>/training`), marked by a file the real ledger never has. Everything that looks
at a home asks `is_training`: the sync client refuses to enrol, sync or export it (nothing of it
reaches the county), and every receipt and paper printed from it says 「培训」.
"""

from __future__ import annotations

from pathlib import Path

from app.services.database import Clock, system_clock
from app.storage.training import MARKER, TRAINING_DIR, is_training, training_home

__all__ = ["LABEL", "MARKER", "REFUSAL", "TRAINING_DIR", "is_training", "prepare_training", "training_home"]

REFUSAL = "培训模式的练习数据不上传、不导出到县里：培训结束后请退出，用本村账本重新登录"
LABEL = "培训"


def prepare_training(home: Path, clock: Clock = system_clock) -> Path:
    """The practice village under `home`, made from the demo data the first time; its path.
    The marker is written before the village: a folder interrupted halfway is still a practice
    one, never mistaken for a real ledger."""
    from app.demo import prepare

    if is_training(home):  # already the practice village: never nest another inside it
        return Path(home)
    practice = training_home(home)
    practice.mkdir(parents=True, exist_ok=True)
    (practice / MARKER).write_text("培训用的练习数据（示范村），不是任何村的账本，不上传县里。\n", encoding="utf-8")
    prepare(practice, clock)
    return practice
