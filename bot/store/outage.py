"""What is wrong with the database, in the one word `/healthz` shows and the log repeats.

The same words at start-up (bot/gate.py, while `ritualbot run` waits for the database) and
while running (`Store.ping`, and the scheduler's background jobs, bot/job_trouble.py), so an
operator reads one vocabulary:
- `connecting`: the first try is under way (start-up only);
- `unreachable`: no connection (the server is down, cannot be reached or dropped the
  connection; a SQLite file that cannot be opened);
- `login refused`: the user or password in DATABASE_URL;
- `no such database`: the database's name in DATABASE_URL;
- `busy`: reached, but locked for longer than allowed;
- `error: <exception type>`: reached, and something unexpected went wrong.
"""

from __future__ import annotations

import re

CONNECTING = "connecting"
UNREACHABLE = "unreachable"
LOGIN_REFUSED = "login refused"
NO_DATABASE = "no such database"
BUSY = "busy"
# the states in which nothing can be done with the database at all (not a fault of one statement)
OUTAGE = frozenset({UNREACHABLE, LOGIN_REFUSED, NO_DATABASE, BUSY})

# sqlalchemy's wrappers and the drivers' own classes for "no working connection"
_CONNECTION_ERRORS = frozenset({"OperationalError", "InterfaceError", "ConnectionTimeout"})
_NO_DATABASE = re.compile(r'database "[^"]*" does not exist')
_BUSY_WORDS = ("database is locked", "lock timeout", "canceling statement due to statement timeout")


def chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes, outermost first."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def database_state(exc: BaseException) -> str:
    """The word for the database after `exc` was raised using it (see the module doc); never raises."""
    causes = chain(exc)
    text = " ".join(str(e) for e in causes).lower()
    if "password authentication failed" in text or "no password supplied" in text:
        return LOGIN_REFUSED
    if _NO_DATABASE.search(text):
        return NO_DATABASE
    if type(exc).__name__ == "DatabaseBusy" or any(word in text for word in _BUSY_WORDS):
        return BUSY
    if any(isinstance(e, OSError) or type(e).__name__ in _CONNECTION_ERRORS or getattr(e, "connection_invalidated", False)
           for e in causes):  # OSError: also a SQLite file whose directory cannot be made or entered
        return UNREACHABLE
    return f"error: {type(exc).__name__}"
