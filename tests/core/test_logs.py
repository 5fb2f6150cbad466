"""The desk's log (issue 26): in the data folder, rotating, the version first, and no full ID
or phone number in it, whatever logger or traceback they came through."""

from __future__ import annotations

import io
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.cli.common import Context
from app.logs import BACKUPS, current_log_path, log_path, start_logging, stop_desk_logging
from app.version import version
from tests.factories import ZHANG

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def stop_logging() -> Iterator[None]:
    yield
    stop_desk_logging()


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    return start_logging(tmp_path / "home")


def _flush() -> None:
    for h in logging.getLogger().handlers:
        h.flush()


def test_the_log_is_in_the_data_folder_and_starts_with_the_version(logged: Path, tmp_path: Path) -> None:
    assert logged == tmp_path / "home" / "logs" / "daishou.log" == current_log_path()
    _flush()
    first = logged.read_text(encoding="utf-8").splitlines()[0]
    assert f"daishou {version()} started" in first
    assert stat.S_IMODE(logged.stat().st_mode) == 0o600  # the log names villagers' receipts


def test_no_full_id_or_phone_reaches_the_file(logged: Path) -> None:
    log = logging.getLogger("app.services.receipts")
    log.info("收款 %s 电话 %s", ZHANG.id_number, PHONE)
    log.warning(f"lowercase x and spaced phone: {ZHANG.id_number[:17]}x, 139 1234 5678")
    try:
        raise ValueError(f"身份证号 {ZHANG.id_number} 不在清册中")
    except ValueError:
        logging.getLogger("somewhere.else").exception("failed for %s", PHONE)
    logging.getLogger("x").info("receipt 341824100201-01-000001 on 2026-11-20")
    _flush()
    text = logged.read_text(encoding="utf-8")
    assert ZHANG.id_number not in text and ZHANG.id_number[:17] not in text
    assert PHONE not in text and "139 1234 5678" not in text
    assert f"{ZHANG.id_number[:6]}********{ZHANG.id_number[-4:]}" in text  # still tells whose it was
    assert "139****5678" in text
    assert "Traceback" in text and "ValueError" in text  # the traceback is kept, masked
    assert "receipt 341824100201-01-000001 on 2026-11-20" in text  # what support asks for stays


def test_the_log_rotates(logged: Path) -> None:
    log = logging.getLogger("busy")
    for i in range(50_000):  # about 8 MB: more than the file and its five older copies hold
        log.info("line %05d %s", i, "x" * 120)
    _flush()
    files = sorted(p.name for p in logged.parent.iterdir())
    assert files == ["daishou.log", *[f"daishou.log.{n}" for n in range(1, BACKUPS + 1)]]
    assert all(p.stat().st_size <= 1_000_000 for p in logged.parent.iterdir())


def test_a_command_logs_to_its_data_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    err = io.StringIO()
    code = main(["--home", str(home), "init", "--village-code", "341824100201", "--village-name", "示范村",
                 "--township-code", "341824100", "--device-no", "1"],
                context=Context(stdout=io.StringIO(), stderr=err))
    assert code == 0, err.getvalue()
    _flush()
    assert f"daishou {version()} started" in log_path(home).read_text(encoding="utf-8")
