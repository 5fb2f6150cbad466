"""The bundled demo village: `installer/dev.sh demo` sets it up and opens it.

With a display it opens the window on a persistent demo home; without one (a server, CI) it
runs a scripted day at the desk through the command line and prints the transcript.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from app.cli import main as cli_main
from app.cli.common import Context
from app.domain.records import Receipt
from app.services.desk import Desk
from app.storage.database import Clock, system_clock

DEMO = Path(__file__).resolve().parent.parent / "resources" / "demo"
AGENT, AGENT_PIN = "李代收", "1234"
HEAD, HEAD_PIN = "王村长", "567890"


def _say(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def demo_config(today: date) -> str:
    """The bundled county configuration with its newest year's collection window widened to take
    in `today` (a month before to half a year after): the demo village takes cash on whatever
    day it is run, without an override reason, as a real village does inside its window. The
    amounts, tiers and subsidies are the bundled ones."""
    config = json.loads((DEMO / "county-config.json").read_text(encoding="utf-8"))
    window = config["years"][max(config["years"], key=int)]["collection_window"]
    window["start"] = min(date.fromisoformat(window["start"]), today - timedelta(days=30)).isoformat()
    window["end"] = max(date.fromisoformat(window["end"]), today + timedelta(days=180)).isoformat()
    return json.dumps(config, ensure_ascii=False, indent=2)


def prepare(home: Path, clock: Clock = system_clock) -> bool:
    """Make `home` the demo village if it is not one yet; True when it was created now. A demo
    village made on an earlier day whose window has closed since gets the window widened again
    (a configuration import, confirmed by its village head, as any county change is)."""
    with Desk(home, clock=clock) as desk:
        if desk.setup.initialised:
            config = desk.setup.config
            if not config.years[max(config.years)].in_window(clock().date()):
                desk.setup.import_config(demo_config(clock().date()), by=desk.users.authenticate(HEAD, HEAD_PIN))
            return False
        desk.setup.init(village_code="341824100201", village_name="上庄村（示范）",
                        township_code="341824100", township_name="上庄镇", device_no=1)
        desk.setup.import_config(demo_config(desk.clock().date()))
        desk.users.add(AGENT, "agent", AGENT_PIN)
        desk.users.add(HEAD, "head", HEAD_PIN)
        head = desk.users.authenticate(HEAD, HEAD_PIN)
        desk.users.add("赵审核", "township", "4321", by=head)
        desk.roster.import_file(DEMO / "roster-2027.csv", by=head)
    return True


def _run(home: Path, argv: list[str], pins: tuple[str, ...] | list[str] = (), clock: Clock = system_clock) -> str:
    out, err = io.StringIO(), io.StringIO()
    ctx = Context(stdin=io.StringIO("".join(p + "\n" for p in pins)), stdout=out, stderr=err, clock=clock)
    code = cli_main(["--home", str(home), *argv], context=ctx)
    shown = " ".join(shlex.quote(a) for a in argv)
    _say(f"$ daishou {shown}" + (f"   # PIN 从标准输入：{len(pins)} 行" if pins else ""))
    text = (out.getvalue() + err.getvalue()).rstrip()
    _say("\n".join("  " + line for line in text.splitlines()) + (f"\n  (退出码 {code})" if code else ""))
    _say()
    return out.getvalue()


def _last_receipt(home: Path, clock: Clock) -> Receipt:
    with Desk(home, clock=clock) as desk:
        return desk.receipts.list()[-1]


def scripted(home: Path, clock: Clock = system_clock) -> None:
    """One day at the desk: a household pays, a mistake is voided, the day is settled and remitted."""
    prepare(home, clock)

    def run(argv: list[str], pins: tuple[str, ...] | list[str] = ()) -> str:
        return _run(home, argv, pins, clock)

    with Desk(home, clock=clock) as desk:
        household = desk.roster.household("341824197701025493")
        today = desk.clock().date().isoformat()
    lines: list[str] = []
    due_fen = 0
    for person in household:
        for due in person.dues:
            if not due.paid and due.due_fen:
                spec = f"{person.id_number}:{due.insurance.value}:{due.year}"
                if due.tier_fen:
                    spec += f":{due.tier_fen // 100}"
                lines += ["--line", spec]
                due_fen += due.due_fen
    cash = f"{(due_fen // 10000 + 1) * 100}"  # the payer hands over whole hundreds and gets change
    _say(f"示范村：{len(household)} 口之家一起缴费，代收员 {AGENT}，村委会负责人 {HEAD}\n")
    run(["receipt", "record", "--agent", AGENT, *lines, "--cash", cash], [AGENT_PIN])
    first = _last_receipt(home, clock)
    run(["receipt", "record", "--agent", AGENT, *lines[:2], "--cash", cash], [AGENT_PIN])
    run(["receipt", "void", first.number, "--reason", "档次选错，重开", "--agent", AGENT,
                "--head", HEAD], [AGENT_PIN, HEAD_PIN])
    run(["receipt", "record", "--agent", AGENT, *lines, "--cash", cash], [AGENT_PIN])
    again = _last_receipt(home, clock)
    run(["receipt", "list", "--date", today])
    run(["print", "receipt", again.number, "--printer", f"file://{home / 'receipt.bin'}"])
    counted = again.total_fen / 100
    run(["settle", "--date", today, "--counted", f"{counted:.2f}", "--agent", AGENT, "--head", HEAD],
         [AGENT_PIN, HEAD_PIN])
    run(["remit", "--amount", f"{counted:.2f}", "--slip", "农商行-0001", "--date", today,
                "--agent", AGENT], [AGENT_PIN])
    run(["cash"])
    run(["report", "ledger", "--date", today, "--out", str(home / "ledger.pdf")])
    run(["verify"])
    _say(f"数据、收据字节和台账 PDF 在 {home}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.demo")
    parser.add_argument("--home", help="demo data folder (default: .demo-home beside the program)")
    parser.add_argument("--script", action="store_true", help="run the scripted day even with a display")
    args = parser.parse_args(argv)
    home = Path(args.home) if args.home else DEMO.parent.parent / ".demo-home"
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform == "win32"
    if args.script or not has_display:
        if not args.script:
            _say("没有图形显示（DISPLAY 未设置）：改为用命令行演示一天的代收。\n"
                  "在桌面环境中运行同一命令即可打开窗口（或 xvfb-run installer/dev.sh demo）。\n")
        scripted(Path(tempfile.mkdtemp(prefix="daishou-demo-")))
        return 0
    if prepare(home):
        _say(f"已创建示范村数据：{home}（代收员 {AGENT} PIN {AGENT_PIN}，村委会负责人 {HEAD} PIN {HEAD_PIN}）")
    return cli_main(["--home", str(home), "gui"])


if __name__ == "__main__":
    sys.exit(main())
