"""Whether a data folder is the 培训模式 practice village (app/training.py makes one): a marker
file the real ledger never has. Here, below the services, so a receipt's print context and a
report can say 「培训」 without the services reaching up to the demo village."""

from __future__ import annotations

from pathlib import Path

TRAINING_DIR = "training"
MARKER = "TRAINING"  # the file that makes a data folder a practice one


def training_home(home: Path) -> Path:
    return Path(home) / TRAINING_DIR


def is_training(home: Path) -> bool:
    return (Path(home) / MARKER).is_file()
