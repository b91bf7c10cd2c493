"""Parsing email in worker processes, each mail with a time limit.

The standard library's parser takes minutes and hundreds of megabytes over some hostile
mail; inside the service's event loop, that would hold SMTP, Telegram and the calendar
together. In a worker process the loop stays free, a parse past its time limit is stopped
(the worker is killed and replaced: a thread could not be), and the memory a large mail took
goes back to the system when its worker is recycled. The mail is then quarantined.

A worker is `python -m mail.sandbox`: it imports the parser and nothing else (not the
service, as multiprocessing's spawn would), and speaks over its standard input and output:
each request and answer a 4-byte length and its bytes, the answer in JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import struct
import sys
from typing import Any, BinaryIO

from mail.parsing import ParsedMail, parse_mail, unreadable

log = logging.getLogger("mutualise.mail")
_LENGTH = struct.Struct(">I")


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.served = 0

    async def ask(self, raw: bytes, envelope_from: str | None) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        envelope = json.dumps(envelope_from).encode()
        for chunk in (envelope, raw):
            self.process.stdin.write(_LENGTH.pack(len(chunk)) + chunk)
        await self.process.stdin.drain()
        (size,) = _LENGTH.unpack(await self.process.stdout.readexactly(_LENGTH.size))
        answer: dict[str, Any] = json.loads(await self.process.stdout.readexactly(size))
        self.served += 1
        return answer

    async def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()


class ParserPool:
    """Worker processes that parse mail: started when first needed, stopped by `close`."""

    def __init__(self, workers: int = 2, timeout: float = 10.0, recycle: int = 200) -> None:
        self.size = workers
        self.timeout = timeout
        self.recycle = recycle  # a worker is replaced after this many mails
        self._idle: list[_Worker] = []
        self._slots: asyncio.Semaphore | None = None

    async def parse(self, raw: bytes, envelope_from: str | None) -> ParsedMail:
        """The parsed mail; `broken` when its parse failed, crashed or ran out of time."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        async with self._slots:
            worker = self._idle.pop() if self._idle else await _start()
            try:
                answer = await asyncio.wait_for(worker.ask(raw, envelope_from), self.timeout)
            except TimeoutError:
                await worker.stop()
                log.warning("parsing a mail of %d bytes took over %.0f s: stopped", len(raw),
                            self.timeout)  # fmt: skip
                return unreadable(raw, f"analyse trop longue (plus de {self.timeout:.0f} s)")
            except (OSError, EOFError, ValueError) as exc:  # the worker died (memory, crash)
                await worker.stop()
                log.warning("the worker parsing a mail of %d bytes failed: %r", len(raw), exc)
                return unreadable(raw, "analyse interrompue")
            if worker.served >= self.recycle:
                await worker.stop()
            else:
                self._idle.append(worker)
        return ParsedMail(**answer)

    async def close(self) -> None:
        """Stop the idle workers (those at work are stopped when their parse ends)."""
        while self._idle:
            await self._idle.pop().stop()


async def _start() -> _Worker:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mail.sandbox",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    return _Worker(process)


def _read(stream: BinaryIO) -> bytes | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    return stream.read(size)


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """A worker's loop: parse each mail asked for, until its input closes."""
    while (envelope := _read(stdin)) is not None and (raw := _read(stdin)) is not None:
        parsed = parse_mail(raw, json.loads(envelope))
        answer = json.dumps(dataclasses.asdict(parsed), ensure_ascii=True).encode()
        stdout.write(_LENGTH.pack(len(answer)) + answer)
        stdout.flush()


if __name__ == "__main__":
    logging.disable(logging.CRITICAL)  # the service logs what became of each mail
    serve(sys.stdin.buffer, sys.stdout.buffer)
