"""The 第四十二条 loop: 疑点 pushed to townships, their answers and attachments, the working
group's draws and inspections, and 第四十一条's special inspections (issue 24)

Revision ID: 0103_doubt_loop
Revises: 0102_progress
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0103_doubt_loop'
down_revision = '0102_progress'
branch_labels = None
depends_on = None


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def upgrade() -> None:
    op.create_table('doubt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('township_code', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('device_id', sa.String(), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('ref', sa.String(), nullable=False),
    sa.Column('day', sa.String(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('pushed_by', sa.String(), nullable=False),
    sa.Column('pushed_at', sa.DateTime(), nullable=False),
    sa.Column('pushed_on', sa.String(), nullable=False),
    sa.Column('due_on', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    _index('doubt', 'township_code', 'village_code', 'year')
    op.create_table('doubt_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doubt_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(), nullable=False),
    sa.Column('answered_by', sa.String(), nullable=False),
    sa.Column('answered_at', sa.String(), nullable=False),
    sa.Column('answered_on', sa.String(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('via', sa.String(), nullable=False),
    sa.Column('recorded_by', sa.String(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('flag_answer_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('flag_answer_id')
    )
    _index('doubt_answer', 'doubt_id')
    op.create_table('doubt_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doubt_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('media_type', sa.String(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    _index('doubt_attachment', 'doubt_id', 'village_code')
    op.create_table('doubt_draw',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('township_code', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(), nullable=False),
    sa.Column('population', sa.Text(), nullable=False),
    sa.Column('chosen', sa.Text(), nullable=False),
    sa.Column('drawn_by', sa.String(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    _index('doubt_draw', 'township_code')
    op.create_table('doubt_inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doubt_id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('inspected_by', sa.String(), nullable=False),
    sa.Column('inspected_on', sa.String(), nullable=False),
    sa.Column('recorded_by', sa.String(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    _index('doubt_inspection', 'doubt_id')
    op.create_table('special_inspection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('township_code', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.String(), nullable=False),
    sa.Column('units', sa.String(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    _index('special_inspection', 'township_code', 'year')


def downgrade() -> None:
    for table in ('special_inspection', 'doubt_inspection', 'doubt_draw', 'doubt_attachment', 'doubt_answer',
                  'doubt'):
        op.drop_table(table)
