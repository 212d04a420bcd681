"""``factdesk doctor``: settings, the store, and the configured platforms, checked in plain words.

A check never writes: the store is opened read-only (a missing one is reported, not created)
and a setting that cannot be read is a FAIL line naming its variable, not a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.digest_scheduler import check_schedule
from bot.settings import Settings
from facts.errors import FactdeskError
from facts.store.migrations import MIGRATIONS
from facts.store.opening import (
    STORE_ERRORS,
    StoreUnavailable,
    describe,
    is_postgres_url,
    open_store_read_only,
)

__all__ = ["Check", "run_doctor"]


@dataclass(frozen=True)
class Check:
    status: str  # "ok" | "FAIL" | "skip"
    what: str
    fix: str = ""

    def line(self) -> str:
        return f"{self.status:<4}  {self.what}" + (f"\n      → {self.fix}" if self.fix else "")


async def _store(settings: Settings) -> list[Check]:
    where = describe(settings.db)
    if not is_postgres_url(settings.db) and not Path(settings.db).is_file():  # a check does not write
        return [
            Check(
                "FAIL",
                f"no store at {settings.db}",
                "check FACTDESK_DB (or --db); `factdesk serve` or `factdesk ingest PATH` creates a new one",
            )
        ]
    try:
        store = await open_store_read_only(settings.db)
    except StoreUnavailable as exc:  # not SQLite, unreadable, no server at the url
        return [Check("FAIL", str(exc), "check the file and its permissions, the url, or restore a backup")]
    try:
        integrity, applied = await store.check()
        docs = len(await store.documents())
        followed = await store.feeds() if "0013_feeds" in applied else []
    except STORE_ERRORS as exc:  # a database, but not a factdesk store (or a damaged one)
        return [
            Check(
                "FAIL",
                f"store {where} is not a factdesk store: {exc}",
                "point FACTDESK_DB at the factdesk store, or restore a backup (README, Backups)",
            )
        ]
    finally:
        await store.close()
    out = [
        Check(
            "ok" if integrity == "ok" else "FAIL",
            f"store {where}: integrity {integrity}",
            "" if integrity == "ok" else "restore the latest backup (README, Backups)",
        )
    ]
    missing = [name for name, _ in MIGRATIONS if name not in applied]
    out.append(
        Check(
            "ok" if not missing else "FAIL",
            f"migrations: {len(applied)} applied",
            f"run factdesk once to apply {', '.join(missing)}" if missing else "",
        )
    )
    out.append(
        Check(
            "ok" if docs else "FAIL",
            f"{docs} documents in the store",
            "" if docs else "add articles with factdesk ingest PATH",
        )
    )
    failing = [f for f in followed if f.failures]
    if followed and not failing:
        out.append(Check("ok", f"{len(followed)} feeds followed, none failing"))
    for f in failing:
        out.append(
            Check(
                "FAIL",
                f"feed {f.url[:100]}: its last {f.failures} polls failed: {(f.last_error or '')[:160]}",
                "check the url (factdesk feed list); it is tried again after a wait that doubles, "
                "or stop it with factdesk feed remove URL",
            )
        )
    return out


async def _slack(settings: Settings) -> Check:
    if not settings.slack_enabled:
        return Check("skip", "Slack: FACTDESK_SLACK_BOT_TOKEN not set")
    from bot.surfaces.slack.app import slack_client

    try:
        auth = await slack_client(settings, wait_out_rate_limits=False).auth_test()
    except Exception as exc:  # SlackApiError, network: said in one line
        return Check(
            "FAIL",
            f"Slack: {type(exc).__name__}: {str(exc)[:120]}",
            "check FACTDESK_SLACK_BOT_TOKEN (xoxb-…) and FACTDESK_SLACK_API_URL",
        )
    mode = "Socket Mode" if settings.slack_socket_mode else "HTTP"
    problems = []
    if not settings.slack_socket_mode and settings.slack_signing_secret is None:
        problems.append("HTTP mode needs FACTDESK_SLACK_SIGNING_SECRET")
    return Check(
        "FAIL" if problems else "ok",
        f"Slack: authenticated to team {auth.get('team')} ({mode})",
        "; ".join(problems),
    )


async def _discord(settings: Settings) -> Check:
    if not settings.discord_enabled:
        return Check("skip", "Discord: FACTDESK_DISCORD_TOKEN not set")
    import discord

    from bot.surfaces.discord.discordpy_shim import point_at

    assert settings.discord_token is not None
    point_at(settings)
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(settings.discord_token.get_secret_value())
        name = str(client.user)
    except Exception as exc:  # LoginFailure, network
        return Check(
            "FAIL",
            f"Discord: {type(exc).__name__}: {str(exc)[:120]}",
            "check FACTDESK_DISCORD_TOKEN (Bot → Reset Token) and FACTDESK_DISCORD_API_URL",
        )
    finally:
        await client.close()
    return Check("ok", f"Discord: logged in as {name}")


def _settings(settings: Settings, problems: Sequence[str]) -> list[Check]:
    out = [
        Check("FAIL", f"setting {problem}", "fix it in the environment or .env (README, Settings)")
        for problem in problems
    ] or [Check("ok", "settings read (FACTDESK_* and .env)")]
    try:
        check_schedule(settings.digest_schedule, settings.digest_timezone)
    except FactdeskError as exc:
        out.append(Check("FAIL", f"digest schedule: {exc}", "fix FACTDESK_DIGEST_SCHEDULE / _TIMEZONE"))
    for channel in settings.digest_channels:
        platform = channel.partition(":")[0]
        enabled = {"slack": settings.slack_enabled, "discord": settings.discord_enabled}.get(platform)
        if not enabled:
            out.append(
                Check(
                    "FAIL",
                    f"digest channel {channel}: {platform or '?'} is not configured",
                    "write channels as slack:C123 or discord:456, with that platform's token set",
                )
            )
    return out


async def run_doctor(
    settings: Settings, out: Callable[[str], None] = print, *, problems: Sequence[str] = ()
) -> int:
    """Print every check; 1 when any failed. ``problems``: settings that could not be read
    (:func:`bot.settings.load_settings`), whose defaults ``settings`` holds instead."""
    started = dt.datetime.now(dt.UTC)
    checks = _settings(settings, problems) + await _store(settings)
    checks += [await _slack(settings), await _discord(settings)]
    for check in checks:
        out(check.line())
    failed = [c for c in checks if c.status == "FAIL"]
    seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    out(f"{len(failed)} problem(s) found in {seconds:.1f} s." if failed else f"All good ({seconds:.1f} s).")
    return 1 if failed else 0
