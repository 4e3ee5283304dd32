"""Lets ritualbot's own test run collect the example packages' tests even where they are not
pip-installed (CI installs them: `.ci/run`); the `ritual_team` fixture comes from
ritualbot's pytest plugin either way."""

import sys
from pathlib import Path

for package in Path(__file__).parent.iterdir():
    if (package / "pyproject.toml").exists() and str(package) not in sys.path:
        sys.path.insert(0, str(package))
