"""The village's 社保经办人员 notice (003 第三十二条): kept with the users, edited by the village
head or administrator only, printed with the county's 监督举报电话."""

from __future__ import annotations

import pytest

from app.domain.records import UserInfo
from app.services.desk import Desk
from app.services.errors import InvalidInput, Refused
from app.services.staff_notice import NoticeMember, read_notice, save_notice
from printing.pdf.notice import staff_notice_pdf
from tests.printing.pdftext import read_pdf

LI = NoticeMember("李代收", "村社保协理员", "0563-8101234", "政策宣传、参保登记、现金代收并开具收据")


def test_the_notice_is_kept_checked_and_printed(desk: Desk, agent: UserInfo, head: UserInfo) -> None:
    with pytest.raises(Refused, match="由村委会负责人或管理员填写"):
        save_notice(desk, [LI], by=agent)
    with pytest.raises(InvalidInput, match="第 2 行「王五」：联系电话只能是数字"):
        save_notice(desk, [LI, NoticeMember("王五", "网格员", "请打我手机", "")], by=head)
    with pytest.raises(InvalidInput, match="第 1 行：姓名不能为空"):
        save_notice(desk, [NoticeMember(" ", "网格员", "", "")], by=head)
    assert read_notice(desk) == []  # nothing half-saved
    save_notice(desk, [LI, NoticeMember("王村长", "村委会主任", "13905631234", "审核、会签日结")], by=head)
    kept = read_notice(desk)
    assert [m.name for m in kept] == ["李代收", "王村长"]
    device = desk.setup.device
    pdf = staff_notice_pdf([(m.name, m.duty, m.phone, m.duties) for m in kept],
                           village=f"{device.township_name}{device.village_name}",
                           report_phone=desk.setup.config.paper.report_phone, year=2027)
    text = "".join(read_pdf(pdf).all.split())
    assert "社保经办人员公示" in text and "李代收" in text and "0563-8101234" in text and "13905631234" in text
    assert "监督举报电话：0563-8100000" in text

