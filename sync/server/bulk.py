"""Many rows into several tables at once, straight to the database driver: an upload's 200
entries, receipts and paid lines, and its device's new state. SQLAlchemy's executemany builds a
parameter dictionary per row and processes each value through its type (measured: a third of an
upload's insert time); here the rows are tuples and only the columns whose type needs it (a
timestamp on SQLite) are converted. Errors still come as SQLAlchemy's (an IntegrityError on a
held (device, seq) stays one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from sync.server.models import table_of

Rows = Sequence[dict[str, Any]]


def write(s: Session, tables: Sequence[tuple[type[Any], Rows]],
          then: tuple[type[Any], dict[str, Any], dict[str, Any]] | None = None) -> None:
    """INSERT each table's rows (dictionaries with the same keys), then, if given, UPDATE one row
    (`then`: model, its key's columns and values, the new values).

    On PostgreSQL all of it is one statement, one round trip: each table's rows go as one array
    per column (INSERT ... SELECT FROM unnest(...)): the statement's text and its parameters do
    not grow with the rows, so it is parsed once per connection and cheap to plan; the parts are
    data-modifying WITH queries of that one statement. On SQLite one executemany of a prepared
    statement per table (no round trips: the database is in the process)."""
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        for model, rows in tables:
            if rows:
                _sqlite_insert(conn, table_of(model), rows)
        if then is not None:
            model, key, values = then
            table = table_of(model)
            conn.execute(update(table).where(*(table.c[k] == v for k, v in key.items())).values(**values))
        return
    parts: list[tuple[str, list[Any]]] = [_unnest_insert(conn, table_of(model), rows) for model, rows in tables if rows]
    if then is not None:
        parts.append(_update(conn, *then))
    if not parts:
        return
    *withs, (last, params) = parts
    sql = "".join(f"{'WITH' if n == 0 else ','} w{n} AS ({part}) " for n, (part, _) in enumerate(withs)) + last
    conn.exec_driver_sql(sql, tuple(v for _, values in withs for v in values) + tuple(params))


def _sqlite_insert(conn: Connection, table: Table, rows: Rows) -> None:
    names = list(rows[0])
    processors = [table.c[name].type.bind_processor(conn.dialect) for name in names]
    sql = (f"INSERT INTO {conn.dialect.identifier_preparer.format_table(table)} "
           f"({', '.join(conn.dialect.identifier_preparer.quote(n) for n in names)}) "
           f"VALUES ({', '.join(['?'] * len(names))})")
    if any(processors):
        values = [tuple(proc(row[n]) if proc else row[n] for n, proc in zip(names, processors, strict=True))
                  for row in rows]
    else:
        values = [tuple(row[n] for n in names) for row in rows]
    conn.exec_driver_sql(sql, values)


def _unnest_insert(conn: Connection, table: Table, rows: Rows) -> tuple[str, list[Any]]:
    names = list(rows[0])
    quote = conn.dialect.identifier_preparer
    arrays = ", ".join(f"CAST(%s AS {table.c[n].type.compile(dialect=conn.dialect)}[])" for n in names)
    sql = (f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)}) "
           f"SELECT * FROM unnest({arrays})")
    return sql, [[row[n] for row in rows] for n in names]


def _update(conn: Connection, model: type[Any], key: dict[str, Any], values: dict[str, Any]) -> tuple[str, list[Any]]:
    table = table_of(model)
    quote = conn.dialect.identifier_preparer

    def typed(n: str) -> str:
        return f"CAST(%s AS {table.c[n].type.compile(dialect=conn.dialect)})"

    sql = (f"UPDATE {quote.format_table(table)} SET {', '.join(f'{quote.quote(n)} = {typed(n)}' for n in values)} "
           f"WHERE {' AND '.join(f'{quote.quote(n)} = {typed(n)}' for n in key)}")
    return sql, [*values.values(), *key.values()]
