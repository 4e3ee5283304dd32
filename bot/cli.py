"""The `ritualbot` command line: run, demo, check-config, schedule, db upgrade, purge, doctor."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bot import logsafe
from bot.config import ConfigError
from bot.i18n import supported_languages
from bot.logsetup import configure_logging
from bot.registry import RegistryError

DEFAULT_CONFIG = Path("config.toml")


def _log_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    """`-v` and `--log-format` before or after the subcommand (`ritualbot run -v` works too)."""
    parser.add_argument("-v", "--verbose", action="store_true", default=default, help="log debug details")
    parser.add_argument("--log-format", choices=("text", "json"), default=default,
                        help="text lines (default) or JSON lines for a log collector")


def _config_options(parser: argparse.ArgumentParser) -> None:
    """`--config PATH` or the path alone (`ritualbot schedule my.toml`), as check-config takes it."""
    parser.add_argument("--config", type=Path, default=None, help=f"the config file (default {DEFAULT_CONFIG})")
    parser.add_argument("path", type=Path, nargs="?", default=None, help="the config file, instead of --config")


def _config_path(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Path:
    """The config file named on the command line; both forms naming different files is an error."""
    named: Path | None = getattr(args, "path", None)
    option: Path | None = getattr(args, "config", None)
    if named is not None and option is not None and named != option:
        parser.error(f"two config files given: {named} and --config {option}; name one")
    return named or option or DEFAULT_CONFIG


MAX_COUNT = 366  # a year of a daily schedule: more is no dry run anyone reads
LATEST_START_YEARS = 100  # --from at most this many years ahead


def _whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high`, else a plain refusal (exit 2)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: use a whole number from {low} to {high}")
        return value

    return parse


def _version() -> str:
    try:
        return metadata.version("ritualbot")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        from bot import __version__

        return __version__


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ritualbot", description="Team rituals for psychological safety in Slack and Mattermost.")
    p.add_argument("--version", action="version", version=f"ritualbot {_version()}")
    _log_options(p, default=None)
    common = argparse.ArgumentParser(add_help=False)
    _log_options(common, default=argparse.SUPPRESS)  # after the subcommand: only when given
    sub = p.add_subparsers(dest="cmd", required=True)

    run = sub.add_parser("run", parents=[common], help="run the bot")
    _config_options(run)
    run.add_argument("--port", type=_whole(1, 65535), default=3000)
    run.add_argument("--host", default="0.0.0.0")
    run.add_argument("--local", action="store_true",
                     help="run teams whose platform has no credentials on the local platform (nothing reaches "
                          "Slack or Mattermost, and their rounds are used up)")

    check = sub.add_parser("check-config", parents=[common], help="validate a config file")
    _config_options(check)

    sched = sub.add_parser("schedule", parents=[common], help="the next firings per team and ritual (dry run)")
    _config_options(sched)
    sched.add_argument("--count", type=_whole(1, MAX_COUNT), default=3, help=f"occurrences per ritual to show (1 to {MAX_COUNT})")
    sched.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="start from this day instead of now")
    sched.add_argument("--language", choices=supported_languages(), default=None,
                       help="language of the listing (default: each team's own language)")

    demo = sub.add_parser("demo", parents=[common], help="simulate weeks of the example config on the local platform")
    _config_options(demo)
    demo.add_argument("--weeks", type=_whole(1, 520), default=4)

    db = sub.add_parser("db", parents=[common], help="database maintenance")
    db_sub = db.add_subparsers(dest="db_cmd", required=True)
    up = db_sub.add_parser("upgrade", parents=[common], help="apply migrations")
    _config_options(up)

    purge = sub.add_parser("purge", parents=[common], help="delete answers older than each team's retention period")
    _config_options(purge)
    purge.add_argument("--dry-run", action="store_true", help="only show what would be deleted")

    doctor = sub.add_parser("doctor", parents=[common], help="check each team on its platform: token, scopes, channel, people")
    _config_options(doctor)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if hasattr(args, "path"):
        args.config = _config_path(args, parser)
    configure_logging(verbose=bool(args.verbose), json_lines=args.log_format == "json")
    for handler in logging.getLogger().handlers:
        logsafe.install(handler)  # library debug records hold whole payloads (bot/logsafe.py)
    try:
        return _dispatch(args)
    except BrokenPipeError:  # `ritualbot schedule | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except RegistryError as exc:
        print(f"ritualbot: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        # `db upgrade` and `purge` (from an upgrade step or cron) with the database away: the
        # one line `run` says (bot/startup.py), not a traceback of the driver
        from sqlalchemy.exc import OperationalError

        if not isinstance(exc, OperationalError) or args.cmd not in ("db", "purge"):
            raise
        from bot.startup import explain_database_error
        from bot.wiring import database_url, load

        print(f"ritualbot: {explain_database_error(exc, database_url(load(args.config)[0]))}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    from bot.wiring import database_url, load

    if args.cmd == "check-config":
        config, ritual_types = load(args.config)
        print(f"{args.config}: OK ({len(config.teams)} teams, rituals installed: {', '.join(ritual_types)})")
        return 0
    if args.cmd == "run":
        from bot.runner import run_bot

        return asyncio.run(run_bot(args.config, host=args.host, port=args.port, allow_local=args.local))
    if args.cmd == "demo":
        from bot.demo import run_demo

        return asyncio.run(run_demo(args.config, weeks=args.weeks))
    if args.cmd == "schedule":
        return _print_schedule(args.config, args.count, args.start, args.language)
    if args.cmd == "db":
        from bot.store.database import make_engine, upgrade

        config, _ = load(args.config)
        engine = make_engine(database_url(config))
        try:
            applied = upgrade(engine)
        finally:
            engine.dispose()
        for revision, doc in applied:
            print(f"applied {revision}: {doc}")
        print("database is up to date" + ("" if applied else "; nothing to apply"))
        return 0
    if args.cmd == "purge":
        return asyncio.run(_purge(args.config, args.dry_run))
    if args.cmd == "doctor":
        from bot.doctor import run_doctor

        config, _ = load(args.config)
        problems, report = asyncio.run(run_doctor(config, os.environ))
        print(report)
        return 1 if problems else 0
    raise AssertionError(args.cmd)


def _print_schedule(path: Path, count: int, start: str | None, language: str | None) -> int:
    from bot.wiring import load

    config, ritual_types = load(path)
    moment = datetime.now(UTC)
    if start:
        try:
            moment = datetime.fromisoformat(start).replace(tzinfo=UTC) if len(start) == 10 else datetime.fromisoformat(start)
        except ValueError:
            print(f"ritualbot schedule: --from {start!r} is not a date (use yyyy-mm-dd)", file=sys.stderr)
            return 2
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        now = datetime.now(UTC)
        if not datetime(1970, 1, 1, tzinfo=UTC) <= moment <= now.replace(year=now.year + LATEST_START_YEARS, day=1):
            print(f"ritualbot schedule: --from {start!r} is too far from today: give a date from 1970 up to "
                  f"{LATEST_START_YEARS} years ahead", file=sys.stderr)
            return 2
    rituals = {rid: cls() for rid, cls in ritual_types.items()}
    return asyncio.run(_dry_run(config, rituals, moment, count, language))


async def _dry_run(config: Any, rituals: Any, moment: datetime, count: int, language: str | None) -> int:
    from bot.dryrun import print_schedule
    from bot.store import Store
    from bot.store.database import make_engine, sqlite_path
    from bot.wiring import database_url

    store: Store | None = None
    url = database_url(config)
    sqlite_file = sqlite_path(url) if url.startswith("sqlite") else None
    without = "no_db_yet" if sqlite_file is not None and not sqlite_file.exists() else "no_db"
    if sqlite_file is None or sqlite_file.exists():  # a dry run creates no database file
        try:  # the admins' changes, skips and pauses live in the database; without it, config.toml alone
            store = Store(make_engine(url))
            await store.team_settings()
        except Exception:
            if store is not None:
                await store.aclose()
            store = None
    try:
        await print_schedule(config, rituals, moment, count=count, language=language, out=sys.stdout, store=store,
                             without=without, now=datetime.now(UTC))
    finally:
        if store is not None:
            await store.aclose()
    return 0


async def _purge(path: Path, dry_run: bool) -> int:
    from bot.clock import SystemClock
    from bot.store.database import sqlite_path
    from bot.teams import team_view
    from bot.wiring import build_bot, database_url, load

    config, ritual_types = load(path)
    verb = "would delete" if dry_run else "deleted"
    url = database_url(config)
    sqlite_file = sqlite_path(url) if url.startswith("sqlite") else None
    if dry_run and sqlite_file is not None and not sqlite_file.exists():  # a dry run creates no database
        for team in config.teams:
            print(f"{team.id}: {verb} 0 answers older than {team_view(config, team).retention_days} days")
        return 0
    bot = await build_bot(config, ritual_types, {}, SystemClock())
    counts = await bot.purge_expired(dry_run=dry_run)
    for team_id, n in counts.items():
        if team_id not in bot.teams:
            print(f"{team_id}: {verb} {n} rows (the team is no longer in the config)")
            continue
        days = bot.teams[team_id].retention_days
        print(f"{team_id}: {verb} {n} answers older than {days} days")
    return 0
