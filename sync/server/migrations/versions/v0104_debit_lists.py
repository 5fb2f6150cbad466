"""The tax office's debit lists loaded by the county, kept per village, and the townships' 清册 (issue 25)

Revision ID: 0104_debit_lists
Revises: 0103_doubt_loop
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0104_debit_lists'
down_revision = '0103_doubt_loop'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('debit_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_kind', sa.String(), nullable=False),
    sa.Column('day', sa.String(), nullable=False),
    sa.Column('file', sa.String(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=False),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('loaded_by', sa.String(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    op.create_table('debit_list_row',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(), nullable=False),
    sa.Column('id_number', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('on_day', sa.String(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('debit_register',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('township_code', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.String(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('pdf_sha256', sa.String(), nullable=False),
    sa.Column('sha256', sa.String(), nullable=False),
    sa.Column('rows', sa.Text(), nullable=False),
    sa.Column('received_by', sa.String(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    with op.batch_alter_table('debit_register', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_debit_register_township_code'), ['township_code'], unique=False)
    with op.batch_alter_table('debit_list_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_debit_list_row_list_id'), ['list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_debit_list_row_village_code'), ['village_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('debit_list_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_debit_list_row_village_code'))
        batch_op.drop_index(batch_op.f('ix_debit_list_row_list_id'))
    op.drop_table('debit_list_row')
    with op.batch_alter_table('debit_register', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_debit_register_township_code'))
    op.drop_table('debit_register')
    op.drop_table('debit_list')
