"""The layers, read from the imports of every module (statically: nothing is imported).

adapters (bot/, mail/, and the page's handlers/web/) -> the heart (handlers/) -> storage/;
the scheduler beside the adapters. `handlers/cli/` is the composition root: it alone builds
the adapters and the scheduler around the heart, so it alone may import them. The page's
adapter lives in handlers/web/ only because the repository's top level is fixed: the rest
of handlers/ may not import it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHANNELS = ("aiogram", "aiosmtpd")
# What each part may not import: (its folder, what it reaches, what it may not reach).
WEB = "handlers.web"
RULES = [
    ("storage", "storage", {"bot", "handlers", "mail", "scheduler", *CHANNELS}),
    ("handlers", "handlers (but cli/ and web/)", {"bot", "mail", "scheduler", WEB, *CHANNELS}),
    ("bot", "bot", {"mail", WEB}),
    ("mail", "mail", {"bot", WEB, "aiogram"}),
    ("scheduler", "scheduler", {"bot", "mail", WEB, *CHANNELS}),
    ("handlers/web", "handlers/web", {"bot", "mail", "scheduler", *CHANNELS}),
]


def _names(module: str) -> set[str]:
    """The top-level package of an imported module, and the page's adapter when it is one."""
    found = {module.split(".")[0]}
    if module == WEB or module.startswith(WEB + "."):
        found.add(WEB)
    return found


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever the import stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found |= _names(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= _names(node.module)
    return found


def modules(folder: str) -> list[Path]:
    found = sorted((ROOT / folder).rglob("*.py"))
    if folder == "handlers":  # the composition root, and the page's adapter
        found = [p for p in found if not {"cli", "web"} & set(p.relative_to(ROOT / folder).parts)]
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
