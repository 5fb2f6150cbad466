"""Each device's review figures kept at upload (issue 24: the overview reviews no ledger)

Revision ID: 0107_device_figures
Revises: 0106_township_counts
"""

from __future__ import annotations

from sync.server.migrations.shapes import Table, create, drop

revision = '0107_device_figures'
down_revision = '0106_township_counts'
branch_labels = None
depends_on = None

# Empty at first: the first overview reviews each device that uploaded and keeps its row
# (device_figures.read).
TABLES = (
    Table('device_figure', 'device_id str, held_seq big, held_hash str, receipts int, collected_fen big, '
          'settled_fen big, remitted_fen big, flags int, labels text, pending text, counted_at time', key=('device_id',)),
)


def upgrade() -> None:
    create(TABLES)


def downgrade() -> None:
    drop(TABLES)
