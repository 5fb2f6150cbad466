"""Progress against the targets: township names, the county's targets, roster dues as judged (issue 24)

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


    op.create_table('roster_due',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('roster_version_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('id_number', sa.String(), nullable=False),
    sa.Column('insurance', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('due_fen', sa.BigInteger(), nullable=False),
    sa.Column('mark', sa.String(), nullable=False),
    sa.Column('band', sa.String(), nullable=False),
    sa.Column('config_sha256', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roster_due', schema=None) as batch_op:
        batch_op.create_index('ix_roster_due_version_year', ['roster_version_id', 'year'], unique=False)
    op.create_table('progress_summary',
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('period', sa.String(), nullable=False),
    sa.Column('fingerprint', sa.String(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('village_code', 'period')
    )


def downgrade() -> None:
    op.drop_table('progress_summary')
    with op.batch_alter_table('roster_due', schema=None) as batch_op:
        batch_op.drop_index('ix_roster_due_version_year')
    op.drop_table('roster_due')
    with op.batch_alter_table('progress_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_target_year'))
    op.drop_table('progress_target')
    op.drop_table('township')
