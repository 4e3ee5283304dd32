"""Stands in for a module of ours in tests/test_looplag.py: a callback that holds the loop."""

from __future__ import annotations

import time
from typing import Any


def slow_hook(*_: Any) -> None:
    time.sleep(0.3)
