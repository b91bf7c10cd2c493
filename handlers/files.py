"""Files the command line writes (--out): never through a symbolic link.

A link planted where a digest or an agreement is to be written (a shared folder, /tmp)
would otherwise have mutualise overwrite whatever it points to, with the rights of whoever
runs the command.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from storage.errors import MutualiseError, os_reason


class OutputError(MutualiseError):
    """A file cannot be written where asked."""


def write_file(path: Path, content: bytes) -> None:
    """Write `content` to `path`, created or replaced, refusing a link or anything but a
    plain file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            msg = f"{path} est un lien symbolique : mutualise n'écrit pas à travers un lien."
        elif exc.errno == errno.ENOENT:
            msg = f"Impossible d'écrire {path} : le dossier {path.parent} n'existe pas."
        else:
            msg = f"Impossible d'écrire {path} : {os_reason(exc)}."
        raise OutputError(msg) from exc
    with os.fdopen(descriptor, "wb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            msg = f"{path} n'est pas un fichier ordinaire : mutualise n'y écrit pas."
            raise OutputError(msg)
        file.write(content)
