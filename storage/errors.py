"""The root of the errors a user may read, and how to tell a store that is down."""

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    NotSupportedError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


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
