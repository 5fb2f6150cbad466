"""The tax office's debit lists loaded by the county, kept per village, and the townships' 清册 (issue 25)

Revision ID: 0104_debit_lists
Revises: 0103_doubt_loop
"""

from __future__ import annotations

from sync.server.migrations.shapes import Table, create, drop

revision = '0104_debit_lists'
down_revision = '0103_doubt_loop'
branch_labels = None
depends_on = None

TABLES = (
    Table('debit_list', 'id int, list_kind str, day str, file str, sha256 str, accepted int,'
          ' rejected int, loaded_by str, loaded_at time', unique=[('sha256',)]),
    Table('debit_list_row', 'id serial, list_id int, village_code str, id_number str, name str,'
          ' on_day str, detail text', index=('list_id', 'village_code')),
    Table('debit_register', 'id int, township_code str, year int, as_of str, people int,'
          ' total_fen big, pdf_sha256 str, sha256 str, rows text, received_by str, received_at time',
          unique=[('sha256',)], index=('township_code',)),
)


def upgrade() -> None:
    create(TABLES)


def downgrade() -> None:
    drop(TABLES)
