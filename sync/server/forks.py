"""Forked ledgers are kept whole for staff to compare, so how much one device may leave is
bounded: a number of forks and their bytes per device. Past either, a new fork is refused with
`too_many_forks` (and logged) until staff have dealt with the ones held; the same fork sent again
is still answered from what is held."""

from __future__ import annotations

import logging

from sqlalchemy import func
from sqlmodel import Session, col, select

from sync.server import models as m
from sync.server.core import ServerRefusal

MAX_FORKS_PER_DEVICE = 20
MAX_FORK_BYTES_PER_DEVICE = 128 * 1024 * 1024  # two whole batches at the body cap

log = logging.getLogger("daishou.server")


def make_room(s: Session, device_id: str, size: int) -> None:
    """Refuse a new fork of `size` bytes when the device's held forks are at their bound."""
    count, held = s.exec(select(func.count(), func.coalesce(func.sum(func.length(col(m.Conflict.batch))), 0))
                         .where(m.Conflict.device_id == device_id)).one()
    if count + 1 > MAX_FORKS_PER_DEVICE or held + size > MAX_FORK_BYTES_PER_DEVICE:
        log.warning("too_many_forks: device %s holds %d forks (%d bytes); a new one (%d bytes) refused",
                    device_id, count, held, size)
        raise ServerRefusal(409, "too_many_forks",
                            f"县里已为这台设备保存了 {count} 份分叉的账本，等待乡镇社保所核对；在核对处理之前不再保存新的分叉。"
                            "请联系乡镇社保所")
