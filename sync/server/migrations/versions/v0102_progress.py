"""Progress against the targets: township names, the county's targets, roster dues as judged (issue 24)

Revision ID: 0102_progress
Revises: 0101_flag_answers
"""

from __future__ import annotations

from sync.server.migrations.shapes import Table, create, drop

revision = '0102_progress'
down_revision = '0101_flag_answers'
branch_labels = None
depends_on = None

TABLES = (
    Table('township', 'code str, name str', key=('code',)),
    Table('progress_target', 'id int, year int, scope str, measure str, percent_x100 int, set_at time',
          index=('year',)),
    Table('roster_due', 'id serial, roster_version_id int, village_code str, id_number str,'
          ' insurance str, year int, due_fen big, mark str, band str, config_sha256 str',
          named_index={'ix_roster_due_version_year': ('roster_version_id', 'year')}),
    Table('progress_summary', 'village_code str, period str, fingerprint str, body text, computed_at time',
          key=('village_code', 'period')),
)


def upgrade() -> None:
    create(TABLES)


def downgrade() -> None:
    drop(TABLES)
