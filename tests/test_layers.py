"""The layers, read from the imports of every module (statically: nothing is imported).

adapters (bot/, mail/) -> the heart (handlers/) -> storage/; the scheduler beside the
adapters. `handlers/cli/` is the composition root: it alone builds the adapters and the
scheduler around the heart, so it alone may import them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHANNELS = ("aiogram", "aiosmtpd")
# What each part may not import: (its folder, what it reaches, what it may not reach).
RULES = [
    ("storage", "storage", {"bot", "handlers", "mail", "scheduler", "web", *CHANNELS}),
    ("handlers", "handlers (but cli/)", {"bot", "mail", "scheduler", "web", *CHANNELS}),
    ("bot", "bot", {"mail", "web"}),
    ("mail", "mail", {"bot", "web", "aiogram"}),
    ("scheduler", "scheduler", {"bot", "mail", *CHANNELS}),
    ("web", "web", {"bot", "mail", "scheduler", *CHANNELS}),
]


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever the import stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def modules(folder: str) -> list[Path]:
    found = sorted((ROOT / folder).rglob("*.py"))
    if folder == "handlers":  # the composition root
        found = [p for p in found if "cli" not in p.relative_to(ROOT / folder).parts]
    return found


@pytest.mark.parametrize(("folder", "name", "forbidden"), RULES, ids=[r[1] for r in RULES])
def test_each_layer_imports_only_what_is_below_it(
    folder: str, name: str, forbidden: set[str]
) -> None:
    breaches = {
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(imported(path) & forbidden))}"
        for path in modules(folder)
        if imported(path) & forbidden
    }
    assert not breaches, f"{name} crosses its layer:\n" + "\n".join(sorted(breaches))


def test_the_check_sees_a_breach(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from bot.sending import say\n    import aiogram.types\n")
    assert imported(module) == {"bot", "aiogram"}
