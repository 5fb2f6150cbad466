"""What the public receipt-check page tells a payer to call (003 第三十二条: 监督举报电话): the
number in the county configuration the server holds, the same one the desks print on the 公示."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.domain.config import ConfigError, load_config_text
from sync.server import models as m


def report_phone(s: Session) -> str:
    newest = s.exec(select(m.CountyConfigVersion).order_by(col(m.CountyConfigVersion.id).desc())).first()
    if newest is None:
        return ""
    try:
        return load_config_text(newest.text).paper.report_phone
    except ConfigError:
        return ""


def report_sentence(s: Session) -> str:
    phone = report_phone(s)
    return f"如有疑问请拨打监督举报电话 {phone}" if phone else "如有疑问请拨打公示上的监督举报电话"
