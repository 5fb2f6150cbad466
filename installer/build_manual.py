"""Build the Chinese 操作手册 (docs/manual/manual.md) into docs/manual/index.html.

    .venv/bin/python installer/build_manual.py            # rewrite index.html
    .venv/bin/python installer/build_manual.py --check    # exit 1 when index.html is stale

The pictures are the screenshots the real-screen tests take into docs/img, referenced (never
copied), so the manual shows the program as it is; tests/core/test_manual.py fails when the
HTML is stale or a picture is missing. The bundle ships index.html with docs/img beside it
(installer/daishou.spec), and F1 opens it (ui/manual.py).
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "manual" / "manual.md"
OUTPUT = ROOT / "docs" / "manual" / "index.html"

STYLE = """
body { font-family: "Microsoft YaHei", "SimSun", "WenQuanYi Zen Hei", sans-serif; max-width: 60em;
       margin: 1em auto; padding: 0 1em; line-height: 1.7; font-size: 16px; color: #222; }
h1 { border-bottom: 3px solid #1565c0; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
img { max-width: 100%; border: 1px solid #999; margin: .5em 0; }
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: .3em .6em; vertical-align: top; }
code, kbd, strong { color: #0d47a1; }
"""


def render(markdown: str) -> str:
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    title = next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), "操作手册")
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n")


def images(page: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', page)


def missing_images(page: str, folder: Path) -> list[str]:
    return [src for src in images(page) if not (folder / src).is_file()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that index.html is current")
    args = parser.parse_args(argv)
    page = render(SOURCE.read_text(encoding="utf-8"))
    missing = missing_images(page, OUTPUT.parent)
    if missing:
        sys.stderr.write(f"pictures missing from docs/img: {', '.join(missing)}\n")
        return 1
    if args.check:
        current = OUTPUT.is_file() and OUTPUT.read_text(encoding="utf-8") == page
        if not current:
            sys.stderr.write("docs/manual/index.html is stale: run installer/build_manual.py\n")
        return 0 if current else 1
    OUTPUT.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
