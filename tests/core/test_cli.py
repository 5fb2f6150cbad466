"""The command line as county IT scripts drive it: spellings, PINs on stdin, JSON, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.cli.common import Context
from app.services.sealing import desk_identities, unseal
from app.version import version
from tests.factories import AYGUL, CONFIG_PATH, VILLAGE, ZHANG, ZHANG_WIFE, FakeClock, write_roster

ROOT = Path(__file__).resolve().parents[2]


class Cli:
    def __init__(self, home: Path, clock: FakeClock) -> None:
        self.home, self.clock = home, clock

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        ctx = Context(stdin=io.StringIO(stdin), stdout=out, stderr=err, clock=self.clock)
        code = main(["--home", str(self.home), *argv], context=ctx)
        return code, out.getvalue(), err.getvalue()

    def json(self, *argv: str, stdin: str = "") -> Any:
        code, out, err = self(*argv, "--json", stdin=stdin)
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def cli(tmp_path: Path, clock: FakeClock) -> Cli:
    return set_up_cli(tmp_path, clock)


def set_up_cli(tmp_path: Path, clock: FakeClock) -> Cli:
    c = Cli(tmp_path / "home", clock)
    assert c("init", "--village-code", "341824100201", "--village-name", "示范村",
             "--township-code", "341824100", "--device-no", "1")[0] == 0
    assert c("user", "add", "--name", "李代收", "--role", "agent", stdin="1234\n")[0] == 0
    assert c("user", "add", "--name", "王村长", "--role", "head", stdin="567890\n")[0] == 0
    assert c("config", "import", str(CONFIG_PATH), "--by", "王村长", stdin="567890\n")[0] == 0
    roster = c.json("roster", "import", str(write_roster(tmp_path / "r.csv", VILLAGE)), "--by", "李代收",
                    stdin="1234\n")
    assert (roster["imported"], roster["rejected"]) == (6, [])
    return c


def test_record_void_settle_remit_verify(cli: Cli) -> None:
    r = cli.json("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG.id_number}:pension:2027:500",
                 "--line", f"{ZHANG.id_number}:medical:2027", "--line", f"{ZHANG_WIFE.id_number}:medical:2027",
                 "--cash", "1400", stdin="1234\n")
    assert r["number"] == "341824100201-01-000001"
    assert r["total_fen"] == 130000
    assert [ln["amount_fen"] for ln in r["lines"]] == [50000, 40000, 40000]
    assert len(r["hash"]) == 64
    second = cli.json("receipt", "record", "--agent", "李代收", "--line", f"{AYGUL.id_number}:medical:2027",
                      "--cash", "400", stdin="1234\n")
    voided = cli.json("receipt", "void", second["number"], "--reason", "重复收款", "--agent", "李代收",
                      "--head", "王村长", stdin="1234\n567890\n")
    assert voided["status"] == "voided"
    listed = cli.json("receipt", "list", "--date", "2026-11-20")
    assert [(x["number"], x["status"]) for x in listed] == [
        ("341824100201-01-000001", "valid"), ("341824100201-01-000002", "voided")]
    assert listed[0]["signoffs"] == {"payer": "paper", "agent": "李代收", "head": None}
    st = cli.json("settle", "--date", "2026-11-20", "--counted", "1300", "--agent", "李代收",
                  "--head", "王村长", stdin="1234\n567890\n")
    assert {k: st[k] for k in ("date", "expected_fen", "counted_fen", "difference_fen", "receipts", "voids")} == {
        "date": "2026-11-20", "expected_fen": 130000, "counted_fen": 130000, "difference_fen": 0,
        "receipts": 1, "voids": 1}
    assert cli.json("receipt", "list")[0]["signoffs"]["head"]["name"] == "王村长"
    assert cli("remit", "--amount", "1300", "--slip", "BK20261120", "--date", "2026-11-20",
               "--agent", "李代收", stdin="1234\n")[0] == 0
    assert cli.json("cash")["on_hand_fen"] == 0
    # the device, the configuration, two users, the roster, two receipts, a void, a settlement,
    # a remittance
    assert cli.json("verify") == {"ok": True, "entries": 10, "first_bad_seq": None, "reason": None,
                                  "note": None}


def test_pins_are_read_in_the_order_the_users_are_named(cli: Cli) -> None:
    r = cli.json("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG.id_number}:medical:2027",
                 "--cash", "400", stdin="1234\n")
    code, _, err = cli("receipt", "void", r["number"], "--reason", "x", "--agent", "李代收",
                       "--head", "王村长", stdin="567890\n1234\n")
    assert code == 1
    assert err == "daishou: 「李代收」的密码错误，还可再试4次\n"


def test_refusal_is_one_line_on_stderr_with_nonzero_exit(cli: Cli) -> None:
    args = ("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG.id_number}:medical:2027",
            "--cash", "400")
    assert cli(*args, stdin="1234\n")[0] == 0
    code, out, err = cli(*args, stdin="1234\n")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "已用收据 341824100201-01-000001 收取现金" in err


def test_override_reason_and_explicit_amount(cli: Cli) -> None:
    line = f"{ZHANG.id_number}:pension:2027:500:450"
    code, _, err = cli("receipt", "record", "--agent", "李代收", "--line", line, "--cash", "450",
                       stdin="1234\n")
    assert code == 1 and "金额 450.00 元与应缴 500.00 元不符" in err
    r = cli.json("receipt", "record", "--agent", "李代收", "--line", line, "--cash", "450",
                 "--override-reason", "村里垫付50元", stdin="1234\n")
    assert r["override_reason"] == "村里垫付50元"


def record_argv(line: str, cash: str) -> tuple[str, ...]:
    """`daishou receipt record` by the agent: one line (ID:insurance:year[:tier]) and the cash."""
    return ("receipt", "record", "--agent", "李代收", "--line", line, "--cash", cash)


def settle_argv(day: str, *count: str) -> tuple[str, ...]:
    """`daishou settle` of `day` by the agent and the head, with the cash as counted
    (`--counted 400` or `--denominations 100=4`)."""
    return ("settle", "--date", day, *count, "--agent", "李代收", "--head", "王村长")


def remit_argv(amount: str, day: str = "2026-11-20", slip: str = "X") -> tuple[str, ...]:
    """`daishou remit` of `amount` yuan by the agent, on `day`, with the bank's slip number."""
    return ("remit", "--amount", amount, "--slip", slip, "--date", day, "--agent", "李代收")


@pytest.mark.parametrize(("argv", "message"), [
    (record_argv("123:medical", "1"), "格式应为"),
    (record_argv(f"{ZHANG.id_number}:pension:2027", "1"), "养老保险需要档次"),
    (record_argv(f"{ZHANG.id_number}:dental:2027", "1"), "未知险种「dental」"),
    (settle_argv("2026-13-01", "--counted", "0"), "日期「2026-13-01」应为 YYYY-MM-DD"),
    (settle_argv("2026-11-20", "--denominations", "3=1"), "面额「3」不认识"),
    (remit_argv("-1"), "不能为负数"),
])
def test_bad_arguments_are_named(cli: Cli, argv: tuple[str, ...], message: str) -> None:
    code, _, err = cli(*argv, stdin="1234\n567890\n")
    assert code == 1
    assert message in err


def test_missing_pin_on_stdin_is_named(cli: Cli) -> None:
    code, _, err = cli("receipt", "record", "--agent", "李代收", "--line",
                       f"{ZHANG.id_number}:medical:2027", "--cash", "400", stdin="")
    assert code == 1 and "没有从标准输入读到「李代收」的 PIN" in err


def test_commands_before_init_say_so(tmp_path: Path, clock: FakeClock) -> None:
    code, _, err = Cli(tmp_path / "empty", clock)("receipt", "list")
    assert code == 3 and "新设备请先运行 daishou init" in err


def test_config_show_prints_the_county_configuration(cli: Cli) -> None:
    shown = cli.json("config", "show")
    assert shown["years"]["2027"]["medical_yuan"] == 400
    assert shown["years"]["2027"]["subsidies_yuan"]["低保"] == {"medical": 280, "pension": 100}


def test_installed_console_script_and_exit_codes(tmp_path: Path) -> None:
    """The real `python -m app.cli` process: one line on stderr, exit 2 for usage."""
    proc = subprocess.run([sys.executable, "-m", "app.cli", "--home", str(tmp_path), "receipt", "frobnicate"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.startswith("daishou: 参数错误") and proc.stderr.count("\n") == 1


def test_every_command_prints_its_help() -> None:
    """`daishou --help` and `daishou COMMAND [SUB] --help` for every command: argparse formats
    each help text with %, so a bare % in one (不少于10%) crashed the whole top-level help."""
    import argparse

    from app.cli import build_parser

    def helps(parser: argparse.ArgumentParser) -> list[str]:
        texts = [parser.format_help()]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for child in dict.fromkeys(action.choices.values()):
                    texts += helps(child)
        return texts

    texts = helps(build_parser())
    assert len(texts) > 40  # every command and subcommand of app/, printing, the window and sync
    assert any("随机抽查不少于10%的收据" in t for t in texts)
    proc = subprocess.run([sys.executable, "-m", "app.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "ledger-scan" in proc.stdout and "gui" in proc.stdout


def test_data_home_comes_from_flag_then_environment_then_platform(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.database import default_home

    monkeypatch.setenv("DAISHOU_HOME", str(tmp_path / "from-env"))
    assert default_home() == tmp_path / "from-env"
    ctx = Context(stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO())
    assert main(["init", "--village-code", "341824100201", "--village-name", "示范村",
                 "--township-code", "341824100", "--device-no", "2"], context=ctx) == 0
    assert (tmp_path / "from-env" / "daishou.sqlite3").exists()
    monkeypatch.delenv("DAISHOU_HOME")
    assert default_home().name == "Daishou"


def test_refund_request_from_the_command_line(cli: Cli) -> None:
    r = cli.json("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG.id_number}:medical:2027",
                 "--cash", "400", stdin="1234\n")
    assert cli("settle", "--date", "2026-11-20", "--counted", "400", "--agent", "李代收",
               "--head", "王村长", stdin="1234\n567890\n")[0] == 0
    refunded = cli.json("receipt", "refund", r["number"], "--reason", "银行已代扣，重复缴费",
                        "--agent", "李代收", "--head", "王村长", stdin="1234\n567890\n")
    assert refunded["refund_request"]["amount_fen"] == 40000
    assert refunded["refund_request"]["reason"] == "银行已代扣，重复缴费"


def settle_with_backup(cli: Cli, usb: Path) -> Path:
    """A receipt and the day settled, with `usb` as the backup folder: the copy settling made."""
    from app.services.desk import Desk

    with Desk(cli.home, clock=cli.clock) as desk:
        desk.setup.set_setting("backup.dir", str(usb))
    cli.json("receipt", "record", "--agent", "李代收", "--line", f"{ZHANG.id_number}:medical:2027",
             "--cash", "400", stdin="1234\n")
    st = cli.json("settle", "--date", "2026-11-20", "--counted", "400", "--agent", "李代收",
                  "--head", "王村长", stdin="1234\n567890\n")
    return Path(st["backup"])


def test_settlement_backs_up_to_the_configured_folder(cli: Cli, tmp_path: Path) -> None:
    from app.services.desk import Desk

    usb = tmp_path / "usb"
    copy = settle_with_backup(cli, usb)
    assert copy.parent == usb and copy.name == f"daishou-341824100201-01-20261120-090000-v{version()}.sqlite3.age"
    restored = tmp_path / "restored"
    restored.mkdir()
    unseal(copy, restored / "daishou.sqlite3", desk_identities(cli.home))  # sealed to this desk's key
    with Desk(restored) as desk:
        assert [r.number for r in desk.receipts.list()] == ["341824100201-01-000001"]
        assert desk.verify().ok


def test_a_missing_backup_folder_warns_but_the_day_is_settled(cli: Cli, tmp_path: Path) -> None:
    from app.services.desk import Desk

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with Desk(cli.home, clock=cli.clock) as desk:
        desk.setup.set_setting("backup.dir", str(blocker / "sub"))
    code, out, err = cli("settle", "--date", "2026-11-20", "--counted", "0", "--agent", "李代收",
                         "--head", "王村长", "--json", stdin="1234\n567890\n")
    assert code == 0 and json.loads(out)["backup"] is None
    assert "警告：日结已完成，但无法使用备份文件夹" in err


def test_backup_command_needs_a_folder(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("backup")
    assert code == 1 and "没有设置备份文件夹" in err
    made = cli.json("backup", "--to", str(tmp_path / "b"))
    assert Path(made["path"]).exists() and made["entries"] == 5  # the device, the configuration, two users, the roster


def test_user_add_needs_the_head_once_one_exists(cli: Cli) -> None:
    code, _, err = cli("user", "add", "--name", "假村长", "--role", "head", stdin="111111\n")
    assert code == 1 and "添加用户需要村委会负责人或管理员确认" in err
    added = cli.json("user", "add", "--name", "张会计", "--role", "agent", "--by", "王村长",
                     stdin="2222\n567890\n")
    assert added == {"name": "张会计", "role": "agent"}


def test_a_head_with_a_short_pin_from_an_older_version_changes_it_on_the_command_line(
        tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from app.services.users import hash_pin
    from tests.legacy import older_release

    with older_release(monkeypatch):  # users of the release before signing keys
        cli = set_up_cli(tmp_path, clock)
    # An older version let heads have 4 digits: make 王村长's PIN 4321 as it would have stored it.
    home = cli.home
    conn = sqlite3.connect(home / "daishou.sqlite3")
    salt = b"0123456789abcdef"
    conn.execute("UPDATE user SET pin_salt = ?, pin_hash = ?, pin_kdf = 'scrypt$16384$8$1' "
                 "WHERE name = '王村长'", (salt, hash_pin("4321", salt, "scrypt$16384$8$1")))
    conn.commit()
    conn.close()
    code, _, err = cli("user", "add", "--name", "张会计", "--role", "agent", "--by", "王村长",
                       stdin="2222\n4321\n")
    assert code == 1 and "密码太短" in err and "daishou user pin --name 王村长" in err
    code, _, err = cli("user", "pin", "--name", "王村长", stdin="4321\n9876\n")
    assert code == 1 and "6–12 位数字" in err  # the new one must be long enough too
    assert cli.json("user", "pin", "--name", "王村长", stdin="4321\n987654\n") == {
        "name": "王村长", "changed": True}
    assert cli("user", "add", "--name", "张会计", "--role", "agent", "--by", "王村长",
               stdin="2222\n987654\n")[0] == 0


def test_a_mistyped_home_is_an_error_and_creates_nothing(tmp_path: Path, clock: FakeClock) -> None:
    typo = Cli(tmp_path / "hoem", clock)
    for argv in (("verify",), ("cash", "--json"), ("receipt", "list")):
        code, _, err = typo(*argv)
        assert code == 3 and "中没有账本" in err and "--home" in err
    assert not (tmp_path / "hoem").exists()


def test_an_emptied_ledger_file_fails_verify_and_refuses_work(cli: Cli) -> None:
    (cli.home / "daishou.sqlite3").write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        (cli.home / f"daishou.sqlite3{suffix}").unlink(missing_ok=True)
    code, out, _ = cli("verify", "--json")
    assert code == 5 and "是空的（0 字节）" in out
    code, _, err = cli("cash")
    assert code == 4 and "是空的（0 字节）" in err


def test_an_administrator_unlocks_and_resets_on_the_command_line(tmp_path: Path, clock: FakeClock) -> None:
    cli = Cli(tmp_path / "admin-home", clock)
    assert cli("init", "--village-code", "341824100201", "--village-name", "示范村",
               "--township-code", "341824100", "--device-no", "1")[0] == 0
    # the township's administrator is made first; then it adds the agent and the head
    assert cli("user", "add", "--name", "孙管理", "--role", "admin", stdin="864209\n")[0] == 0
    assert cli("user", "add", "--name", "李代收", "--role", "agent", "--by", "孙管理", stdin="1234\n864209\n")[0] == 0
    assert cli("user", "add", "--name", "王村长", "--role", "head", "--by", "孙管理", stdin="567890\n864209\n")[0] == 0
    code, _, err = cli("user", "add", "--name", "赵村长", "--role", "head", "--by", "王村长", stdin="135790\n567890\n")
    assert code == 1 and "添加村委会负责人需要管理员确认" in err
    for _ in range(5):
        cli("user", "pin", "--name", "李代收", stdin="0000\n2468\n")
    code, _, err = cli("user", "pin", "--name", "李代收", stdin="1234\n2468\n")
    assert code == 1 and "已锁定" in err
    code, _, err = cli("user", "unlock", "--name", "李代收", "--by", "王村长", stdin="567890\n")
    assert code == 1 and "需要管理员" in err
    assert cli.json("user", "unlock", "--name", "李代收", "--by", "孙管理", stdin="864209\n") == {
        "name": "李代收", "unlocked_by": "孙管理"}
    assert cli.json("user", "reset-pin", "--name", "李代收", "--by", "孙管理",
                    stdin="864209\n8642\n") == {"name": "李代收", "reset_by": "孙管理"}
    assert cli("user", "pin", "--name", "李代收", stdin="8642\n2468\n")[0] == 0
    assert cli.json("verify")["ok"] is True


_BLOCK_HEAVY = """
import importlib.abc, sys
HEAVY = {"sqlalchemy", "sqlmodel", "pypinyin", "PIL", "qrcode", "escpos", "reportlab", "PySide6", "httpx"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in HEAVY:
            raise ImportError(f"{name} imported by a command that only reads")
sys.meta_path.insert(0, Block())
from app.cli import main
sys.exit(main())
"""


def test_the_reading_commands_answer_without_the_orm_pinyin_or_printing(cli: Cli) -> None:
    """cash, verify and receipt list are what a county script runs again and again: they give
    the same answers without importing SQLAlchemy (0.3 s), pypinyin or the printing stack,
    which is what keeps them within 0.3 s (`installer/dev.sh bench cli`)."""
    cli.json("receipt", "record", "--agent", "李代收", "--line", f"{AYGUL.id_number}:medical:2027",
             "--cash", "400", stdin="1234\n")

    def run(*argv: str) -> Any:
        proc = subprocess.run([sys.executable, "-c", _BLOCK_HEAVY, "--home", str(cli.home), *argv, "--json"],
                              capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    assert run("cash")["unsettled_fen"] == 40000
    listed = run("receipt", "list")
    assert [(r["number"], r["total_fen"], r["payer"]["name"], r["status"]) for r in listed] == [
        ("341824100201-01-000001", 40000, AYGUL.name, "valid")]
    assert listed == cli.json("receipt", "list")  # the same receipts as the in-process command
    checked = run("verify")
    assert checked["ok"] is True and checked["entries"] == cli.json("verify")["entries"] > 0


def test_month_show_and_close(cli: Cli) -> None:
    cli.json("receipt", "record", "--agent", "李代收", "--line", f"{AYGUL.id_number}:medical:2027", "--cash", "400",
             stdin="1234\n")
    cli.json("settle", "--date", "2026-11-20", "--counted", "400", "--agent", "李代收", "--head", "王村长",
             stdin="1234\n567890\n")
    shown = cli.json("month", "show", "--month", "2026-11")
    assert (shown["receipts"], shown["on_hand_fen"], shown["closed"]) == (1, 40000, False)
    code, _out, err = cli("month", "close", "--month", "2026-11", "--counted", "400", "--agent", "李代收",
                          "--head", "王村长", stdin="1234\n567890\n")
    assert code == 1 and "尚未结束" in err
    cli.clock.now = cli.clock.now.replace(day=30, hour=18)
    code, out, err = cli("month", "close", "--month", "2026-11", "--counted", "400", "--agent", "李代收",
                         "--head", "王村长", stdin="1234\n567890\n")
    assert code == 0, err
    assert "2026-11：收据 1 张" in out and "差额 0.00 元，已月结" in out
    assert cli.json("month", "show", "--month", "2026-11")["closed"] is True
    code, _out, err = cli("month", "close", "--month", "2026-1", "--counted", "0", "--agent", "李代收",
                          "--head", "王村长", stdin="1234\n567890\n")
    assert code == 1 and "YYYY-MM" in err
