"""The township's answers to 疑点 imported from its file (issue 24)

Revision ID: 0101_flag_answers
Revises: 0100_open_state
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0101_flag_answers'
down_revision = '0100_open_state'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('flag_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('device_id', sa.String(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('ref', sa.String(), nullable=False),
    sa.Column('day', sa.String(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('verdict', sa.String(), nullable=False),
    sa.Column('answered_by', sa.String(), nullable=False),
    sa.Column('answered_at', sa.String(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reviewer', sa.String(), nullable=False),
    sa.Column('file_sha256', sa.String(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'seq', 'code', 'ref', 'answered_at', 'verdict')
    )
    with op.batch_alter_table('flag_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flag_answer_village_code'), ['village_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('flag_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flag_answer_village_code'))
    op.drop_table('flag_answer')
