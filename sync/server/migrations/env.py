"""Alembic environment: the URL comes from the caller (`daishou-server init --db URL`)."""

from __future__ import annotations

from alembic import context

from sync.server.models import ServerModel

config = context.config
connection = config.attributes.get("connection")
target_metadata = ServerModel.metadata


def run() -> None:
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run()
