"""Per-village progress counted as data arrives (issue 24: the overview reads it, not a recount)

Revision ID: 0105_village_counts
Revises: 0104_debit_lists
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0105_village_counts'
down_revision = '0104_debit_lists'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty at first: the first overview counts the villages without a row and keeps them here.
    op.create_table('village_count',
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('config_sha256', sa.String(), nullable=False),
    sa.Column('roster_version', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('stamp', sa.String(), nullable=False),
    sa.Column('counted_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('village_code')
    )
    # Rows of a period are looked up by period; the stale ones are pruned by when they were counted.
    with op.batch_alter_table('progress_summary', schema=None) as batch_op:
        batch_op.create_index('ix_progress_summary_computed_at', ['computed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('progress_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_summary_computed_at')
    op.drop_table('village_count')
