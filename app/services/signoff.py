"""Who may sign what: the one place that decides whether an agent and a village head may put their
names to a void, a refund request or a day's settlement.

Services call these before writing; the CLI and the window only show the refusal. Keeping the
rules here means "a head cannot countersign their own" cannot drift between void, refund and
settlement (it used to be three slightly different checks, and void and refund accepted one
person as both agent and head).
"""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.records import Role, UserInfo
from app.services.errors import Refused

# Roles that may take cash and so act as the agent of a countersigned act.
CASH_ROLES = (Role.AGENT, Role.HEAD)


def check_countersign(action: str, *, agent: UserInfo, head: UserInfo) -> None:
    """Refuse unless `agent` may do `action` and `head` is a different person who is a village
    head: the second signature is worthless if the same person gives both."""
    if head.role is not Role.HEAD:
        raise Refused(f"{action}需要村委会负责人确认，「{head.name}」是{head.role.label}")
    if agent.role not in CASH_ROLES:
        raise Refused(f"「{agent.name}」是{agent.role.label}，不能办理{action}")
    if agent.name == head.name:
        raise Refused(f"「{head.name}」不能既办理又确认同一笔{action}，请由另一位村委会负责人确认")


def check_not_own(action: str, *, head: UserInfo, collectors: Iterable[str]) -> None:
    """Refuse if the head collected (any of) the receipts they are asked to countersign."""
    own = sum(1 for name in collectors if name == head.name)
    if own:
        raise Refused(f"村委会负责人「{head.name}」亲自收取了其中{own}张收据，不能确认自己的收据的{action}；"
                      "请由另一位村委会负责人确认")
