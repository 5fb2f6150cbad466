"""The 抽查报告 a township reviewer prints and files: what a reader checks on paper."""

from __future__ import annotations

import io
from pathlib import Path

from app.cli import main
from app.cli.common import Context
from tests.factories import VILLAGE
from tests.printing.pdftext import read_pdf
from tests.review.test_review_file import village_file  # noqa: F401 - the fixture


def test_the_report_lists_each_flag_the_sample_and_its_seed(village_file: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "抽查报告.pdf"
    err = io.StringIO()
    code = main(["--home", str(tmp_path / "township"), "report", "inspection", "--file", str(village_file),
                 "--date", "2026-11-25", "--seed", "314159", "--out", str(out)],
                context=Context(stdout=io.StringIO(), stderr=err))
    assert code == 0, err.getvalue()
    text = read_pdf(out.read_bytes()).all.replace(" ", "").replace("\n", "")
    assert "城乡居民两险现金代收抽查报告" in text and "示范村（341824100201）" in text
    assert "疑点数据（9条" in text and "现金点错重开" in text and "少10.00元" in text
    assert "抽查种子：314159" in text and "共4张收据，抽取1张" in text
    assert "账本校验：完好" in text
    for person in VILLAGE:  # whoever is drawn, the ID on paper is masked
        assert person.id_number not in text
    assert "********" in text
    assert "审核人" in text and "核查结果" in text


def test_the_report_needs_the_file(tmp_path: Path) -> None:
    err = io.StringIO()
    assert main(["--home", str(tmp_path), "report", "inspection", "--out", str(tmp_path / "x.pdf")],
                context=Context(stdout=io.StringIO(), stderr=err)) == 1
    assert "--file" in err.getvalue()
