"""The first schema (frozen: a change is a new revision): devices, entries, receipts, conflicts, staff, rosters, payments, confirmations

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slip_no', sa.String(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('confirmed_on', sa.String(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confirmation_slip_no'), ['slip_no'], unique=False)

    op.create_table('conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('first_seq', sa.BigInteger(), nullable=False),
    sa.Column('held_hash', sa.String(), nullable=False),
    sa.Column('sent_hash', sa.String(), nullable=False),
    sa.Column('batch', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conflict_village_code'), ['village_code'], unique=False)

    op.create_table('county_config',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('device',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('device_no', sa.Integer(), nullable=False),
    sa.Column('public_key', sa.String(), nullable=True),
    sa.Column('token_sha256', sa.String(), nullable=True),
    sa.Column('held_seq', sa.BigInteger(), nullable=False),
    sa.Column('held_hash', sa.String(), nullable=False),
    sa.Column('rules_state', sa.Text(), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('village_code', 'device_no')
    )
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_token_sha256'), ['token_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_village_code'), ['village_code'], unique=False)

    op.create_table('enrolment_code',
    sa.Column('code_sha256', sa.String(), nullable=False),
    sa.Column('device_id', sa.String(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code_sha256')
    )
    with op.batch_alter_table('enrolment_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_code_device_id'), ['device_id'], unique=False)

    op.create_table('entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('device_id', sa.String(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('recorded_at', sa.String(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(), nullable=False),
    sa.Column('hash', sa.String(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'seq')
    )
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_device_id'), ['device_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('id_number', sa.String(), nullable=False),
    sa.Column('insurance', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('channel', sa.String(), nullable=False),
    sa.Column('paid_on', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_village_code'), ['village_code'], unique=False)

    op.create_table('receipt',
    sa.Column('number', sa.String(), nullable=False),
    sa.Column('device_id', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('day', sa.String(), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('check_code', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('number')
    )
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipt_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipt_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_receipt_village_code'), ['village_code'], unique=False)

    op.create_table('remittance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('slip_no', sa.String(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('remittance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remittance_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_slip_no'), ['slip_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_remittance_village_code'), ['village_code'], unique=False)

    op.create_table('roster_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roster_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_version_village_code'), ['village_code'], unique=False)

    op.create_table('server_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('public_key', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('staff',
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('role', sa.String(), nullable=False),
    sa.Column('township_code', sa.String(), nullable=True),
    sa.Column('password_salt', sa.String(), nullable=False),
    sa.Column('password_hash', sa.String(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('staff_session',
    sa.Column('token_sha256', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token_sha256')
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_name'), ['name'], unique=False)

    op.create_table('village',
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('township_code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_village_township_code'), ['township_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_village_township_code'))

    op.drop_table('village')
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_name'))

    op.drop_table('staff_session')
    op.drop_table('staff')
    op.drop_table('server_key')
    with op.batch_alter_table('roster_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_version_village_code'))

    op.drop_table('roster_version')
    with op.batch_alter_table('remittance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remittance_village_code'))
        batch_op.drop_index(batch_op.f('ix_remittance_slip_no'))
        batch_op.drop_index(batch_op.f('ix_remittance_device_id'))

    op.drop_table('remittance')
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipt_village_code'))
        batch_op.drop_index(batch_op.f('ix_receipt_device_id'))
        batch_op.drop_index(batch_op.f('ix_receipt_day'))

    op.drop_table('receipt')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_village_code'))

    op.drop_table('payment')
    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_device_id'))

    op.drop_table('entry')
    with op.batch_alter_table('enrolment_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_code_device_id'))

    op.drop_table('enrolment_code')
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_village_code'))
        batch_op.drop_index(batch_op.f('ix_device_token_sha256'))

    op.drop_table('device')
    op.drop_table('county_config')
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_village_code'))
        batch_op.drop_index(batch_op.f('ix_conflict_device_id'))

    op.drop_table('conflict')
    with op.batch_alter_table('confirmation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confirmation_slip_no'))

    op.drop_table('confirmation')
