"""The root of the errors a user may read."""


class MutualiseError(Exception):
    """An error whose message is a complete French sentence, fit to show a user as is.

    Adapters show the message (a Telegram reply, an SMTP status text, a line on the
    terminal); anything that is not a MutualiseError is a bug, logged with its traceback.
    """
