"""Per-village progress counted as data arrives (issue 24: the overview reads it, not a recount)

Revision ID: 0105_village_counts
Revises: 0104_debit_lists
"""

from __future__ import annotations

from sync.server.migrations.shapes import Table, add_indexes, create, drop, drop_indexes

revision = '0105_village_counts'
down_revision = '0104_debit_lists'
branch_labels = None
depends_on = None

# Empty at first: the first overview counts the villages without a row and keeps them here.
TABLES = (
    Table('village_count', 'village_code str, config_sha256 str, roster_version int?, body text, stamp str,'
          ' counted_at time', key=('village_code',)),
)


def upgrade() -> None:
    create(TABLES)
    # Rows of a period are looked up by period; the stale ones are pruned by when they were counted.
    add_indexes('progress_summary', 'computed_at')


def downgrade() -> None:
    drop_indexes('progress_summary', 'computed_at')
    drop(TABLES)
