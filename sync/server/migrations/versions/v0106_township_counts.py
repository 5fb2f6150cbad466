"""Per-township sums of the villages' kept progress (issue 24: a province's overview reads one row
per township, not 20,000 villages)

Revision ID: 0106_township_counts
Revises: 0105_village_counts
"""

from __future__ import annotations

from sync.server.migrations.shapes import Table, create, drop

revision = '0106_township_counts'
down_revision = '0105_village_counts'
branch_labels = None
depends_on = None

# Empty at first: the first province overview sums each township (township_count.current).
TABLES = (
    Table('township_count', 'township_code str, config_sha256 str, villages int, body text, counted_at time',
          key=('township_code',)),
)


def upgrade() -> None:
    create(TABLES)


def downgrade() -> None:
    drop(TABLES)
