"""The county's own checks (frozen: a change is a new revision): paid lines, county flags, refused
uploads; 入库 confirmations keyed by village and slip; payments found by ID number

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('county_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('township_code', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('device_id', sa.String(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('ref', sa.String(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('county_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_county_flag_township_code'), ['township_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_county_flag_village_code'), ['village_code'], unique=False)

    op.create_table('paid_line',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('device_id', sa.String(), nullable=False),
    sa.Column('receipt_number', sa.String(), nullable=False),
    sa.Column('id_number', sa.String(), nullable=False),
    sa.Column('insurance', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('paid_line', schema=None) as batch_op:
        batch_op.create_index('ix_paid_line_person', ['id_number', 'insurance', 'year'], unique=False)
        batch_op.create_index(batch_op.f('ix_paid_line_receipt_number'), ['receipt_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_paid_line_village_code'), ['village_code'], unique=False)

    op.create_table('upload_refusal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('upload_refusal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_upload_refusal_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_upload_refusal_village_code'), ['village_code'], unique=False)

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_id_number'), ['id_number'], unique=False)

    with op.batch_alter_table('confirmation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('village_code', sa.String(), nullable=True))
        batch_op.create_index(batch_op.f('ix_confirmation_village_code'), ['village_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_id_number'))

    with op.batch_alter_table('confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confirmation_village_code'))
        batch_op.drop_column('village_code')

    with op.batch_alter_table('upload_refusal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_upload_refusal_village_code'))
        batch_op.drop_index(batch_op.f('ix_upload_refusal_device_id'))

    op.drop_table('upload_refusal')
    with op.batch_alter_table('paid_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paid_line_village_code'))
        batch_op.drop_index(batch_op.f('ix_paid_line_receipt_number'))
        batch_op.drop_index('ix_paid_line_person')

    op.drop_table('paid_line')
    with op.batch_alter_table('county_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_county_flag_village_code'))
        batch_op.drop_index(batch_op.f('ix_county_flag_township_code'))

    op.drop_table('county_flag')
