"""The township's answers to 疑点 imported from its file (issue 24)

Revision ID: 0101_flag_answers
Revises: 0100_open_state
"""

from __future__ import annotations

from sync.server.migrations.shapes import Table, create, drop

revision = '0101_flag_answers'
down_revision = '0100_open_state'
branch_labels = None
depends_on = None

TABLES = (
    Table('flag_answer', 'id int, village_code str, device_id str, seq big, code str, ref str, day str,'
          ' reason text, verdict str, answered_by str, answered_at str, note text, reviewer str,'
          ' file_sha256 str, imported_at time',
          unique=[('device_id', 'seq', 'code', 'ref', 'answered_at', 'verdict')], index=('village_code',)),
)


def upgrade() -> None:
    create(TABLES)


def downgrade() -> None:
    drop(TABLES)
