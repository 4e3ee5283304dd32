"""mypy passes on `bot/` and `rituals/`: the ritual contract stays typed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(300)  # a cold run without .mypy_cache analyses the dependencies too
def test_mypy_passes_on_bot_and_rituals() -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=290
    )
    assert result.returncode == 0, f"mypy failed:\n{result.stdout}{result.stderr}"
