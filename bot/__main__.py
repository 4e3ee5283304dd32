"""`python -m bot` runs the same CLI as the `ritualbot` command."""

from bot.cli import main

raise SystemExit(main())
