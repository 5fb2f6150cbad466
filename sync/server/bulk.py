"""Many rows into one table at once, straight to the database driver: an upload's 200 entries,
receipts and paid lines. SQLAlchemy's executemany builds a parameter dictionary per row and
processes each value through its type (measured: a third of an upload's insert time); here the
rows are tuples and only the columns whose type needs it (a timestamp on SQLite) are converted.
Errors still come as SQLAlchemy's (an IntegrityError on a held (device, seq) stays one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlmodel import Session

from sync.server.models import table_of

PG_PARAMS = 30_000  # bound values per statement (PostgreSQL's limit is 65,535)


def insert_rows(s: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT the rows (dictionaries with the same keys) into the model's table: on SQLite one
    executemany of a prepared statement; on PostgreSQL one INSERT ... VALUES (...), (...) per
    30,000 values (psycopg's executemany is a round trip per row, pipelined or not)."""
    if not rows:
        return
    table: Table = table_of(model)
    conn = s.connection()
    dialect = conn.dialect
    names = list(rows[0])
    processors = [table.c[name].type.bind_processor(dialect) for name in names]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    one = f"({', '.join([mark] * len(names))})"
    sql = (f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
           f"({', '.join(dialect.identifier_preparer.quote(n) for n in names)}) VALUES ")
    if any(processors):
        values = [tuple(proc(row[n]) if proc else row[n] for n, proc in zip(names, processors, strict=True))
                  for row in rows]
    else:
        values = [tuple(row[n] for n in names) for row in rows]
    if dialect.name != "postgresql":
        conn.exec_driver_sql(sql + one, values)
        return
    per = max(1, PG_PARAMS // len(names))
    for start in range(0, len(values), per):
        part = values[start:start + per]
        conn.exec_driver_sql(sql + ", ".join([one] * len(part)), tuple(v for row in part for v in row))
