"""Every message a person reads in the window says what they can do there, on this PC, or whom
to call: never a command line (`daishou …`, `--flag`) and never 「请管理员添加」 in a village that
may have no administrator. The command line's form of a step goes in `command=` (printed by the
command line only, tested in test_cli) or in the command line's own modules.

Read from the source, as a reviewer would grep it: every Chinese string literal in the window's
modules and in the services, protocol client and renderers whose refusals the window shows."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WINDOW_FACING = [*sorted((ROOT / "ui").glob("*.py")), *sorted((ROOT / "app" / "services").rglob("*.py")),
                 ROOT / "app" / "domain" / "config.py", ROOT / "sync" / "client.py", ROOT / "sync" / "messages.py", ROOT / "sync" / "keys.py",
                 ROOT / "printing" / "reports.py"]
COMMAND_LINE_ONLY = {"ui/cli.py", "ui/screenshots.py"}  # argparse help, a developer's tool
# Texts only the command line can reach, each with why.
REACHED_FROM_THE_COMMAND_LINE_ONLY = {
    "--home": "the data folder given on the command line (`daishou … --home`, `daishou gui --home`)",
    "命令行：--by 姓名": "the window always passes the signed-in user (roster import without --by)",
    "或命令行正在运行？": "a cause named, not an instruction: the file is locked by another program",
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FORBIDDEN = re.compile(r"daishou [a-z]|(?<![\w-])--[a-z]|请管理员添加|命令行")


def _skipped(tree: ast.AST) -> set[int]:
    """Strings that are the command line's own: command=… arguments, the COMMANDS table, docstrings."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "command":
            out |= {id(n) for n in ast.walk(node.value)}
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "COMMANDS" for t in node.targets):
            out |= {id(n) for n in ast.walk(node.value)}
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Module | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def window_texts() -> list[tuple[str, int, str]]:
    found = []
    for path in WINDOW_FACING:
        rel = path.relative_to(ROOT).as_posix()
        if rel in COMMAND_LINE_ONLY:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _skipped(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
                    and CHINESE.search(node.value)):
                found.append((rel, node.lineno, node.value))
    return found


def test_no_window_message_sends_a_person_to_the_command_line() -> None:
    texts = window_texts()
    assert len(texts) > 500  # the scan reads the window's texts at all
    bad = [f"{rel}:{line}: {text}" for rel, line, text in texts
           if FORBIDDEN.search(text) and not any(k in text for k in REACHED_FROM_THE_COMMAND_LINE_ONLY)]
    assert bad == []


def test_the_command_line_still_names_its_own_command(tmp_path: Path) -> None:
    from app.services.errors import Refused
    from sync.messages import SyncError

    assert SyncError("not_enrolled", "…").command == "daishou enrol --server 地址 --code 注册码"
    assert Refused("x", command="daishou receipt-book add").command == "daishou receipt-book add"
