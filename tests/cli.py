"""The `mutualise` command, run in this process through `main(argv)`: what a user would
see (exit code, stdout, stderr), without the cost of starting the installed script.
`tests/test_cli.py` keeps a few runs of the real script as smoke tests."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from handlers.cli import main

MUTUALISE = str(Path(sys.executable).with_name("mutualise"))


@contextlib.contextmanager
def _environment(db: str | None, cwd: Path | None, env: dict[str, str] | None) -> Iterator[None]:
    """The command's environment: no MUTUALISE_* of ours, its store, its folder; the
    logging the command configures is put back afterwards."""
    saved = dict(os.environ)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    here = Path.cwd()
    for name in [n for n in os.environ if n.startswith("MUTUALISE_")]:
        del os.environ[name]
    os.environ.update({k: v for k, v in (env or {}).items() if k.startswith("MUTUALISE_")})
    if db is not None:
        os.environ["MUTUALISE_DB"] = db
    try:
        if cwd is not None:
            os.chdir(cwd)
        yield
    finally:
        os.chdir(here)
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()
        root.handlers[:], root.level = handlers, level
        os.environ.clear()
        os.environ.update(saved)


def mutualise(
    *args: str, db: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one command as the installed script would (with the MUTUALISE_* settings of
    `env`, if given), and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    code: list[int] = []

    def run() -> None:  # a thread of its own: the command runs its own event loop
        with (
            _environment(db, cwd, env),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                code.append(main(list(args)))
            except SystemExit as exc:  # argparse's usage errors and --help
                code.append(exc.code if isinstance(exc.code, int) else 1)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    # French numbers are grouped with a narrow no-break space: 203 309.
    stdout = out.getvalue().replace("\u202f", " ")
    return subprocess.CompletedProcess(["mutualise", *args], code[0], stdout, err.getvalue())


def script(
    *args: str, db: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one command through the installed script, in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUTUALISE_")}
    if db is not None:
        env["MUTUALISE_DB"] = db
    result = subprocess.run(
        [MUTUALISE, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )
    result.stdout = result.stdout.replace("\u202f", " ")
    return result


def flat(text: str) -> str:
    """A table's text with its borders gone and its wrapped cells joined: what a phrase
    spread over several lines of a column reads as."""
    for border in "│┃":
        text = text.replace(border, " ")
    return " ".join(text.split())
