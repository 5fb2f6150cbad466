"""The one error dialog: what happened, and what to do next.

Refusals from the core (DaishouError) are expected and shown where they happen by the view
that asked; anything that reaches this dialog is either a refusal nobody handled in place or a
fault (disk, database, our bug). A fault is logged with its traceback for the support person,
and the dialog names the log file, with a button that copies its path (to paste into a chat with
the township's technician, or to find the file in the file manager).
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.logs import current_log_path
from app.services.errors import DaishouError, NotInitialised, StorageError, disk_problem
from ui.tasks import Cancelled

log = logging.getLogger(__name__)


def explain(exc: BaseException) -> tuple[str, str]:
    """(what happened, what to do next) in Chinese."""
    if isinstance(exc, NotInitialised):
        return exc.message, "请先完成设置向导。"
    if isinstance(exc, DaishouError):
        return exc.message, "请按提示修改后再试。"
    problem = disk_problem(exc)
    if problem is not None:
        return problem, "如问题持续，请联系乡镇社保所技术人员。"
    if isinstance(exc, StorageError):
        return f"数据文件有问题：{exc}", "请勿关闭电脑电源，联系乡镇社保中心技术人员；备份在数据目录的 backups 文件夹中。"
    if isinstance(exc, OSError):
        return f"读写文件失败：{exc.strerror or exc}", "请检查文件或U盘是否可用，然后重试。"
    return (f"程序内部错误：{type(exc).__name__}: {exc}",
            "已记录的数据不受影响。请记下此信息并联系技术人员，然后重新打开程序。")


def show_error(exc: BaseException, *, parent: QWidget | None, title: str = "无法完成") -> None:
    if isinstance(exc, Cancelled):
        return
    what, next_step = explain(exc)
    expected = isinstance(exc, DaishouError)
    if not isinstance(exc, DaishouError | StorageError | OSError):
        log.error("unexpected error\n%s", "".join(traceback.format_exception(exc)))
    else:
        log.warning("%s: %s", type(exc).__name__, what)
    box = QMessageBox(QMessageBox.Icon.Warning, title, what, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
    path = current_log_path()
    if expected or path is None:
        box.setInformativeText(next_step)
    else:
        box.setInformativeText(f"{next_step}\n\n详细记录在日志文件中：\n{path}")
        copy = box.addButton("复制日志路径(&C)", QMessageBox.ButtonRole.ActionRole)
        copy.setObjectName("copyLogPath")
        box.setEscapeButton(QMessageBox.StandardButton.Ok)  # two buttons: Esc would close neither
        # WORKAROUND: QMessageBox closes on any of its buttons; this one copies and stays open.
        copy.clicked.disconnect()
        copy.clicked.connect(lambda: _copy(str(path), box))
    box.open()  # not exec(): never start a nested event loop from a task callback


def _copy(text: str, box: QMessageBox) -> None:
    QGuiApplication.clipboard().setText(text)
    box.setInformativeText(box.informativeText().split("\n\n已复制")[0] + "\n\n已复制日志路径，可粘贴给技术人员。")


def install_excepthook() -> None:
    """An exception no slot caught (PySide6 only prints it) is logged and shown like a fault."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if QApplication.instance() is None or not isinstance(exc, Exception):
            previous(kind, exc, tb)
            return
        show_error(exc, parent=QApplication.activeWindow(), title="程序出错")

    sys.excepthook = hook
