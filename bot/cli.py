"""The `ritualbot` command line: run, demo, check-config, schedule, db upgrade, purge, doctor."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot import logsafe
from bot.config import ConfigError
from bot.registry import RegistryError

DEFAULT_CONFIG = Path("config.toml")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ritualbot", description="Team rituals for psychological safety in Slack and Mattermost.")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = p.add_subparsers(dest="cmd", required=True)

    run = sub.add_parser("run", help="run the bot")
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    run.add_argument("--port", type=int, default=3000)
    run.add_argument("--host", default="0.0.0.0")

    check = sub.add_parser("check-config", help="validate a config file")
    check.add_argument("path", type=Path, nargs="?", default=DEFAULT_CONFIG)

    sched = sub.add_parser("schedule", help="the next firings per team and ritual (dry run)")
    sched.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    sched.add_argument("--count", type=int, default=3, help="firings per step to show")

    demo = sub.add_parser("demo", help="simulate weeks of the example config on the local platform")
    demo.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    demo.add_argument("--weeks", type=int, default=4)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_cmd", required=True)
    up = db_sub.add_parser("upgrade", help="apply migrations")
    up.add_argument("--config", type=Path, default=DEFAULT_CONFIG)

    purge = sub.add_parser("purge", help="delete answers older than each team's retention period")
    purge.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    purge.add_argument("--dry-run", action="store_true", help="only show what would be deleted")

    doctor = sub.add_parser("doctor", help="check each team on its platform: token, scopes, channel, people")
    doctor.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    # APScheduler logs every run of every job (lease renewal runs every few seconds).
    logging.getLogger("apscheduler.executors").setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    # Client libraries log request and response bodies at debug level: what people wrote would
    # end up in the log. They stay at warning, whatever -v says (bot/logsafe.py).
    for handler in logging.getLogger().handlers:
        logsafe.install(handler)
    try:
        return _dispatch(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except RegistryError as exc:
        print(f"ritualbot: {exc}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    from bot.wiring import database_url, load

    if args.cmd == "check-config":
        config, ritual_types = load(args.path)
        print(f"{args.path}: OK ({len(config.teams)} teams, rituals installed: {', '.join(ritual_types)})")
        return 0
    if args.cmd == "run":
        from bot.runner import run_bot

        return asyncio.run(run_bot(args.config, host=args.host, port=args.port))
    if args.cmd == "demo":
        from bot.demo import run_demo

        return asyncio.run(run_demo(args.config, weeks=args.weeks))
    if args.cmd == "schedule":
        return _print_schedule(args.config, args.count)
    if args.cmd == "db":
        from bot.store.database import open_database

        config, _ = load(args.config)
        open_database(database_url(config)).dispose()
        print("database is up to date")
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


def _print_schedule(path: Path, count: int) -> int:
    from bot.config import resolve_ritual
    from bot.teams import team_view
    from bot.wiring import load

    config, ritual_types = load(path)
    now = datetime.now(UTC)
    for team_cfg in config.teams:
        team = team_view(config, team_cfg)
        print(f"{team.id} ({team.platform}, {team.timezone})")
        for rid, cls in ritual_types.items():
            resolved = resolve_ritual(team_cfg, cls)
            if not resolved.enabled:
                continue
            print(f"  {rid}  [{resolved.schedule.source}]")
            for st in cls().steps(resolved.options):
                trigger = resolved.schedule.trigger(team.tz, st.offset)
                times, prev, moment = [], None, now
                for _ in range(count):
                    nxt = trigger.get_next_fire_time(prev, moment)
                    if nxt is None:
                        break
                    times.append(nxt)
                    prev, moment = nxt, nxt
                shown = ", ".join(t.astimezone(team.tz).strftime("%a %Y-%m-%d %H:%M") for t in times)
                print(f"    {st.name:<12} {shown}")
    return 0


async def _purge(path: Path, dry_run: bool) -> int:
    from bot.clock import SystemClock
    from bot.wiring import build_bot, load

    config, ritual_types = load(path)
    bot = await build_bot(config, ritual_types, {}, SystemClock())
    counts = await bot.purge_expired(dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    for team_id, n in counts.items():
        if team_id not in bot.teams:
            print(f"{team_id}: {verb} {n} rows (the team is no longer in the config)")
            continue
        days = bot.teams[team_id].retention_days
        print(f"{team_id}: {verb} {n} answers older than {days} days")
    return 0
