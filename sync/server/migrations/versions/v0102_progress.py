"""Progress against the targets: township names and the county's targets (issue 24)

Revision ID: 0102_progress
Revises: 0101_flag_answers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0102_progress'
down_revision = '0101_flag_answers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('township',
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('progress_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(), nullable=False),
    sa.Column('measure', sa.String(), nullable=False),
    sa.Column('percent_x100', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('progress_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_target_year'), ['year'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('progress_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_target_year'))
    op.drop_table('progress_target')
    op.drop_table('township')
