"""缴费证明 on the thermal printer: a receipt paid on the payer's behalf prints its proof (who,
what, channel and the tax system's voucher); one not paid yet is refused with the reason."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

from app.cli import main
from app.cli.common import Context
from tests.printing.escpos_decoder import decode
from tests.printing.loopback import NORMAL, LoopbackPrinter

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 21, 10, 0)
HE = "341824195711015652"  # 何梅德 in the demo roster


def run(home: Path, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--home", str(home), *argv],
                context=Context(stdin=io.StringIO(stdin), stdout=out, stderr=err, clock=lambda: NOW))
    return code, out.getvalue(), err.getvalue()


def test_the_proof_of_a_payment_on_the_payers_behalf(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = json.loads((REPO / "resources/demo/county-config.json").read_text(encoding="utf-8"))
    config["after_cash"] = "pay_on_behalf"
    (tmp_path / "config.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    for argv, stdin in [
        (("init", "--village-code", "341824001001", "--village-name", "桃花村", "--township-code", "341824001",
          "--device-no", "1"), ""),
        (("user", "add", "--name", "王桂兰", "--role", "agent"), "1234\n"),
        (("user", "add", "--name", "李村长", "--role", "head"), "567890\n"),
        (("config", "import", str(tmp_path / "config.json"), "--by", "李村长"), "567890\n"),
        (("roster", "import", str(REPO / "resources/demo/roster-2027.csv"), "--by", "王桂兰"), "1234\n"),
        (("receipt", "record", "--agent", "王桂兰", "--line", f"{HE}:medical:2027", "--cash", "400"), "1234\n"),
    ]:
        code, _, err = run(home, *argv, stdin=stdin)
        assert code == 0, err
    number = "341824001001-01-000001"
    printer = LoopbackPrinter(status=NORMAL)
    try:
        code, _, err = run(home, "print", "proof", number, "--printer", printer.uri)
        assert code == 1 and "尚未登记代为缴费" in err
        code, _, err = run(home, "receipt", "paid", number, "--voucher", "332016260000123", "--channel", "微信小程序",
                           "--by", "王桂兰", stdin="1234\n")
        assert code == 0, err
        code, out, err = run(home, "print", "proof", number, "--printer", printer.uri)
        assert code == 0 and "缴费证明已发送" in out, err
    finally:
        printer.close()
    job = decode(next(j for j in printer.jobs if len(j) > 100).replace(b"\x10\x04\x01", b"")
                 .replace(b"\x10\x04\x02", b"").replace(b"\x10\x04\x04", b""))
    text = "".join(job.texts)
    assert "城乡居民社会保险费代为缴费证明" in text and number in text and "何梅德" in text
    assert "缴费凭证号：332016260000123" in text and "代缴渠道：微信小程序" in text and "￥400.00" in text
    assert HE not in text  # the ID number is masked on paper
