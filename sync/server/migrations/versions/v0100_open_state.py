"""Each desk's latest open state (issue 24): cash of days not settled and settled cash not remitted

Revision ID: 0100_open_state
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0100_open_state'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('device_open_state',
    sa.Column('device_id', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('open_since', sa.String(), nullable=True),
    sa.Column('open_days', sa.Integer(), nullable=False),
    sa.Column('open_receipts', sa.Integer(), nullable=False),
    sa.Column('open_cash_fen', sa.BigInteger(), nullable=False),
    sa.Column('held_fen', sa.BigInteger(), nullable=False),
    sa.Column('held_since', sa.String(), nullable=True),
    sa.Column('newest_seq', sa.BigInteger(), nullable=False),
    sa.Column('signature', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('device_id')
    )
    with op.batch_alter_table('device_open_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_open_state_village_code'), ['village_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('device_open_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_open_state_village_code'))
    op.drop_table('device_open_state')
