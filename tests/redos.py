"""Every regular expression of the code, run on long adversarial strings: run as a script
(a catastrophic pattern cannot be interrupted inside the process that runs it), it prints
one line per pattern and input slower than the limit."""

from __future__ import annotations

import ast
import importlib
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("handlers", "mail", "bot", "storage", "scheduler")
CALLS = {"compile", "search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"}
LENGTH = 50_000
LIMIT = 1.0  # seconds for one search over LENGTH characters: linear patterns take ~10 ms


def literal_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    """Patterns written as literals in calls to `re`, with their literal flags."""
    for path in sorted(p for f in FOLDERS for p in (ROOT / f).rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.func.attr in CALLS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                continue
            flags = 0
            for argument in [*node.args[1:], *(k.value for k in node.keywords)]:
                for flag in ast.walk(argument):
                    if isinstance(flag, ast.Attribute) and flag.attr in re.RegexFlag.__members__:
                        flags |= re.RegexFlag[flag.attr]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            yield where, re.compile(node.args[0].value, flags)


def module_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    """Compiled patterns kept in module attributes, those built from word lists included."""
    for path in sorted(p for f in FOLDERS for p in (ROOT / f).rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        try:
            module = importlib.import_module(name)
        except Exception:  # a module that needs what a test run lacks: its literals remain
            continue
        for attribute, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                yield f"{name}.{attribute}", value


def adversaries(pattern: re.Pattern[str]) -> Iterator[str]:
    """Long strings made to make a backtracking pattern work hard: runs of one character,
    of two alternating ones, of the pattern's own literal characters, each with an ending
    that makes the match fail."""
    own = {c for c in re.sub(r"\\[a-zA-Z]", "", pattern.pattern) if c.isprintable()}
    pieces = ["a", "1", " ", "\n", "é", ".", "-", "/", "1 ", "a ", "1.", "a1", "12/", " \n"]
    pieces += sorted(own)
    pieces += ["".join(sorted(own))[:8]]
    for piece in pieces:
        if not piece:
            continue
        run = piece * (LENGTH // len(piece))
        yield run + "!"
        yield run + "\x00"


def slow() -> Iterator[str]:
    seen: set[tuple[str, int]] = set()
    for where, pattern in [*literal_patterns(), *module_patterns()]:
        if (pattern.pattern, pattern.flags) in seen:
            continue
        seen.add((pattern.pattern, pattern.flags))
        for text in adversaries(pattern):
            started = time.perf_counter()
            pattern.search(text)
            elapsed = time.perf_counter() - started
            if elapsed > LIMIT:
                yield f"{where} {elapsed:.1f} s on {text[:12]!r}… : {pattern.pattern[:120]!r}"
                break
    print(f"{len(seen)} patterns checked", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for line in slow():
        print(line, flush=True)
