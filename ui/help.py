"""F1: a short help for the screen in front of the agent (what the keys do there), in Chinese."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.version import version
from ui.manual import open_manual

COMMON = ("F2–F7 切换页面；Esc 回到收款页的空白搜索框；Ctrl+L 退出登录（换人）；F1 本帮助；"
          "Alt+M 打开操作手册（第一次使用、提示条的意思、恢复、培训、找谁）。")

HELP = {
    "desk": "收款（F2）\n输入姓名、身份证号后几位或电话即搜；↑/↓ 选人，回车打开这一户，"
            "再回车到“收取现金”，再回车或按 F12 / Ctrl+Enter 收款并打印收据。"
            "F8 勾选全户；现金远多于应收时先确认（回车为返回修改）；Esc 清空本次收款重新开始。",
    "today": "收据（F3）\n选择日期查看任何一天的收据；回车查看详情（明细、签字、打印记录）；Ctrl+P 补打（副本）；"
             "Ctrl+Delete 作废（填原因，负责人输入密码会签）；已日结的收据可提交退费申请；可生成本日公示；"
             "县里规定代为缴费时，F9 登记选中收据的缴费凭证号并打印缴费证明。",
    "settle": "日结与解缴（F4）\n按面额清点现金；Ctrl+J 日结（负责人会签）；Ctrl+D 生成“往日单据”中所选日子的"
              "日结单和台账；Ctrl+R 登记解缴；月末后 Ctrl+M 月结（输入清点的手头现金，回车，负责人会签）；"
              "Ctrl+Y 生成所选月份的月结单。",
    "progress": "进度（F5）\n各险种、各村民小组的已缴和未缴；Ctrl+E 导出未缴名单（Excel），"
                "Ctrl+U 打印未缴名单，Ctrl+I 导入新清册。\n月度统计（乡镇按月统计）：在“月度统计”页选择月份，"
                "Ctrl+N 打印月度统计（各档次缴费、财政补贴、特殊群体、到龄人员），Ctrl+Shift+N 导出 Excel。",
    "settings": "设置（F6）\nCtrl+S 保存设置，Ctrl+T 打印测试页；可开启大字模式。\n"
                "统一票据：Ctrl+B 登记新领的票据（起始票号、终止票号、前缀，回车；负责人或管理员登录时）；"
                "Ctrl+G 登记作废的下一张票据（填原因，回车）。台账扫描件在同一页选择文件登记报送。",
    "door": "入户（F7）\n自己负责的户中还未缴费的人：扣款失败的在前，扣款失败满30天的转其他渠道或现金；"
            "↑/↓ 选人，Tab 到“未缴原因”“走访结果”“下一步”，Ctrl+W 登记走访；Ctrl+K 打印入户名单（请勿张贴）；"
            "代收员或村委会负责人选择名单类型后 Ctrl+O 导入税务名单；"
            "村委会负责人或管理员 Ctrl+H 打开“网格与联络表”：把村民小组或一户分给网格员，编辑并打印联络表。",
}

# The township reviewer's window has no pages and takes no cash: its own keys only.
REVIEW = ("乡镇审核\nCtrl+O 打开村里备份的账本文件；输入种子后回车按此种子重新抽查；"
          "Ctrl+P 生成抽查报告 PDF；Ctrl+L 退出登录（换人）；F1 本帮助。")


def help_text(screen: str) -> str:
    if screen == "review":
        return f"{REVIEW}\n\n代收 版本 {version()}"
    # The version is what the support person on the phone asks for first.
    return f"{HELP.get(screen, '')}\n\n{COMMON}\n\n代收 版本 {version()}".strip()


def show_help(screen: str, parent: QWidget | None) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "帮助（F1）", help_text(screen),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("helpBox")
    manual = box.addButton("打开操作手册(&M)", QMessageBox.ButtonRole.ActionRole)
    manual.setObjectName("openManual")
    manual.clicked.connect(open_manual)
    box.setEscapeButton(QMessageBox.StandardButton.Ok)  # two buttons: Esc would close neither
    box.open()  # not exec(): offscreen tests never run a nested event loop
    return box
