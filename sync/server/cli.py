"""`daishou-server`: set up and run the county server, enrol devices, load what goes down.

Exit codes: 0 done, 1 refused (the message says why), 2 usage.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from app.version import version_line
from sync import protocol as p
from sync.server import keyfile, service
from sync.server import models as m
from sync.server.db import make_engine, migrate, session
from sync.server.service import ServerRefusal

DEFAULT_DB = "daishou-server.sqlite3"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="daishou-server", description="代收 county server")
    parser.add_argument("--db", default=DEFAULT_DB,
                        help="SQLite file path, or postgresql://user@host/db (default: %(default)s)")
    parser.add_argument("--key-file", help="the server's signing key (default: $DAISHOU_SERVER_KEY, else beside a "
                        "SQLite database as <db>.key, else ~/.local/share/daishou-server/)")
    parser.add_argument("--version", action="version", version=version_line("daishou-server"))
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create or migrate the database")
    sp = sub.add_parser("serve", help="run the HTTP server")
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8080)
    sp.add_argument("--workers", type=int, default=1)
    dev = sub.add_parser("device").add_subparsers(dest="device_command", required=True)
    sp = dev.add_parser("enrol", help="print a one-time code for one device")
    sp.add_argument("--village-code", required=True)
    sp.add_argument("--device-no", type=int, required=True)
    sp.add_argument("--village-name", default="")
    sp.add_argument("--hours", type=float, help="how long the code stays valid (default 24, --usb 720)")
    sp.add_argument("--usb", action="store_true",
                    help="a 16-character code a desk with no network types before its first USB export")
    user = sub.add_parser("user").add_subparsers(dest="user_command", required=True)
    sp = user.add_parser("add", help="county or township staff (password on stdin)")
    sp.add_argument("--name", required=True)
    sp.add_argument("--role", required=True, choices=["county", "township"])
    sp.add_argument("--township-code")
    sp = user.add_parser("password", help="set a staff member's password (on stdin); their sessions end")
    sp.add_argument("--name", required=True)
    roster = sub.add_parser("roster").add_subparsers(dest="roster_command", required=True)
    sp = roster.add_parser("load", help="征收清册, checked by the desk's own importer: one village's "
                           "(--village-code), or a township's split by its 村代码 column")
    sp.add_argument("file")
    sp.add_argument("--village-code")
    config = sub.add_parser("config").add_subparsers(dest="config_command", required=True)
    sp = config.add_parser("load", help="the county configuration (JSON)")
    sp.add_argument("file")
    payments = sub.add_parser("payments").add_subparsers(dest="payments_command", required=True)
    sp = payments.add_parser("load", help="payments through other channels (CSV: 村代码,证件号码,险种,缴费年度,金额,缴费渠道,缴费日期)")
    sp.add_argument("file")
    debit = sub.add_parser("debit").add_subparsers(dest="debit_command", required=True)
    sp = debit.add_parser("load", help="the tax office's list (.xlsx/.csv): no_agreement, resign or failed; "
                          "each row kept for its village's desks, bad rows named")
    sp.add_argument("file")
    sp.add_argument("--kind", required=True, choices=["no_agreement", "resign", "failed"])
    sp.add_argument("--day", help="the list's date YYYY-MM-DD (default: today)")
    sp.add_argument("--by", default="县级", help="who loads it (kept with the list)")
    sp = debit.add_parser("register", help="a township's 批量扣款清册 data file (written beside its PDF)")
    sp.add_argument("file")
    sp.add_argument("--township", help="refuse a 清册 of another township (the file's sender)")
    sp.add_argument("--by", default="县级", help="who receives it")
    sp = sub.add_parser("confirm", help="入库: the bank or tax office confirms a remittance slip")
    sp.add_argument("--slip", required=True)
    sp.add_argument("--amount", required=True, help="yuan")
    sp.add_argument("--date", required=True, help="YYYY-MM-DD")
    sp.add_argument("--village-code", help="the village whose slip it is (slips are numbered per village)")
    sp = sub.add_parser("import", help="a batch file a desk exported for a USB stick")
    sp.add_argument("file")
    sp.add_argument("--key", help="the county's age key file, for a sealed file (default: $DAISHOU_COUNTY_KEY)")
    sub.add_parser("check", help="re-walk every device's held chain with the rules; review each "
                                   "device's chain and count every village's progress again, and compare "
                                   "with what was kept as data arrived")
    places = sub.add_parser("places").add_subparsers(dest="places_command", required=True)
    sp = places.add_parser("load", help="township and village names (CSV: 代码,名称; 9-digit township or 12-digit village)")
    sp.add_argument("file")
    target = sub.add_parser("target").add_subparsers(dest="target_command", required=True)
    sp = target.add_parser("set", help="a 参保率/续费率 target for a year: the county's, a township's or a village's")
    sp.add_argument("--year", type=int, required=True, help="缴费年度")
    sp.add_argument("--measure", required=True, choices=["pension", "medical", "renewal-16-44", "renewal-45-59"],
                    help="pension/medical: 参保率; renewal-…: 养老续费率 of the age band")
    sp.add_argument("--percent", type=float, required=True)
    sp.add_argument("--scope", default="", help="9-digit township or 12-digit village code (default: the county)")
    sp = sub.add_parser("import-answers", help="a township's answers to 疑点, from its review window's file")
    sp.add_argument("file")
    sp.add_argument("--township", help="refuse answers for villages outside this township (the file's sender)")
    return parser


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    out, err, inp = stdout or sys.stdout, stderr or sys.stderr, stdin or sys.stdin
    args = build_parser().parse_args(argv)
    umask = os.umask(0o077)  # the database, its journal, the key file: readable by the server's account only
    key_env = os.environ.get(keyfile.ENV)
    if args.key_file:
        os.environ[keyfile.ENV] = args.key_file  # read by `serve --workers N` too
    try:
        return _run(args, inp, out)
    except ServerRefusal as exc:
        print(f"daishou-server: {exc.message}（{exc.code}）", file=err)
        return 1
    except (OSError, ValueError) as exc:
        print(f"daishou-server: {exc}", file=err)
        return 1
    finally:
        os.umask(umask)
        if args.key_file and key_env is None:
            del os.environ[keyfile.ENV]
        elif args.key_file and key_env is not None:
            os.environ[keyfile.ENV] = key_env


def _run(args: argparse.Namespace, inp: TextIO, out: TextIO) -> int:
    if args.command in ("init", "serve"):
        migrate(args.db)
        keyfile.secure_files(args.db)
        engine = make_engine(args.db)
        try:
            with session(engine) as s:
                key = service.server_public_key(s)  # moves an older database's key out into the file
        finally:
            engine.dispose()
    if args.command == "init":
        print(f"数据库已就绪：{args.db}\n签名密钥文件：{keyfile.key_path(args.db)}\n服务器公钥：{key}", file=out)
        return 0
    if args.command == "serve":
        import uvicorn

        from sync.server.app import create_app

        if args.workers > 1:  # one process per core, all on the same database
            os.environ["DAISHOU_SERVER_DB"] = args.db
            uvicorn.run("sync.server.app:app_from_environment", factory=True, host=args.host, port=args.port,
                        workers=args.workers, log_level="warning")
        else:
            uvicorn.run(create_app(args.db), host=args.host, port=args.port, log_level="warning")
        return 0
    engine = make_engine(args.db)
    try:
        return _command(args, engine, inp, out)
    finally:
        engine.dispose()


def _command(args: argparse.Namespace, engine: Any, inp: TextIO, out: TextIO) -> int:
    with session(engine) as s:
        if args.command == "device":
            service.ensure_village(s, args.village_code, args.village_name)
            from sync.usb_file import USB_CODE_LENGTH

            hours = args.hours if args.hours is not None else (720 if args.usb else 24)
            code = service.issue_enrolment_code(s, args.village_code, args.device_no, hours=hours,
                                                length=USB_CODE_LENGTH if args.usb else service.CODE_LENGTH)
            print("-".join(code[i:i + 4] for i in range(0, len(code), 4)), file=out)
        elif args.command == "user" and args.user_command == "password":
            from sync.server.staff_auth import reset_password

            reset_password(s, args.name, inp.readline().rstrip("\n"))
            print(f"已为 {args.name} 设置新密码，其登录已全部退出", file=out)
        elif args.command == "user":
            password = inp.readline().rstrip("\n")
            service.add_staff(s, args.name, args.role, password, args.township_code)
            print(f"已添加 {args.name}（{args.role}）", file=out)
        elif args.command == "roster":
            parts = ({args.village_code: Path(args.file)} if args.village_code
                     else _split_by_village(Path(args.file), Path(tempfile.mkdtemp(prefix="daishou-roster-"))))
            for village, part in sorted(parts.items()):
                rows = _roster_rows(s, part)
                version = service.load_roster(s, village, rows)
                print(f"{village} 清册第 {version} 版：{len(rows)} 行", file=out)
        elif args.command == "config":
            from app.domain.config import load_config_text

            text = Path(args.file).read_text(encoding="utf-8")
            load_config_text(text)  # refuse a file the desks could not read
            print(f"县级配置已载入（{service.load_config(s, text)[:12]}）", file=out)
        elif args.command == "payments":
            n = _payments(s, Path(args.file))
            print(f"已载入 {n} 条其他渠道缴费", file=out)
        elif args.command == "debit" and args.debit_command == "register":
            from sync.server.debit_register import receive

            kept = receive(s, Path(args.file).read_text(encoding="utf-8"), by=args.by, township=args.township)
            print(f"已收到乡镇 {kept.township_code} {kept.year} 年度批量扣款清册：{kept.people} 人，"
                  f"{kept.total_fen / 100:,.2f} 元", file=out)
        elif args.command == "debit":
            from sync.server.debit_lists import load_list

            path = Path(args.file)
            list_day = date.fromisoformat(args.day) if args.day else date.today()
            loaded = load_list(s, path.read_bytes(), file=path.name, list_kind=args.kind, day=list_day, by=args.by)
            for r in loaded.rejected:
                print(f"未载入：第 {r.row} 行「{r.column}」：{r.reason}", file=out)
            villages = "，".join(f"{v} {n} 行" for v, n in loaded.villages.items())
            print(f"第 {loaded.list_id} 号名单已载入 {loaded.accepted} 行（{villages}）"
                  + (f"，{len(loaded.rejected)} 行未载入" if loaded.rejected else ""), file=out)
        elif args.command == "confirm":
            from app.domain.money import parse_yuan

            day = date.fromisoformat(args.date).isoformat()
            n = service.confirm(s, args.slip, parse_yuan(args.amount, field="金额"), day, args.village_code)
            print(f"解缴单 {args.slip} 已确认入库" + ("" if n else "（县里还没有收到这张解缴单的上传）"), file=out)
        elif args.command == "import":
            from sync.server.usb_import import import_file

            raw = _batch_text(Path(args.file), args.key or os.environ.get("DAISHOU_COUNTY_KEY"))
            results = import_file(s, raw)
            for result in results:
                print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False), file=out)
            return 0 if results[-1].status is not p.BatchStatus.CONFLICT else 1
        elif args.command == "import-answers":
            from sync.server.answers import import_answers
            from sync.server.doubts import link_file_answers

            stored, held = import_answers(s, Path(args.file).read_text(encoding="utf-8"), township=args.township)
            linked = link_file_answers(s)  # answers to pushed 疑点 count in the loop (answered_at, who)
            print(f"已导入 {stored} 条疑点答复" + (f"（{held} 条此前已导入）" if held else "")
                  + (f"，其中 {linked} 条答复了县里推送的疑点" if linked else ""), file=out)
        elif args.command == "places":
            from sync.server.progress_targets import load_places

            text = Path(args.file).read_text(encoding="utf-8-sig")
            n_towns, n_villages = load_places(s, list(csv.reader(io.StringIO(text))))
            print(f"已载入 {n_towns} 个乡镇、{n_villages} 个村的名称", file=out)
        elif args.command == "target":
            from sync.server.progress import MEASURES
            from sync.server.progress_targets import set_target

            row = set_target(s, args.year, args.measure, args.percent, args.scope)
            print(f"{args.year}年度 {row.scope or '全县'} {MEASURES[row.measure]}目标：{row.percent_x100 / 100:g}%", file=out)
        elif args.command == "check":
            from sync.server import device_figures, township_count
            from sync.server.progress_count import verify

            checked = service.check_all(s)
            counts = verify(s)  # the progress kept per village against a full recount (corrected)
            counts += township_count.verify(s)  # and per township against the sum of its villages
            figures = device_figures.verify(s)  # each device's kept review figures against a review
            for problem in [*checked.problems, *counts, *figures]:
                print(problem, file=out)
            print(f"{checked.devices} 台设备，{checked.entries} 条记录，" +
                  ("全部完好" if not checked.problems else f"{len(checked.problems)} 处问题"), file=out)
            print("各村、乡镇征缴进度计数与重新统计" + ("一致" if not counts else f"有 {len(counts)} 处不一致，已改正"), file=out)
            print("各设备审核汇总与重新审核" + ("一致" if not figures else f"有 {len(figures)} 处不一致，已改正"), file=out)
            return 0 if not checked.problems and not counts and not figures else 1
    return 0


def _batch_text(path: Path, key: str | None) -> str:
    """A USB file as the desk wrote it: JSON, or JSON sealed with age to the county's key."""
    from app.services import sealing

    if not sealing.is_sealed(path):
        return path.read_text(encoding="utf-8")
    if not key:
        raise ServerRefusal(400, "sealed", f"{path.name} is sealed: give the county's key file with --key")
    from app.services.errors import InvalidInput

    try:
        with tempfile.TemporaryDirectory() as scratch, \
                sealing.opened(path, sealing.read_key_file(Path(key)), Path(scratch)) as plain:
            return plain.read_text(encoding="utf-8")
    except InvalidInput as exc:
        raise ServerRefusal(400, "sealed", exc.message) from None


def _roster_rows(s: Any, path: Path) -> list[dict[str, Any]]:
    """Read the county's file with the desk's own importer and checks, against the newest county
    configuration; any rejected row refuses the whole file (the county fixes it first)."""
    from sqlmodel import col, select

    from app.domain.config import load_config_text
    from app.domain.money import format_fen
    from app.services.roster.columns import Column
    from app.services.roster.importer import RosterFileError, read_roster

    newest = s.exec(select(m.CountyConfigVersion).order_by(col(m.CountyConfigVersion.id).desc())).first()
    if newest is None:
        raise ServerRefusal(409, "no_config", "请先载入县级配置（daishou-server config load FILE）")
    try:
        read = read_roster(path, load_config_text(newest.text), date.today(), None)
    except RosterFileError as exc:
        raise ServerRefusal(400, "bad_roster", f"无法读取 {path.name}：{exc}") from None
    if read.rejected:
        first = read.rejected[0]
        raise ServerRefusal(400, "bad_roster", f"{path.name} 有 {len(read.rejected)} 行不合格，例如第{first.row}行"
                                               f" {first.column}：{first.reason}")
    return [{Column.ID_NUMBER: r.id_number, Column.NAME: r.name, Column.INSURANCE: r.insurance,
             Column.YEAR: r.year, Column.TIER: format_fen(r.tier_fen) if r.tier_fen is not None else "",
             Column.AMOUNT: format_fen(r.amount_fen) if r.amount_fen is not None else "",
             Column.CATEGORY: r.category, Column.GROUP: r.group, Column.HOUSEHOLD_NO: r.household_no,
             Column.HOUSEHOLD_HEAD: r.household_head, Column.PHONE: r.phone,
             Column.STATUS: "已缴" if r.paid_elsewhere else "", Column.CHANNEL: r.paid_elsewhere or ""}
            for r in read.accepted]


VILLAGE_COLUMNS = ("村代码", "行政村代码", "村级代码", "村（社区）代码", "村社区代码")


def _split_by_village(path: Path, folder: Path) -> dict[str, Path]:
    """A township's file with a 村代码 column, as one CSV per village (the header kept), each then
    read by the desk's own importer like a village's file."""
    from app.domain.receipt_numbers import validate_village_code
    from app.services.roster.files import cell_text, open_sheets

    by_village: dict[str, list[list[str]]] = {}
    header: list[str] | None = None
    column = -1
    with open_sheets(path) as sheets:
        for _name, rows in sheets:
            for number, cells in rows:
                texts = [cell_text(c) for c in cells]
                if header is None:
                    found = [i for i, t in enumerate(texts) if t.replace(" ", "") in VILLAGE_COLUMNS]
                    if found:
                        header, column = texts, found[0]
                    continue
                if not any(texts):
                    continue
                code = texts[column] if column < len(texts) else ""
                try:
                    village = validate_village_code(code)
                except ValueError:
                    raise ServerRefusal(400, "bad_roster", f"{path.name} 第{number}行：村代码「{code[:20]}」不是12位村代码") from None
                by_village.setdefault(village, []).append(texts)
            break  # the first sheet is the roster
    if header is None:
        raise ServerRefusal(400, "bad_roster", f"{path.name} 没有“村代码”列：一个村的清册请加 --village-code 载入")
    out: dict[str, Path] = {}
    for village, lines in by_village.items():
        part = folder / f"{village}.csv"
        with open(part, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(lines)
        out[village] = part
    return out


def _payments(s: Any, path: Path) -> int:
    from app.domain.config import parse_year
    from app.domain.ids import parse_id_number
    from app.domain.insurance import Insurance
    from app.domain.money import parse_yuan

    text = path.read_text(encoding="utf-8-sig")
    n = 0
    villages: set[str] = set()
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            service.add_payment(s, row["村代码"].strip(), parse_id_number(row["证件号码"]).value,
                                Insurance.parse(row["险种"]).value, parse_year(row["缴费年度"]),
                                parse_yuan(row["金额"]), row["缴费渠道"].strip() or "其他渠道",
                                date.fromisoformat(row["缴费日期"].strip()).isoformat())
        except (KeyError, ValueError) as exc:
            raise ServerRefusal(400, "bad_payments", f"{path.name} 第{number}行：{exc}") from None
        villages.add(row["村代码"].strip())
        n += 1
    s.flush()
    for village in sorted(villages):
        service.fold_payments(s, village)
    return n


if __name__ == "__main__":
    raise SystemExit(main())
