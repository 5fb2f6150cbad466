"""The first-run setup wizard as a Qt-free state machine (Electrum's wizard.py pattern).

The window only draws the current step and calls advance()/back(); everything that decides
where to go and whether the answers are good enough lives here and is tested without Qt.
The device identity is written once, when leaving the users step: after that the wizard can
no longer go back to change it, because receipt numbers depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.names import InvalidNameError, parse_name
from app.domain.pins import pin_shape_problem
from app.domain.printer_settings import PaperWidth
from app.domain.receipt_numbers import (
    validate_device_no,
    validate_township_code,
    validate_village_code,
)
from app.domain.records import Role, UserInfo
from app.services.errors import DaishouError

if TYPE_CHECKING:
    from app.services.desk import Desk


class Step(StrEnum):
    DEVICE = "device"  # village, township, device number
    CONFIG = "config"  # the county configuration file (tiers, amounts, window)
    USERS = "users"  # the agent and the village head, with PINs
    ROSTER = "roster"  # import a roster file, or enrol with the county server
    PRINTER = "printer"  # address, paper width, test print
    DONE = "done"

    @property
    def heading(self) -> str:  # not `title`: that would hide str.title
        return _TITLES[self]


_TITLES = {
    Step.DEVICE: "本机信息", Step.CONFIG: "县级配置", Step.USERS: "代收员和村委会负责人",
    Step.ROSTER: "征收清册", Step.PRINTER: "收据打印机", Step.DONE: "完成",
}
ORDER = tuple(Step)


class RosterSource(StrEnum):
    FILE = "file"
    SERVER = "server"  # enrol with the county server and download the roster
    LATER = "later"


class WizardError(ValueError):
    """The answers on this step are not good enough; .messages are shown beside the fields."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("；".join(messages))
        self.messages = messages


@dataclass
class WizardData:
    village_code: str = ""
    village_name: str = ""
    township_code: str = ""
    township_name: str = ""
    device_no: str = "1"
    config_path: str = ""
    agent_name: str = ""
    agent_pin: str = ""
    agent_pin_again: str = ""
    head_name: str = ""  # the village head (村委会负责人), who countersigns
    head_pin: str = ""
    head_pin_again: str = ""
    admin_name: str = ""  # optional: the township's administrator, made first (unlocks, second heads)
    admin_pin: str = ""
    admin_pin_again: str = ""
    roster_source: RosterSource = RosterSource.FILE
    roster_path: str = ""
    roster_imported: bool = False
    server_url: str = ""  # with RosterSource.SERVER: the county server and its one-time code
    enrol_code: str = ""
    printer_uri: str = ""
    printer_width: int = 58


def _pin_problem(who: str, role: str, pin: str, again: str) -> str | None:
    problem = pin_shape_problem(pin, role)
    if problem:
        return f"{who}的{problem.removeprefix('村委会负责人和管理员的')}"
    if pin != again:
        return f"两次输入的{who}密码不一致"
    return None


def problems(step: Step, d: WizardData) -> list[str]:
    """What is wrong with the answers of one step (empty when it may be left)."""
    return [message for _field, message in field_problems(step, d)]


def field_problems(step: Step, d: WizardData) -> list[tuple[str | None, str]]:
    """Each problem with the WizardData field it belongs to (None: the step as a whole), so the
    window shows it beside that field."""
    out: list[tuple[str | None, str]] = []
    if step is Step.DEVICE:
        for key, check, value in (("village_code", validate_village_code, d.village_code),
                                  ("township_code", validate_township_code, d.township_code),
                                  ("device_no", validate_device_no, d.device_no)):
            try:
                check(value.strip())
            except ValueError as exc:
                out.append((key, str(exc)))
        if not d.village_name.strip():
            out.append(("village_name", "请填写村名称"))
        if not out and not d.village_code.strip().startswith(d.township_code.strip()[:9]):
            out.append(("village_code", "村代码的前9位应与乡镇代码相同"))
    elif step is Step.CONFIG:
        if not d.config_path.strip():
            out.append(("config_path", "请选择县级配置文件（由乡镇社保中心提供）"))
    elif step is Step.USERS:
        names = []
        for key, who, name in (("agent_name", "代收员", d.agent_name), ("head_name", "村委会负责人", d.head_name)):
            try:
                names.append(parse_name(name))
            except InvalidNameError as exc:
                out.append((key, f"{who}姓名：{exc}"))
        if len(names) == 2 and names[0] == names[1]:
            out.append(("head_name", "代收员和村委会负责人必须是两个人（作废和日结需要另一人会签）"))
        for key, who, role, pin, again in (("agent_pin", "代收员", "agent", d.agent_pin, d.agent_pin_again),
                                           ("head_pin", "村委会负责人", "head", d.head_pin, d.head_pin_again)):
            problem = _pin_problem(who, role, pin, again)
            if problem:
                out.append((f"{key}_again" if "不一致" in problem else key, problem))
        if not out and d.agent_pin == d.head_pin:
            out.append(("head_pin", "两人的密码不能相同"))
        if d.admin_name.strip():
            try:
                admin = parse_name(d.admin_name)
                if admin in names:
                    out.append(("admin_name", "管理员应是乡镇社保所的另一个人，不能是代收员或村委会负责人"))
            except InvalidNameError as exc:
                out.append(("admin_name", f"管理员姓名：{exc}"))
            problem = _pin_problem("管理员", "admin", d.admin_pin, d.admin_pin_again)
            if problem:
                out.append(("admin_pin_again" if "不一致" in problem else "admin_pin", problem))
    elif step is Step.ROSTER:
        if d.roster_source is RosterSource.SERVER and not d.roster_imported:
            if not d.server_url.strip():
                out.append(("server_url", "请填写县服务器地址"))
            if not d.enrol_code.strip():
                out.append(("enrol_code", "请填写县里给的注册码，再按“注册并下载”"))
            if d.server_url.strip() and d.enrol_code.strip():
                out.append((None, "请按“注册并下载”，等清册下载完成"))
        if d.roster_source is RosterSource.FILE and not d.roster_imported:
            out.append(("roster_path", "请选择清册文件并导入（或选择“稍后导入”）"))
    return out


class WizardFlow:
    def __init__(self, data: WizardData | None = None, *,
                 start: Step = Step.DEVICE) -> None:
        """start: where a half-finished earlier run left off (USERS when the device was
        written but no users were; ROSTER when both were)."""
        self.data = data or WizardData()
        self.start = start
        self.identity_written = ORDER.index(start) > ORDER.index(Step.USERS)
        self.step = start

    @property
    def index(self) -> int:
        return ORDER.index(self.step)

    def problems(self) -> list[str]:
        return problems(self.step, self.data)

    def field_problems(self) -> list[tuple[str | None, str]]:
        return field_problems(self.step, self.data)

    @property
    def writes_identity(self) -> bool:
        """Leaving this step writes the device, the configuration and the users (irreversible)."""
        return self.step is Step.USERS and not self.identity_written

    def advance(self) -> Step:
        found = self.problems()
        if found:
            raise WizardError(found)
        if self.step is Step.DONE:
            return self.step
        if self.step is Step.USERS:
            self.identity_written = True
        self.step = ORDER[self.index + 1]
        return self.step

    def can_go_back(self) -> bool:
        if self.step in (Step.DEVICE, self.start):
            return False
        return not (self.identity_written and self.step is Step.ROSTER)

    def back(self) -> Step:
        if self.can_go_back():
            self.step = ORDER[self.index - 1]
        return self.step

    def summary(self) -> list[tuple[str, str]]:
        d = self.data
        roster = {RosterSource.FILE: "已导入" if d.roster_imported else "未导入",
                  RosterSource.SERVER: "县服务器", RosterSource.LATER: "稍后导入"}[d.roster_source]
        return [("村", f"{d.village_name}（{d.village_code}）"),
                ("乡镇", f"{d.township_name or ''}（{d.township_code}）"),
                ("设备号", d.device_no), ("代收员", d.agent_name), ("村委会负责人", d.head_name),
                ("管理员", d.admin_name or "未设置（解锁和添加第二位负责人需由乡镇处理）"),
                ("征收清册", roster),
                ("打印机", f"{d.printer_uri or '未设置'}（{d.printer_width}mm）")]


def write_identity(desk: Desk, d: WizardData) -> None:
    """Write what leaving the users step commits: device, county configuration, two users."""
    # The configuration first: a bad file is refused before the irreversible identity is written.
    if d.config_path and not desk.users.list():  # a rerun after the users exist keeps the first
        desk.setup.import_config(Path(d.config_path).read_text(encoding="utf-8-sig"))
    if not desk.setup.initialised:
        desk.setup.init(village_code=d.village_code, village_name=d.village_name,
                        township_code=d.township_code, device_no=d.device_no,
                        township_name=d.township_name)
    existing = {u.name for u in desk.users.list()}
    by = None
    if d.admin_name.strip():  # the administrator first: then it adds the agent and the head
        if parse_name(d.admin_name) not in existing:
            desk.users.add(d.admin_name, Role.ADMIN, d.admin_pin)
        by = desk.users.authenticate(d.admin_name, d.admin_pin)
    for name, role, pin in ((d.agent_name, Role.AGENT, d.agent_pin),
                            (d.head_name, Role.HEAD, d.head_pin)):
        if parse_name(name) not in existing:
            desk.users.add(name, role, pin, by=by)


def roster_signer(desk: Desk, d: WizardData) -> UserInfo | None:
    """The agent typed on the users step signs the first roster import; None on a rerun of the
    wizard that starts at the roster step (the import then asks for a sign-in)."""
    if not (d.agent_name and d.agent_pin):
        return None
    try:
        return desk.users.authenticate(d.agent_name, d.agent_pin)
    except DaishouError:
        return None


def save_printer(desk: Desk, d: WizardData) -> None:
    """Where the printer is and its paper; a code page or image mode set earlier is kept."""
    width: PaperWidth = 80 if d.printer_width == 80 else 58
    desk.setup.save_printer(replace(desk.setup.printer(), uri=d.printer_uri.strip(), width_mm=width))
