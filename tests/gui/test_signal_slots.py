"""A button's clicked(bool), an action's triggered(bool) and a check box's toggled(bool) hand
their flag to the slot when the slot takes an argument: `clicked.connect(self.posting)` with
`def posting(self, folder=None)` made the folder `False` and F3's 公示 crashed (issue 21). This
reads every connection in ui/ and fails on any such slot, so a new one cannot slip in."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"
FLAG_SIGNALS = {"clicked", "triggered", "toggled"}


def _methods(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    found: dict[str, ast.FunctionDef] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    found.setdefault(item.name, item)
    return found


def _takes_an_argument(params: ast.arguments, *, bound: bool) -> bool:
    positional = [*params.posonlyargs, *params.args][1 if bound else 0:]
    return bool(positional) or params.vararg is not None


def flag_into_argument(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    methods = _methods(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect"
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr in FLAG_SIGNALS
                and node.args):
            continue
        slot = node.args[0]
        where = f"{path.name}:{node.lineno}"
        if isinstance(slot, ast.Lambda) and _takes_an_argument(slot.args, bound=False):
            params = slot.args
            if params.args and params.args[0].arg.startswith("_") and not params.defaults:
                continue  # `lambda _checked: ...` names the flag it takes on purpose
            found.append(f"{where} lambda takes the signal's flag")
        elif (isinstance(slot, ast.Attribute) and isinstance(slot.value, ast.Name) and slot.value.id == "self"
              and slot.attr in methods and _takes_an_argument(methods[slot.attr].args, bound=True)):
            found.append(f"{where} self.{slot.attr} takes the signal's flag")
    return found


def test_no_button_passes_its_checked_flag_into_a_slot_argument() -> None:
    found = [problem for path in sorted(UI.glob("*.py")) for problem in flag_into_argument(path)]
    assert found == []


def test_the_check_finds_the_defect_it_is_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "class V:\n"
        "    def __init__(self):\n"
        "        self.b.clicked.connect(self.posting)\n"
        "        self.b.clicked.connect(lambda: self.posting())\n"
        "        self.c.toggled.connect(lambda on=True: None)\n"
        "    def posting(self, folder=None):\n"
        "        pass\n", encoding="utf-8")
    assert flag_into_argument(sample) == ["sample.py:3 self.posting takes the signal's flag",
                                          "sample.py:5 lambda takes the signal's flag"]
