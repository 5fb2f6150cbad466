"""Qt's own dialogs in Chinese: the file dialog's labels, its type column, its dates and sizes.

Qt's qtbase_zh_CN (loaded by `ui.app.install_translations`) leaves the file dialog's
「Look in:」「Files of type:」 and the file list's 「Folder」 untranslated (measured with PySide6
6.11: the catalogue has no entry for them), so `GapsTranslator` answers those few strings; and
the file list writes dates and sizes in the *system* locale (`QLocale::system()`, not the default
locale), which on a Linux PC with no locale set is C: 「6 12 2026」, 「0 bytes」.
`prefer_chinese_locale` makes Qt read a Chinese locale from the environment while the
application starts (Qt reads it once, then), and puts the environment back so the programs the
desk starts (a PDF viewer) get the PC's own. Windows takes its locale from the system, not the
environment, and a Chinese Windows is Chinese already.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QTranslator

# (context, source) -> Chinese, for the strings qtbase_zh_CN lacks. The Chinese follows the
# words the same catalogue uses elsewhere in the dialog (文件名称, 详情视图).
GAPS = {
    ("QFileDialog", "&Look in:"): "查看(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "File Folder"): "文件夹",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "File"): "文件",
    ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
    ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
    ("QAbstractFileIconProvider", "Alias"): "替身",
}


class GapsTranslator(QTranslator):
    """Answers only the strings in GAPS (an empty answer sends Qt on to qtbase's catalogue)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def translate(self, context: str, source: str, disambiguation: str | None = None,  # noqa: D102
                  n: int = -1) -> str:
        return GAPS.get((context, source))  # type: ignore[return-value]

    def isEmpty(self) -> bool:  # noqa: N802, D102 - Qt's name
        return False


LOCALE_VARIABLES = ("LC_ALL", "LC_TIME", "LC_NUMERIC", "LC_MESSAGES", "LANG")


@contextmanager
def prefer_chinese_locale() -> Iterator[None]:
    """While the QApplication is made: a Chinese locale for Qt unless the environment already
    names one (the window speaks only Chinese, its dates should too); put back afterwards."""
    current = os.environ.get("LC_ALL") or os.environ.get("LC_TIME") or os.environ.get("LANG") or ""
    if current.startswith("zh"):
        yield
        return
    saved = {name: os.environ.get(name) for name in LOCALE_VARIABLES}
    os.environ["LC_ALL"] = "zh_CN.UTF-8"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
