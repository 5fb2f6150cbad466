"""Who may sign what: the one place that decides whether an agent and a village head may put their
names to a void, a refund request or a day's settlement.

Services call these before writing; the CLI and the window only show the refusal. Keeping the
rules here means "a head cannot countersign their own" cannot drift between void, refund and
settlement (it used to be three slightly different checks, and void and refund accepted one
person as both agent and head).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import replace

from app.domain.countersign import Signer
from app.domain.records import Role, UserInfo
from app.services.errors import AuthError, Refused
from app.storage import journal

# Made afresh by each process and never stored: a UserInfo carries a proof made with it only when
# `Users.authenticate` checked the PIN in this process (`vouch`). Services call `require_pin`.
_KEY = secrets.token_bytes(32)


def _mac(user: UserInfo) -> bytes:
    return hmac.new(_KEY, f"{user.name}\x1f{user.role.value}".encode(), hashlib.sha256).digest()


def vouch(user: UserInfo, signer: Signer | None = None) -> UserInfo:
    """For `Users.authenticate` only: the user, with proof that their PIN was just checked and
    the signing key that PIN unlocked."""
    return replace(user, proof=_mac(user), signer=signer)


def signers(*users: UserInfo) -> tuple[Signer, ...]:
    """The unlocked keys of the people an entry names, who sign it: refused for anyone whose PIN
    was not checked in this process, or who has no key unlocked."""
    require_pin(*users)
    out: list[Signer] = []
    for user in users:
        if user.signer is None or user.signer.name != user.name:
            raise AuthError(f"需要先输入「{user.name}」的密码（签名密钥未解锁）")
        if user.signer not in out:
            out.append(user.signer)
    return tuple(out)


def require_pin(*users: UserInfo) -> None:
    """Refuse to act in the name of anyone whose PIN was not checked by `Users.authenticate`."""
    for user in users:
        if not hmac.compare_digest(user.proof, _mac(user)):
            raise AuthError(f"需要先输入「{user.name}」的密码")

# Roles that may take cash and so act as the agent of a countersigned act.
CASH_ROLES = (Role.AGENT, Role.HEAD)

# The way out of a day nobody can countersign: a second village head. Named in every refusal
# that needs one, so the agent is never left with a message and no next step.
# Only an administrator adds a head once one exists (users.add), and many villages have none: then
# the township is whom to call, and what to ask for is said.
SECOND_HEAD_WAY_OUT = ("由管理员登录后在「设置 F6 → 用户和 PIN」添加另一位村委会负责人账户，再由其会签；"
                       "本机没有管理员时，请打电话给乡镇社保所，请其为本村添加第二位村委会负责人账户")


def check_head_may_take_cash(agent: UserInfo, heads: Iterable[str]) -> None:
    """A village head's own cash needs another head's countersign when the day is settled;
    with no other head (`heads`: every active head's name) the day could never be closed, so
    the cash is refused before anything is recorded."""
    if agent.role is Role.HEAD and not any(name != agent.name for name in heads):
        raise Refused(f"「{agent.name}」是本村唯一的村委会负责人：负责人亲自收取的现金，日结时须由另一位"
                      f"村委会负责人会签，否则当天无法日结。请由代收员收款；或{SECOND_HEAD_WAY_OUT}，之后再收款。")


def check_countersign(action: str, *, agent: UserInfo, head: UserInfo) -> None:
    """Refuse unless `agent` may do `action` and `head` is a different person who is a village
    head: the second signature is worthless if the same person gives both."""
    require_pin(agent, head)
    if head.role is not Role.HEAD:
        raise Refused(f"{action}需要村委会负责人确认，「{head.name}」是{head.role.label}")
    if agent.role not in CASH_ROLES:
        raise Refused(f"「{agent.name}」是{agent.role.label}，不能办理{action}")
    if agent.name == head.name:
        raise Refused(f"「{head.name}」不能既办理又确认同一笔{action}，请由另一位村委会负责人确认")


def check_not_own(action: str, *, head: UserInfo, collectors: Iterable[str],
                  conn: sqlite3.Connection | None = None) -> None:
    """Refuse if the head collected (any of) the receipts they are asked to countersign, or if
    the head's account was added by one of the collectors (directly, or through an account that
    collector added): otherwise a head could take cash and countersign it through a second
    "head" they made themselves. `conn` reads who added whom from the journal."""
    names = list(collectors)
    own = sum(1 for name in names if name == head.name)
    if own:
        raise Refused(f"村委会负责人「{head.name}」亲自收取了其中{own}张收据，不能确认自己的收据的{action}；"
                      f"请由另一位村委会负责人确认。如本村没有另一位村委会负责人，{SECOND_HEAD_WAY_OUT}")
    if conn is None:
        return
    makers = added_by(conn, head.name)
    maker = next((name for name in makers if name in names), None)
    if maker is not None:
        raise Refused(f"村委会负责人「{head.name}」的账户是由「{maker}」添加的，不能确认「{maker}」收取的收据的"
                      f"{action}；请由不是其添加的村委会负责人确认。{SECOND_HEAD_WAY_OUT}")


def added_by(conn: sqlite3.Connection, name: str) -> list[str]:
    """Who added `name`'s account, who added that one, and so on (nearest first), from the users'
    journal entries; accounts made at setup or before users were journalled end the line."""
    chain: list[str] = []
    current = name
    while len(chain) < 20:  # a line of accounts is short; a loop in forged data ends here
        maker = journal.added_by(conn, current)
        if maker is None or maker in chain or maker == name:
            break
        chain.append(maker)
        current = maker
    return chain
