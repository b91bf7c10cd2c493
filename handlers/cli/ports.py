"""The ports `mutualise run` listens on, all opened before any service starts: a port that
cannot be had stops the start with a sentence that names it and the setting to change,
before any mail or chat is handled and before anything is announced as listening."""

from __future__ import annotations

import contextlib
import errno
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from storage.errors import MutualiseError, os_reason

# As asyncio's servers do: connections wait in this queue until the service takes them.
BACKLOG = 100


class PortError(MutualiseError):
    """A port the service should listen on cannot be had."""


@dataclass(frozen=True)
class Port:
    """An address to listen on, what it serves, and the settings that give it
    (MUTUALISE_<variables>_HOST and _PORT)."""

    host: str
    port: int
    what: str
    variables: str


@contextlib.contextmanager
def opened(ports: Sequence[Port]) -> Iterator[list[list[socket.socket]]]:
    """Every port bound and listening while the block runs, in order: for each, a socket
    per address its host names (as asyncio's servers bind them); all are closed after,
    and at once when one cannot be had (PortError)."""
    taken: list[list[socket.socket]] = []
    try:
        for port in ports:
            taken.append(_open(port))
        yield taken
    finally:
        for sock in (s for group in taken for s in group):
            sock.close()


def _open(wanted: Port) -> list[socket.socket]:
    sockets: list[socket.socket] = []
    try:
        with listening_on(wanted.host, wanted.port, wanted.what, wanted.variables):
            for family, address in _addresses(wanted.host, wanted.port):
                sock = socket.socket(family, socket.SOCK_STREAM)
                sockets.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:  # its own socket serves IPv4, as asyncio's
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock.bind(address)
                sock.listen(BACKLOG)  # a second bind of the same port fails here, not later
    except PortError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _addresses(host: str, port: int) -> list[tuple[socket.AddressFamily, Any]]:
    """The addresses host:port names (every interface for an empty host), once each."""
    found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    return list(dict.fromkeys((family, address[:2]) for family, _, _, _, address in found))


@contextlib.contextmanager
def listening_on(host: str, port: int, what: str, variables: str) -> Iterator[None]:
    """Turn a failure to listen on host:port into a sentence that says why and which
    setting (MUTUALISE_<variables>_PORT or _HOST) to change."""
    try:
        yield
    except OSError as exc:
        setting = f"MUTUALISE_{variables}_PORT"
        if exc.errno == errno.EADDRINUSE:
            msg = (
                f"Le port {port} de {host} ({what}) est déjà pris : un autre programme "
                "l'écoute, peut-être une autre instance de mutualise, ou un autre service de "
                f"celle-ci réglé sur le même port. Arrêtez-le, ou choisissez un autre port "
                f"({setting}). Rien n'a été lancé."
            )
        elif exc.errno == errno.EACCES:
            msg = (
                f"Le port {port} ({what}) est réservé à l'administrateur (ports sous 1024) : "
                f"choisissez un port plus haut ({setting}). Rien n'a été lancé."
            )
        elif exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
            msg = (
                f"{host} ({what}) n'est pas une adresse de cette machine : vérifiez "
                f"MUTUALISE_{variables}_HOST. Rien n'a été lancé."
            )
        else:
            msg = (
                f"Impossible d'écouter sur {host}:{port} ({what}) : {os_reason(exc)}. "
                "Rien n'a été lancé."
            )
        raise PortError(msg) from exc
