"""How the event loop shares the GIL with the process's other threads (issue 9: acks while starting).

The bot's event loop shares one GIL with threads that run Python for seconds at a time: the
planning of 10,000 teams at start-up (`bot/planning.py`), the store's transactions
(`bot/store/offloop.py`). When such a thread holds the GIL and the loop wakes up (a
request arrived, a database answer came back), the loop waits until the holder is asked to
let go, which CPython does after the *switch interval*: 5 ms by default. A `/ritual help`
wakes the loop a few dozen times, so while the teams were planned its answer took
0.2-0.4 s (`bench/command_acks.py`, "while starting"). At 1 ms the loop gets the GIL back
five times sooner; the cost is more switches while two threads are busy (measured in a
throw-away script: an aiohttp request beside a busy thread, p99 25 ms at 5 ms, 6 ms at 1 ms).
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL = 0.001  # seconds a thread may hold the GIL while another waits for it


def share_with_threads() -> None:
    """Set the process's switch interval to `SWITCH_INTERVAL` (for `ritualbot run`)."""
    sys.setswitchinterval(SWITCH_INTERVAL)
