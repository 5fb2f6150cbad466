"""The Alembic revisions build exactly the tables models.py declares: a model changed without a
new revision (or a revision that drifts from the models) fails here, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.types import TypeDecorator

import sync.server.app  # noqa: F401  the app imports every module that declares a table (answers, debit lists, open state)
from sync.server.db import make_engine, migrate
from sync.server.models import ServerModel


def _compare_type(_context: Any, _inspected: Any, _declared: Any, inspected_type: Any, declared_type: Any) -> bool | None:
    """A type decorator (a UTC-aware datetime) is stored as its underlying type: compare that."""
    if isinstance(declared_type, TypeDecorator):
        return not isinstance(inspected_type, type(declared_type.impl_instance))
    return None  # Alembic's own comparison


def test_the_migrated_database_is_what_the_models_declare(db_url: str) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": _compare_type})
            differences = compare_metadata(context, ServerModel.metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert differences == []
    assert set(ServerModel.metadata.tables) <= tables


def test_a_model_the_migrations_lack_is_found(db_url: str) -> None:
    """The check above can fail: a column the revisions never added is reported."""
    from sqlalchemy import Column, Integer, MetaData, Table

    migrate(db_url)
    extra = MetaData()
    for table in ServerModel.metadata.tables.values():
        table.to_metadata(extra)
    Table("village", extra, Column("added_without_a_revision", Integer), extend_existing=True)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": _compare_type}), extra)
    finally:
        engine.dispose()
    assert [d[0] for d in differences] == ["add_column"]
    assert (differences[0][2], differences[0][3].name) == ("village", "added_without_a_revision")
