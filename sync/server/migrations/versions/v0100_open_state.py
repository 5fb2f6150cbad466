"""Each desk's latest open state (issue 24): cash of days not settled and settled cash not remitted

Revision ID: 0100_open_state
Revises: 0003
"""

from __future__ import annotations

from sync.server.migrations.shapes import Table, create, drop

revision = '0100_open_state'
down_revision = '0003'
branch_labels = None
depends_on = None

TABLES = (
    Table('device_open_state', 'device_id str, village_code str, reported_at time, received_at time,'
          ' open_since str?, open_days int, open_receipts int, open_cash_fen big, held_fen big,'
          ' held_since str?, newest_seq big, signature text', key=('device_id',), index=('village_code',)),
)


def upgrade() -> None:
    create(TABLES)


def downgrade() -> None:
    drop(TABLES)
