"""An update over a village's data folder (issue 26): an older program, taken from git, writes a
village with a few settled days; this program opens it, migrates with a backup first, verifies,
and goes on numbering where the old one stopped (nothing renumbered, no receipt number twice).

Two older programs: the previous commit (what a village has the day an update goes out), and
the commit before the newest schema step (so the migration itself runs on a file a real older
program wrote, Electrum's habit of testing converters on files old releases saved)."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest

from app.services.desk import Desk
from app.storage.db import SCHEMA_VERSION, user_version
from tests.factories import CONFIG_PATH, VILLAGE, ZHANG, ZHANG_MOTHER, ZHANG_WIFE, write_roster

ROOT = Path(__file__).resolve().parents[2]
RUN_OLD = """
import datetime, sys
sys.path.insert(0, sys.argv[1])
from app.cli import main
from app.cli.common import Context
now = datetime.datetime.fromisoformat(sys.argv[2])
sys.exit(main(sys.argv[3:], context=Context(clock=lambda: now)))
"""


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT, check=True).stdout.strip()


def _ref(which: str) -> str:
    try:
        if which == "previous commit":
            return _git("rev-parse", "HEAD~1")
        newest = ROOT / "app" / "storage" / "schema" / f"v{SCHEMA_VERSION}.sql"
        added = _git("log", "-n1", "--format=%H", "--diff-filter=A", "--", str(newest.relative_to(ROOT)))
        return _git("rev-parse", f"{added}^")
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        pytest.skip(f"this checkout has no git history to take the older program from ({exc})")


def _old_program(ref: str, into: Path) -> Path:
    """The older program's source (app/ and resources/) exactly as it was committed."""
    archive = subprocess.run(["git", "archive", "--format=tar", ref, "app", "resources"], capture_output=True,
                             cwd=ROOT, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


class Old:
    def __init__(self, source: Path, home: Path) -> None:
        self.source, self.home = source, home

    def __call__(self, at: str, *argv: str, stdin: str = "") -> dict[str, object] | list[object]:
        proc = subprocess.run([sys.executable, "-c", RUN_OLD, str(self.source), at, "--home", str(self.home),
                               *argv, "--json"], input=stdin, capture_output=True, text=True, cwd=self.source)
        assert proc.returncode == 0, f"{argv}: {proc.stderr}"
        return json.loads(proc.stdout) if proc.stdout.strip() else {}


def old_village(which: str, tmp_path: Path) -> tuple[Path, list[str], int]:
    """A village written by the older program: its data folder, its receipt numbers, its schema
    version. Three days, each with a receipt and its settlement (tests/bundle runs the bundled
    program on it too)."""
    ref = _ref(which)
    old = Old(_old_program(ref, tmp_path / "old"), tmp_path / "village")
    old("2026-11-19T08:00:00", "init", "--village-code", "341824100201", "--village-name", "示范村",
        "--township-code", "341824100", "--device-no", "1")
    old("2026-11-19T08:00:00", "user", "add", "--name", "李代收", "--role", "agent", stdin="1234\n")
    old("2026-11-19T08:00:00", "user", "add", "--name", "王村长", "--role", "head", stdin="567890\n")
    old("2026-11-19T08:00:00", "config", "import", str(CONFIG_PATH), "--by", "王村长", stdin="567890\n")
    old("2026-11-19T08:00:00", "roster", "import", str(write_roster(tmp_path / "r.csv", VILLAGE)),
        "--by", "李代收", stdin="1234\n")
    # 王䶮 is 低保: she pays 120 of the 400 (the county pays the rest).
    for day, person, cash in (("2026-11-20", ZHANG, "400"), ("2026-11-21", ZHANG_WIFE, "400"),
                              ("2026-11-22", ZHANG_MOTHER, "120")):
        old(f"{day}T09:30:00", "receipt", "record", "--agent", "李代收", "--line", f"{person.id_number}:medical:2027",
            "--cash", cash, stdin="1234\n")
        old(f"{day}T17:00:00", "settle", "--date", day, "--counted", cash, "--agent", "李代收", "--head", "王村长",
            stdin="1234\n567890\n")
    numbers = [str(r["number"]) for day in ("2026-11-20", "2026-11-21", "2026-11-22")  # type: ignore[index]
               for r in old(f"{day}T18:00:00", "receipt", "list", "--date", day)]  # type: ignore[union-attr]
    assert len(numbers) == 3
    return tmp_path / "village", numbers, user_version(tmp_path / "village" / "daishou.sqlite3")


@pytest.mark.slow
@pytest.mark.parametrize("which", ["previous commit", "before the newest schema step"])
def test_a_village_written_by_the_older_program_opens_migrated_and_numbering_goes_on(which: str,
                                                                                     tmp_path: Path) -> None:
    _, before, written = old_village(which, tmp_path)
    if which == "before the newest schema step":
        assert written == SCHEMA_VERSION - 1  # so the newest migration step really runs below

    with Desk(tmp_path / "village") as desk:  # this program: migrates (with a backup) on opening
        assert user_version(desk.db.path) == SCHEMA_VERSION
        if written < SCHEMA_VERSION:
            backups = sorted((desk.home / "backups").glob(f"daishou-v{written}-*.sqlite3"))
            assert backups, f"no backup of the v{written} file before migrating"
            assert user_version(backups[0]) == written
        assert desk.verify().ok, desk.verify().reason
        assert sorted(r.number for r in desk.receipts.list()) == sorted(before)  # nothing renumbered
        agent = desk.users.authenticate("李代收", "1234")
        from tests.core.test_receipts import med
        from tests.factories import AYGUL

        after = desk.receipts.record(agent, [med(AYGUL)], cash_fen=40000)
        assert after.number == "341824100201-01-000004"  # goes on from the old program's last number
        assert desk.verify().ok
