"""The reader of the bundled catalogue and territory, built once per worker process.

Building one loads the catalogue and the territory and indexes their words (about 0.2 s);
the service builds one at start and reads every message with it, since a reader keeps
nothing from one message to the next but memos of pure lookups. The tests share one the
same way, rather than each module or each test building its own."""

from __future__ import annotations

from functools import cache

from handlers.reading.reader import Reader
from handlers.reading.sources import bundled_reader


@cache
def shared_reader() -> Reader:
    """The bundled reader (`bundled_reader`), the same one for every test of this process."""
    return bundled_reader()
