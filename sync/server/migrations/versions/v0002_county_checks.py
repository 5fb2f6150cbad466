"""The county's own checks (frozen: a change is a new revision): paid lines, county flags, refused
uploads; 入库 confirmations keyed by village and slip; payments found by ID number

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from sync.server.migrations.shapes import Table, add_indexes, column, create, drop, drop_indexes

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TABLES = (
    Table('county_flag', 'id int, code str, township_code str, village_code str, device_id str,'
          ' seq big, ref str, reason text, created_at time', index=('township_code', 'village_code')),
    Table('paid_line', 'id serial, village_code str, device_id str, receipt_number str, id_number str,'
          ' insurance str, year int, amount_fen big, status str',
          named_index={'ix_paid_line_person': ('id_number', 'insurance', 'year')},
          index=('receipt_number', 'village_code')),
    Table('upload_refusal', 'id int, device_id str, village_code str, seq big?, code str,'
          ' message text, received_at time', index=('device_id', 'village_code')),
)


def upgrade() -> None:
    create(TABLES)
    add_indexes('payment', 'id_number')
    with op.batch_alter_table('confirmation', schema=None) as batch_op:
        batch_op.add_column(column('village_code str?'))
    add_indexes('confirmation', 'village_code')


def downgrade() -> None:
    drop_indexes('payment', 'id_number')
    drop_indexes('confirmation', 'village_code')
    with op.batch_alter_table('confirmation', schema=None) as batch_op:
        batch_op.drop_column('village_code')
    drop(TABLES)
