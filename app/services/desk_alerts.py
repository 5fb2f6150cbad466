"""What blocks or warns at this desk now: the facts the banner shows at login and on the empty
desk, before a villager waits at the table.

Qt-free, one read: the same checks a receipt would meet (an earlier day not settled, the
month closed: taking cash would be refused) and the cash held against the county's 双限
(app/domain/remit_limits.py), each said with the key that fixes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.money import format_fen
from app.domain.remit_limits import cash_held
from app.services.errors import NotInitialised
from app.services.months import closed_month
from app.storage.projections import first_unsettled_day_before
from app.storage.settlements import settled_not_remitted

if TYPE_CHECKING:
    from app.services.desk import Desk

BLOCK, DUE, NEAR = "block", "due", "near"  # cash refused today / a limit reached / close to one
NO_CONFIG = ("尚未导入县级配置（档次、医保金额、代缴标准），不能收款：在设置（F6）填写县服务器地址和注册码，"
             "按「注册本机」后会自动下载；没有网络时请乡镇社保中心来导入配置文件")


@dataclass(frozen=True)
class Alert:
    level: str  # BLOCK, DUE or NEAR
    text: str  # what the person reads, with the key that fixes it

    @property
    def blocks(self) -> bool:
        return self.level == BLOCK


def desk_alerts(desk: Desk) -> list[Alert]:
    """Blocking facts first, then the cash held against the limits (remit counties only: where
    the agent pays on the payer's behalf at once no cash is kept to remit)."""
    today = desk.clock().date()
    try:
        config = desk.setup.config
    except NotInitialised:  # every receipt would be refused: said here, not as an error box at login
        return [Alert(BLOCK, NO_CONFIG)]
    with desk.db.read() as conn:
        earlier = first_unsettled_day_before(conn, today)
        closed = closed_month(conn)
        held_rounds = settled_not_remitted(conn)
    out = []
    if earlier is not None:
        out.append(Alert(BLOCK, f"{earlier.isoformat()} 的现金尚未日结，今天不能收款："
                                "按 F4 日结该日（Ctrl+J，村委会负责人输入密码会签）"))
    if closed and today.isoformat()[:7] <= closed:
        out.append(Alert(BLOCK, f"{closed} 已月结，本月不能再收款：下月再收，或打电话问乡镇社保所"))
    if config.pays_on_behalf:
        return out
    held = cash_held(held_rounds, 0, today, config.remit_limits)
    fix = "按 F4 解缴（Ctrl+R），登记银行缴款单号"
    if held.past_days:
        out.append(Alert(DUE, f"已超过解缴限期：{held.describe()}。请今天就解缴：{fix}"))
    elif held.over_days or held.over_amount:
        out.append(Alert(DUE, f"已到解缴限额或限期：{held.describe()}。请今天解缴：{fix}"))
    elif held.near:
        out.append(Alert(NEAR, f"快到解缴限额或限期：已日结未解缴现金 {format_fen(held.held_fen)} 元"
                               f"（限额 {format_fen(held.limits.amount_fen)} 元，限期 {held.limits.days} 天）。"
                               f"请尽快解缴：{fix}"))
    return out
