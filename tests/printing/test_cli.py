"""`daishou print` and `daishou report` end to end: a real data home, a loopback printer."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

from app.cli import main
from app.cli.common import Context
from tests.printing.escpos_decoder import decode
from tests.printing.loopback import NORMAL, LoopbackPrinter
from tests.printing.pdftext import read_pdf

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 21, 10, 0)
HE = "341824195711015652"  # 何梅德 in the demo roster
SUN = "341824197701025493"  # 孙兰军


def run(home: Path, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    ctx = Context(stdin=io.StringIO(stdin), stdout=out, stderr=err, clock=lambda: NOW)
    code = main(["--home", str(home), *argv], context=ctx)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    h = tmp_path_factory.mktemp("home")
    steps = [
        (("init", "--village-code", "341824001001", "--village-name", "桃花村", "--township-code",
          "341824001", "--township-name", "桃花镇", "--device-no", "1"), ""),
        (("user", "add", "--name", "王桂兰", "--role", "agent"), "1234\n"),
        (("user", "add", "--name", "李村长", "--role", "head"), "567890\n"),
        (("config", "import", str(REPO / "resources/demo/county-config.json"), "--by", "李村长"), "567890\n"),
        (("roster", "import", str(REPO / "resources/demo/roster-2027.csv"), "--by", "王桂兰"), "1234\n"),
        (("receipt", "record", "--agent", "王桂兰", "--line", f"{HE}:medical:2027",
          "--line", f"{SUN}:pension:2027:500", "--cash", "1000"), "1234\n"),
    ]
    for argv, stdin in steps:
        code, _, err = run(h, *argv, stdin=stdin)
        assert code == 0, err
    return h


NUMBER = "341824001001-01-000001"


def test_print_then_reprint_then_refused(home: Path) -> None:
    printer = LoopbackPrinter(status=NORMAL)
    try:
        code, out, err = run(home, "print", "receipt", NUMBER, "--printer", printer.uri)
        assert code == 0, err
        assert "原件" in out
        code, out, _ = run(home, "print", "receipt", NUMBER, "--printer", printer.uri, "--width", "80")
        assert code == 0 and "补打（第1次）" in out
    finally:
        printer.close()
    first, second = (decode(job.replace(b"\x10\x04\x01", b"").replace(b"\x10\x04\x02", b"")
                            .replace(b"\x10\x04\x04", b"")) for job in printer.jobs if len(job) > 100)
    assert NUMBER in "".join(first.texts) and "补打" not in "".join(first.texts)
    assert any("第1次补打" in t for t in second.texts)
    assert "￥900.00" in "".join(second.texts) and "大写：玖佰元整" in second.texts

    code, _, err = run(home, "print", "receipt", NUMBER, "--printer", f"tcp://127.0.0.1:{_free_port()}")
    assert code == 1 and "拒绝连接" in err and "收据已保存" in err
    # The failed attempt is not a copy: the next good print is still the second copy.
    code, out, _ = run(home, "print", "receipt", NUMBER, "--printer", f"file://{home}/r.bin")
    assert code == 0 and "补打（第2次）" in out


def test_bad_printer_address(home: Path) -> None:
    code, _, err = run(home, "print", "test", "--printer", "192.168.1.100")
    assert code == 1 and "缺少类型前缀" in err


def test_reports(home: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.pdf"
    code, _, err = run(home, "report", "ledger", "--date", "2026-11-21", "--out", str(ledger))
    assert code == 0, err
    text = read_pdf(ledger.read_bytes()).all
    assert NUMBER in text and "何梅德" in text and "孙兰军" in text and "玖佰元整" in text

    posting = tmp_path / "posting.pdf"
    code, _, err = run(home, "report", "posting", "--out", str(posting))
    assert code == 0, err
    text = read_pdf(posting.read_bytes()).all
    assert "第一村民小组" in text and "341824********5652" in text and HE not in text

    code, _, err = run(home, "report", "settlement", "--from", "2026-11-20", "--to", "2026-11-21",
                       "--out", str(tmp_path / "s.pdf"))
    assert code == 1 and "一天" in err


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unpaid_list_pdf_leaves_out_who_paid_and_masks_ids(home: Path, tmp_path: Path) -> None:
    out_pdf = tmp_path / "unpaid.pdf"
    code, out, err = run(home, "report", "unpaid", "--out", str(out_pdf))
    assert code == 0, err
    text = read_pdf(out_pdf.read_bytes()).all
    assert "未缴费人员名单" in text
    assert "孙兰军" in text  # still owes medical
    assert "何梅德" not in text  # paid medical in cash, and has no pension due
    assert HE not in text and SUN not in text and "341824********5493" in text
