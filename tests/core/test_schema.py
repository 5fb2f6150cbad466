"""The schema is frozen SQL per version: a fresh file, a file migrated from every older
version's fixture, and the rows app/storage writes all agree."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

import app.storage
from app.storage.db import SCHEMA_DIR, SCHEMA_VERSION, open_database

DATA = Path(__file__).parent / "data"
# One file saved by the program of each released schema version, oldest first.
FIXTURES = {**{n: DATA / f"v{n}-village.sqlite3" for n in range(1, 9)}, 9: DATA / "release-ledger.sqlite3"}
# Saved by the first program of schema v3 (d23d750), before ix_receipt_day_seq was added to
# v3.sql: a village that updated then has a v3 file without it (schema v11 makes it).
FIRST_V3 = DATA / "v3-first-village.sqlite3"


def _schema(path: Path) -> dict[tuple[str, str], str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                            "AND name NOT LIKE 'sqlite_%'").fetchall()
    finally:
        conn.close()
    return {(t, n): " ".join(sql.split()) for t, n, sql in rows}


def _fresh(tmp_path: Path) -> Path:
    path = tmp_path / "fresh" / "daishou.sqlite3"
    open_database(path)
    return path


def test_every_version_has_its_frozen_sql_file() -> None:
    files = sorted(SCHEMA_DIR.glob("v*.sql"), key=lambda p: int(p.stem[1:]))
    assert [int(p.stem[1:]) for p in files] == list(range(1, SCHEMA_VERSION + 1))


def test_a_migrated_file_has_exactly_the_schema_of_a_fresh_one(tmp_path: Path) -> None:
    fresh = _schema(_fresh(tmp_path))
    for version, fixture in [*FIXTURES.items(), (3, FIRST_V3)]:
        path = tmp_path / fixture.stem / "daishou.sqlite3"
        path.parent.mkdir()
        shutil.copy(fixture, path)
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (version,)
        open_database(path)
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        migrated = _schema(path)
        assert migrated.keys() == fresh.keys(), f"v{version}: objects differ"
        for key, sql in fresh.items():
            assert migrated[key] == sql, f"v{version}: {key} differs after migration"


_INSERT = re.compile(r"INSERT(?: OR \w+)? INTO (\w+) \(([^)]*)\)")


def _inserts() -> dict[str, set[frozenset[str]]]:
    """Every INSERT in app/storage: table -> the column lists it writes (string literals that
    Python joins are joined first)."""
    found: dict[str, set[frozenset[str]]] = {}
    for module in Path(app.storage.__file__).parent.glob("*.py"):
        text = re.sub(r'"\s*\n\s*f?"', "", module.read_text(encoding="utf-8"))
        for table, columns in _INSERT.findall(text):
            found.setdefault(table, set()).add(frozenset(c.strip() for c in columns.split(",")))
    return found


def test_the_rows_the_desk_writes_fit_the_newest_frozen_schema(tmp_path: Path) -> None:
    """Editing what storage writes without adding a schema version fails here, not in a village:
    every table the desk has is written, with columns the table has, and none it requires left out."""
    conn = sqlite3.connect(_fresh(tmp_path))
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        inserts = _inserts()
        assert set(inserts) == tables, "tables nothing writes, or writes to tables the schema lacks"
        for name, writes in inserts.items():
            info = conn.execute(f"PRAGMA table_info({name})").fetchall()
            have = {row[1] for row in info}
            # NOT NULL without a default, and not an INTEGER PRIMARY KEY SQLite fills itself
            required = {row[1] for row in info if row[3] and row[4] is None
                        and not (row[5] and row[2].upper() == "INTEGER")}
            for columns in writes:
                assert columns <= have, f"{name}: writes columns it does not have: {sorted(columns - have)}"
                assert required <= columns, f"{name}: leaves out required {sorted(required - columns)}"
    finally:
        conn.close()


def test_a_failed_step_leaves_the_file_at_its_old_version(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import app.storage.db as db

    path = tmp_path / "home" / "daishou.sqlite3"
    path.parent.mkdir()
    shutil.copy(FIXTURES[1], path)
    broken = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, broken)
    text = (broken / "v2.sql").read_text(encoding="utf-8")
    (broken / "v2.sql").write_text(text + "\nCREATE TABLE receipt (x INTEGER);\n", encoding="utf-8")
    monkeypatch.setattr(db, "SCHEMA_DIR", broken)
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        open_database(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name='refund_request'").fetchone() == (0,)
