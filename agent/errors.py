"""Errors a person must fix. The CLI and console print them as one line and stop."""


class UserError(Exception):
    """Something the owner must change: a setting, a file, a command's arguments.

    The message says what happened and what to do, in one line.
    """
