"""A township's answers to 疑点 reach the county on a file (issue 24), on SQLite and PostgreSQL:
`daishou-server import-answers FILE` stores each answer once; a wrong row refuses the whole file
naming the row; `--township` refuses a file answering for another township's villages."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

from sqlmodel import select

from app.services.township_review import answer, answers_json, review_folder
from sync.server import service
from sync.server.answers import FlagAnswer
from sync.server.cli import main
from tests.gui.conftest import FakeClock
from tests.review.township_files import township_folder
from tests.server.conftest import Server


def server_cmd(url: str, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", url, *args], stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


def answers_file(tmp_path: Path) -> Path:
    clock = FakeClock()
    found = review_folder(township_folder(tmp_path, clock), as_of=clock().date(), seed="2468")
    at = datetime(2026, 11, 28, 10, 0)
    given = [answer(f, flag, "核实无误", by="赵审核", at=at, note="已核对原始收据")
             for v in found.villages for f, flag in v.flags()]
    path = tmp_path / "疑点答复.json"
    path.write_text(answers_json(found, given, reviewer="赵审核", made_at=at), encoding="utf-8")
    return path


def test_answers_are_stored_once_and_a_wrong_row_stores_nothing(server: Server, tmp_path: Path) -> None:
    path = answers_file(tmp_path)
    count = len(json.loads(path.read_text(encoding="utf-8"))["answers"])
    with server.session() as s:
        for village in ("341824100201", "341824100202"):
            service.issue_enrolment_code(s, village, 1)
        service.issue_enrolment_code(s, "341824200301", 1)  # another township's village
    wrong = json.loads(path.read_text(encoding="utf-8"))
    wrong["answers"][1]["verdict"] = "不用管"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(wrong, ensure_ascii=False), encoding="utf-8")
    code, out = server_cmd(server.url, "import-answers", str(bad))
    assert code == 1 and "第 2 条答复：答复应为 核实无误 / 已整改 / 移交" in out
    code, out = server_cmd(server.url, "import-answers", str(path), "--township", "341824200")
    assert code == 1 and "不属于乡镇 341824200" in out
    with server.session() as s:
        assert s.exec(select(FlagAnswer)).all() == []
    code, out = server_cmd(server.url, "import-answers", str(path), "--township", "341824100")
    assert code == 0 and f"已导入 {count} 条疑点答复" in out
    code, out = server_cmd(server.url, "import-answers", str(path))
    assert code == 0 and f"已导入 0 条疑点答复（{count} 条此前已导入）" in out
    with server.session() as s:
        rows = s.exec(select(FlagAnswer)).all()
    assert len(rows) == count and {r.village_code for r in rows} == {"341824100201", "341824100202"}
    void = next(r for r in rows if r.code == "void")
    assert (void.device_id, void.verdict, void.answered_by, void.note) == (
        "341824100201-01", "核实无误", "赵审核", "已核对原始收据")
