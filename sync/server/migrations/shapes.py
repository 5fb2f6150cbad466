"""The table shapes the Alembic revisions share: a table written once as a line of columns, its
indexes, and the create and drop that follow from it.

Autogenerate writes every column as its own `sa.Column(...)` line and every index twice (created
in `upgrade`, dropped in `downgrade`); thirty tables of that were the same lines over and over,
and a table's indexes could be dropped differently from how they were made. Here a revision lists
its tables once and both directions come from that list.

Frozen like the revisions: what these helpers emit is what the revisions already ran, op for op
(the same `op.create_table`, the same `batch_alter_table` index calls, the same types), so a
database migrated by an earlier release and one migrated now are the same. A change here changes
every revision that calls it: tests/server/test_migration_steps.py compares each step's schema
with the one recorded for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic import op

_TYPES: dict[str, Callable[[], sa.types.TypeEngine[Any]]] = {
    "str": sa.String,
    "text": sa.Text,
    "int": sa.Integer,
    "big": sa.BigInteger,
    "time": sa.DateTime,
    "bytes": sa.LargeBinary,
}


def column(spec: str) -> sa.Column[Any]:
    """`name type`, `name type?` (nullable) or `name serial` (a 64-bit key SQLite numbers itself)."""
    name, _, kind = spec.strip().partition(" ")
    kind = kind.strip()
    if kind == "serial":
        return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                         autoincrement=True, nullable=False)
    nullable = kind.endswith("?")
    return sa.Column(name, _TYPES[kind.removesuffix("?")](), nullable=nullable)


def columns(spec: str) -> list[sa.Column[Any]]:
    """Comma-separated `column` specs, in the table's order."""
    return [column(part) for part in spec.split(",") if part.strip()]


def add_indexes(table: str, *indexed: str) -> None:
    """One plain index per column, named `ix_<table>_<column>` as SQLModel names them."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name in indexed:
            batch_op.create_index(batch_op.f(f"ix_{table}_{name}"), [name], unique=False)


def drop_indexes(table: str, *indexed: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name in reversed(indexed):
            batch_op.drop_index(batch_op.f(f"ix_{table}_{name}"))


@dataclass(frozen=True)
class Table:
    """A table a revision creates: its columns, keys and indexes."""

    name: str
    spec: str
    key: Sequence[str] = ("id",)
    unique: Sequence[Sequence[str]] = ()
    index: Sequence[str] = ()
    # An index over several columns, by the name the model gives it: name -> columns.
    named_index: dict[str, Sequence[str]] = field(default_factory=dict)

    def create(self) -> None:
        op.create_table(self.name, *columns(self.spec), sa.PrimaryKeyConstraint(*self.key),
                        *(sa.UniqueConstraint(*group) for group in self.unique))
        if self.named_index:
            with op.batch_alter_table(self.name, schema=None) as batch_op:
                for name, over in self.named_index.items():
                    batch_op.create_index(name, list(over), unique=False)
        if self.index:
            add_indexes(self.name, *self.index)

    def drop(self) -> None:
        if self.index:
            drop_indexes(self.name, *self.index)
        if self.named_index:
            with op.batch_alter_table(self.name, schema=None) as batch_op:
                for name in reversed(list(self.named_index)):
                    batch_op.drop_index(name)
        op.drop_table(self.name)


def create(tables: Sequence[Table]) -> None:
    for table in tables:
        table.create()


def drop(tables: Sequence[Table]) -> None:
    """The tables dropped in the reverse of their creation."""
    for table in reversed(tables):
        table.drop()
