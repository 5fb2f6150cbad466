"""This PC's identity (the device row) and the key/value settings (county configuration,
printer, backup folder, sync state)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from app.domain.records import Device
from app.storage.db import sql_datetime


def device(conn: sqlite3.Connection) -> Device | None:
    row = conn.execute("SELECT village_code, village_name, township_code, township_name, device_no "
                       "FROM device WHERE id = 1").fetchone()
    return Device(row[0], row[1], row[2], row[3], int(row[4])) if row else None


def insert_device(conn: sqlite3.Connection, device: Device, at: datetime) -> None:
    conn.execute("INSERT INTO device (id, village_code, village_name, township_code, township_name, "
                 "device_no, created_at) VALUES (1, ?, ?, ?, ?, ?, ?)",
                 (device.village_code, device.village_name, device.township_code, device.township_name,
                  device.device_no, sql_datetime(at)))


def get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO setting (key, value) VALUES (?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def all_settings(conn: sqlite3.Connection) -> dict[str, str]:
    return {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM setting")}
