"""Exit codes, the same for every command (listed in `--help` and the README), and the error they end."""

EXIT_OK = 0  # done
EXIT_ERROR = 1  # something to fix: a bad pack, config file or session, a file that cannot be written
EXIT_USAGE = 2  # the command line itself: an unknown option, command, round or level (Typer's own code too)
EXIT_PROVIDER = 3  # the model provider failed (key, endpoint, rate limit); the session is saved
EXIT_INTERRUPTED = 130  # Ctrl-C; the session is saved

EPILOG = "Exit codes: 0 done · 1 error (bad pack, config or session) · 2 usage · 3 model provider · 130 interrupted."


class UserError(Exception):
    """Something the user fixes (a config file, a setting): `main` prints the message, exits EXIT_ERROR."""
