"""Roster benchmark: import against bare reading of the same file, search p50/p95 per query kind.

    python -m tests.bench roster

Import of a 100,000-row .xlsx is compared with bare iteration of that file by the fastest reader
available (python-calamine, which the importer uses) in the same run, and openpyxl's read-only
iteration is printed beside it for reference; likewise the .csv with bare csv reading. Each
import runs three times, each into a new desk, and prints the median run with its stages (read,
validate, pinyin keys, insert, digest, commit) in seconds; the first run of the process also
loads pypinyin and the keyring (about 0.1 s), so every run's time is printed too. Search is timed through
`Desk.roster.search` (index lookup plus the two queries that fetch dues and payments for up to 50
results) at 5,000 people (a village) and 100,000 (a township). Figures are printed, not asserted.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook

from app.domain.ids import check_character
from app.services.desk import Desk

CONFIG = Path(__file__).resolve().parents[2] / "resources" / "demo" / "county-config.json"
NOW = datetime(2026, 10, 15, 10, 0)
HEADER = ["序号", "证件号码", "姓名", "险种", "缴费年度", "缴费档次", "应缴金额", "人员类别",
          "村民小组", "户号", "户主姓名", "联系电话", "缴费状态"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解仇区朴查盖"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽䶮"
KINDS = ("name_whole", "name_start", "name_part", "pinyin_initials", "pinyin_full_prefix",
         "id_last4", "id_last6", "id_full", "phone", "group")


def make_people(n: int, seed: int = 2027) -> list[list[object]]:
    """n roster rows, one per person (pension or medical), households of about three."""
    rnd = random.Random(seed)
    rows: list[list[object]] = []
    seen: set[str] = set()
    born0 = date(1940, 1, 1)
    regions = [f"3418{d:02d}" for d in range(21, 99)]
    while len(rows) < n:
        born = born0 + timedelta(days=rnd.randrange(365 * 70))
        first17 = f"{rnd.choice(regions)}{born:%Y%m%d}{rnd.randrange(1000):03d}"
        idn = first17 + check_character(first17)
        if idn in seen:
            continue
        seen.add(idn)
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))
        i = len(rows)
        household = f"{i // 3:06d}"
        pension = rnd.random() < 0.4
        phone = f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}" if i % 3 == 0 else ""
        rows.append([i + 1, idn, name, "养老" if pension else "医疗", 2027,
                     rnd.choice((200, 300, 500, 1000)) if pension else "", "", "一般",
                     f"第{i % 40 + 1}组", household, name, phone,
                     "已缴" if rnd.random() < 0.05 else ""])
    return rows


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("清册")
    sheet.append(["示范镇2027年度城乡居民两险征收清册"])
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    sheet.append(["合计"])
    book.save(path)


def write_csv(path: Path, rows: list[list[object]]) -> None:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(HEADER)
    out.writerows(rows)
    path.write_bytes(buf.getvalue().encode("gb18030"))


IMPORT_RUNS = 3


def new_desk(home: Path) -> Desk:
    desk = Desk(home, clock=lambda: NOW)
    desk.setup.init(village_code="341824100201", village_name="示范村", township_code="341824100",
                    device_no=1)
    desk.setup.import_config(CONFIG.read_text(encoding="utf-8"))
    return desk


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bare_calamine(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    try:
        return sum(1 for _ in book.get_sheet_by_index(0).iter_rows())
    finally:
        book.close()


def bare_xlsx(path: Path) -> int:
    book = load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def bare_csv(path: Path) -> int:
    text = path.read_bytes().decode("gb18030")
    return sum(1 for _ in csv.reader(io.StringIO(text)))


def queries(rows: list[list[object]], kind: str, rnd: random.Random, n: int) -> list[str]:
    picks = [rnd.choice(rows) for _ in range(n)]
    from app.services.roster.pinyin import name_keys

    out = []
    for r in picks:
        idn, name = str(r[1]), str(r[2])
        out.append({
            "name_whole": name, "name_start": name[:1], "name_part": name[-1],
            "pinyin_initials": name_keys(name)[0][0], "pinyin_full_prefix": name_keys(name)[1][0][:5],
            "id_last4": idn[-4:], "id_last6": idn[-6:], "id_full": idn,
            "phone": str(r[11]) or str(rows[0][11]), "group": str(r[8]),
        }[kind])
    return out


def search_figures(desk: Desk, rows: list[list[object]], per_kind: int = 200) -> dict[str, object]:
    rnd = random.Random(7)
    build = timed(lambda: desk.roster.index())
    figures: dict[str, object] = {"index_build_s": round(build, 3)}
    for kind in KINDS:
        times = []
        for q in queries(rows, kind, rnd, per_kind):
            start = time.perf_counter()
            desk.roster.search(q)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        figures[kind] = {"p50_ms": round(statistics.median(times), 3),
                         "p95_ms": round(times[int(len(times) * 0.95) - 1], 3),
                         "max_ms": round(times[-1], 3)}
    return figures


def before_index_figures(desk: Desk, rows: list[list[object]], per_kind: int = 40) -> dict[str, object]:
    """Searches answered while the index is still being built (the first seconds after login):
    the roster is scanned by one statement instead. Goal: the first search within 0.5 s."""
    rnd = random.Random(11)
    roster = desk.roster
    figures: dict[str, object] = {"goal_ms": 500}
    for kind in KINDS:
        times = []
        for q in queries(rows, kind, rnd, per_kind):
            roster._index = None  # nothing built yet, and another thread is building it
            with roster._index_lock:
                start = time.perf_counter()
                roster.search(q)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        figures[kind] = {"p50_ms": round(statistics.median(times), 1), "max_ms": round(times[-1], 1)}
    return figures


def main() -> dict[str, object]:
    result: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = make_people(100_000)
        xlsx, csv_path = folder / "township.xlsx", folder / "township.csv"
        write_xlsx(xlsx, rows)
        write_csv(csv_path, rows)
        result["openpyxl_read_xlsx_100k_s"] = round(timed(lambda: bare_xlsx(xlsx)), 2)
        for label, path, bare in (("xlsx", xlsx, bare_calamine), ("csv", csv_path, bare_csv)):
            start = time.perf_counter()
            bare(path)
            bare_s = time.perf_counter() - start
            runs = []
            for run in range(IMPORT_RUNS):  # each into a new desk; the median is printed
                desk = new_desk(folder / f"home-{label}-{run}")
                start = time.perf_counter()
                done = desk.roster.import_file(path)
                runs.append((time.perf_counter() - start, done, desk))
            runs_s = [round(r[0], 2) for r in runs]
            import_s, done, desk = sorted(runs, key=lambda r: r[0])[IMPORT_RUNS // 2]
            result[f"import_{label}_100k"] = {
                "rows": len(rows), "imported_people": done.imported, "import_s": round(import_s, 2),
                "runs_s": runs_s, "bare_read_s": round(bare_s, 2), "ratio": round(import_s / bare_s, 2),
                "stages_s": dict(done.stages), "goal_s": 3.0 if label == "csv" else None}
            if label == "xlsx":
                result["search_before_index_100k"] = before_index_figures(desk, rows)
                result["search_100k"] = search_figures(desk, rows)
            for _, _, each in runs:
                each.close()
        village = rows[:5000]
        small = folder / "village.csv"
        write_csv(small, village)
        desk = new_desk(folder / "home-village")
        desk.roster.import_file(small)
        result["search_5k"] = search_figures(desk, village)
        desk.close()
    return result
