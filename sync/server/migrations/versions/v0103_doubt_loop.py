"""The 第四十二条 loop: 疑点 pushed to townships, their answers and attachments, the working
group's draws and inspections, and 第四十一条's special inspections (issue 24)

Revision ID: 0103_doubt_loop
Revises: 0102_progress
"""

from __future__ import annotations

from sync.server.migrations.shapes import Table, create, drop

revision = '0103_doubt_loop'
down_revision = '0102_progress'
branch_labels = None
depends_on = None

TABLES = (
    Table('doubt', 'id int, key str, source str, township_code str, village_code str, device_id str?,'
          ' seq big?, code str, ref str, day str, reason text, pushed_by str, pushed_at time,'
          ' pushed_on str, due_on str, year int',
          unique=[('key',)], index=('township_code', 'village_code', 'year')),
    Table('doubt_answer', 'id int, doubt_id int, verdict str, answered_by str, answered_at str,'
          ' answered_on str, note text, via str, recorded_by str, recorded_at time, flag_answer_id int?',
          unique=[('flag_answer_id',)], index=('doubt_id',)),
    Table('doubt_attachment', 'id int, doubt_id int, village_code str, name str, media_type str,'
          ' size int, sha256 str, content bytes, uploaded_by str, uploaded_at time',
          index=('doubt_id', 'village_code')),
    Table('doubt_draw', 'id int, township_code str, year int, seed str, population text, chosen text,'
          ' drawn_by str, drawn_at time', index=('township_code',)),
    Table('doubt_inspection', 'id int, doubt_id int, draw_id int, result str, finding text,'
          ' inspected_by str, inspected_on str, recorded_by str, recorded_at time', index=('doubt_id',)),
    Table('special_inspection', 'id int, township_code str, year int, held_on str, units str,'
          ' summary text, recorded_by str, recorded_at time', index=('township_code', 'year')),
)


def upgrade() -> None:
    create(TABLES)


def downgrade() -> None:
    drop(TABLES)
