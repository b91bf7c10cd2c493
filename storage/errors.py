"""The root of the errors a user may read, why a file failed in French, and how to tell a
store that is down."""

import errno
from pathlib import Path

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    NotSupportedError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# What the system says when a file or a folder cannot be read or made, in French: its own
# words (strerror) are English whatever the locale of the machine.
_REASONS = {
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOENT: "chemin introuvable",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EDQUOT: "quota de disque atteint",
    errno.ENAMETOOLONG: "nom trop long",
}


class MutualiseError(Exception):
    """An error whose message is a complete French sentence, fit to show a user as is.

    Adapters show the message (a Telegram reply, an SMTP status text, a line on the
    terminal); anything that is not a MutualiseError is a bug, logged with its traceback.
    """


def store_unavailable(exc: BaseException) -> bool:
    """Whether a failure means the store cannot be reached or written for now (server
    stopped, connection cut, file locked, pool exhausted): what failed is to be tried again
    later, not dropped. A constraint broken or a query refused is a bug, not an outage."""
    if isinstance(exc, IntegrityError | DataError | ProgrammingError | NotSupportedError):
        return False
    return isinstance(exc, DBAPIError | PoolTimeoutError | OSError)


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in French when it is a common reason."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__


def unreadable(path: Path, exc: OSError, what: str = "Le fichier") -> str:
    """The sentence for a file that cannot be read: missing, a folder, or why else."""
    if exc.errno == errno.ENOENT:
        return f"{what} {path} n'existe pas."
    if exc.errno == errno.EISDIR:
        return f"{path} est un dossier : donnez un fichier."
    return f"{what} {path} ne peut pas être lu : {os_reason(exc)}."
