"""The entry table's index on device_id alone dropped (issue 22): the unique (device_id, seq) index
serves every lookup by device, on SQLite and PostgreSQL, and each upload's 200 rows no longer
write a third B-tree

Revision ID: 0108_entry_index
Revises: 0107_device_figures
"""

from __future__ import annotations

from sync.server.migrations.shapes import add_indexes, drop_indexes

revision = '0108_entry_index'
down_revision = '0107_device_figures'
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_indexes('entry', 'device_id')


def downgrade() -> None:
    add_indexes('entry', 'device_id')
