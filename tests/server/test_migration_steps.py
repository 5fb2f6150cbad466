"""Each Alembic revision builds, step by step, the schema it built when it was written: the
revisions are frozen, and the table shapes they share (sync/server/migrations/shapes.py) must
not drift under them. The expected schemas were recorded from the revisions as autogenerate
wrote them, before they were condensed into shapes; a changed helper or revision fails here.

Re-record (only for a new revision, never to accept a change to an old one):
    DAISHOU_RECORD_MIGRATION_STEPS=1 python -m pytest tests/server/test_migration_steps.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from sync.server.db import alembic_config, make_engine

RECORDED = Path(__file__).parent / "data" / "migration_steps.json"


def _schema(url: str) -> dict[str, Any]:
    """Every table's columns in order (type, nullable, default), key, unique groups and indexes."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            seen = inspect(conn)
            tables: dict[str, Any] = {}
            for name in sorted(seen.get_table_names()):
                if name == "alembic_version":
                    continue
                tables[name] = {
                    "columns": [[c["name"], str(c["type"]), c["nullable"], c.get("default")]
                                for c in seen.get_columns(name)],
                    "key": seen.get_pk_constraint(name)["constrained_columns"],
                    "unique": sorted(u["column_names"] for u in seen.get_unique_constraints(name)),
                    "indexes": sorted([i["name"], i["column_names"], bool(i["unique"])]
                                      for i in seen.get_indexes(name)),
                }
            return tables
    finally:
        engine.dispose()


def test_every_revision_builds_what_it_built_when_written(db_url: str) -> None:
    cfg = alembic_config(db_url)
    dialect = "sqlite" if "://" not in db_url else "postgresql"
    revisions = [s.revision for s in reversed(list(ScriptDirectory.from_config(cfg).walk_revisions()))]
    steps: dict[str, Any] = {}
    for revision in revisions:
        command.upgrade(cfg, revision)
        steps[revision] = _schema(db_url)
    for revision in reversed(revisions):  # each downgrade leaves the schema of the step before
        command.downgrade(cfg, "-1")
        below = revisions.index(revision) - 1
        assert _schema(db_url) == (steps[revisions[below]] if below >= 0 else {}), revision
    changes = _changes(steps)
    if os.environ.get("DAISHOU_RECORD_MIGRATION_STEPS"):
        recorded = json.loads(RECORDED.read_text()) if RECORDED.exists() else {}
        recorded[dialect] = changes
        RECORDED.write_text(_dumps(recorded))
    expected = json.loads(RECORDED.read_text())[dialect]
    assert list(changes) == list(expected)
    for revision in revisions:
        assert changes[revision] == expected[revision], revision


def _changes(steps: dict[str, Any]) -> dict[str, Any]:
    """Per revision, the tables it adds or changes (their whole shape) and drops (None)."""
    changes: dict[str, Any] = {}
    before: dict[str, Any] = {}
    for revision, tables in steps.items():
        changed = {name: shape for name, shape in tables.items() if before.get(name) != shape}
        changed.update({name: None for name in before if name not in tables})
        changes[revision] = changed
        before = tables
    return changes


def _dumps(recorded: dict[str, Any]) -> str:
    """One table a line, so that a reviewer reads which table a new revision touches."""
    lines = ["{"]
    for d, (dialect, changes) in enumerate(recorded.items()):
        lines.append(f" {json.dumps(dialect)}: {{")
        for r, (revision, tables) in enumerate(changes.items()):
            lines.append(f"  {json.dumps(revision)}: {{")
            rows = [f"   {json.dumps(name)}: {json.dumps(shape, ensure_ascii=False)}" for name, shape in tables.items()]
            lines.append(",\n".join(rows))
            lines.append("  }" + ("," if r < len(changes) - 1 else ""))
        lines.append(" }" + ("," if d < len(recorded) - 1 else ""))
    return "\n".join(lines + ["}"]) + "\n"
