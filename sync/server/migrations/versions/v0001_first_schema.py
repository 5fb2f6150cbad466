"""The first schema (frozen: a change is a new revision): devices, entries, receipts, conflicts, staff, rosters, payments, confirmations

Revision ID: 0001
Revises: none
"""

from __future__ import annotations

from sync.server.migrations.shapes import Table, create, drop

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

TABLES = (
    Table('confirmation', 'id int, slip_no str, amount_fen big, confirmed_on str, loaded_at time',
          index=('slip_no',)),
    Table('conflict', 'id int, device_id str, village_code str, first_seq big, held_hash str,'
          ' sent_hash str, batch text, received_at time', index=('device_id', 'village_code')),
    Table('county_config', 'id int, text text, sha256 str, loaded_at time'),
    Table('device', 'id str, village_code str, device_no int, public_key str?, token_sha256 str?,'
          ' held_seq big, held_hash str, rules_state text, enrolled_at time?, last_seen_at time?',
          unique=[('village_code', 'device_no')], index=('token_sha256', 'village_code')),
    Table('enrolment_code', 'code_sha256 str, device_id str, expires_at time, used_at time?, failed int',
          key=('code_sha256',), index=('device_id',)),
    Table('entry', 'id serial, device_id str, seq big, kind str, recorded_at str, body text,'
          ' prev_hash str, hash str, received_at time', unique=[('device_id', 'seq')], index=('device_id',)),
    Table('payment', 'id int, village_code str, id_number str, insurance str, year int,'
          ' amount_fen big, channel str, paid_on str', index=('village_code',)),
    Table('receipt', 'number str, device_id str, village_code str, day str, total_fen big,'
          ' check_code str, status str', key=('number',), index=('day', 'device_id', 'village_code')),
    Table('remittance', 'id int, device_id str, village_code str, seq big, slip_no str,'
          ' amount_fen big, day str', index=('device_id', 'slip_no', 'village_code')),
    Table('roster_version', 'id int, village_code str, version int, rows text, sha256 str, loaded_at time',
          index=('village_code',)),
    Table('server_key', 'id int, private_pem text, public_key str, created_at time'),
    Table('staff', 'name str, role str, township_code str?, password_salt str, password_hash str,'
          ' failed int, locked_until time?', key=('name',)),
    Table('staff_session', 'token_sha256 str, name str, expires_at time', key=('token_sha256',),
          index=('name',)),
    Table('village', 'code str, township_code str, name str', key=('code',), index=('township_code',)),
)


def upgrade() -> None:
    create(TABLES)


def downgrade() -> None:
    drop(TABLES)
