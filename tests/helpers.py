"""Helpers the tests share, each written once: settings that point factdesk at the fakes, and the
two clocks tests inject (a wall clock for schedules, monotonic seconds for the fakes' timing)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bot.settings import Settings
from tests.fakes.discord import GUILD_ID, FakeDiscord
from tests.fakes.slack import FakeSlack

__all__ = ["Clock", "ManualClock", "settings_for"]


def settings_for(
    db: str | Path, *, slack: FakeSlack | None = None, discord: FakeDiscord | None = None, **extra: Any
) -> Settings:
    """Settings for the store at ``db``, with HTTP on a free loopback port, pointed at the fakes
    given: Slack in HTTP mode, signed with that fake's own secret; Discord with its guild, REST
    base and gateway. ``extra`` sets any other setting or overrides one
    (``slack_signing_secret=None``, ``admins=["slack:UEDITOR"]``).

    >>> settings_for(store.path, slack=slack, max_inflight=2)  # doctest: +SKIP
    """
    values: dict[str, Any] = {"db": db, "http_host": "127.0.0.1", "http_port": 0}
    if slack is not None:
        values |= {
            "slack_bot_token": "xoxb-test",
            "slack_signing_secret": slack.signing_secret,
            "slack_api_url": slack.api_url,
        }
    if discord is not None:
        values |= {
            "discord_token": "fake-token",
            "discord_guild_ids": [int(GUILD_ID)],
            "discord_api_url": discord.api_url,
            "discord_gateway_url": discord.gateway_url,
        }
    return Settings(_env_file=None, **(values | extra))  # type: ignore[call-arg]


class Clock:
    """A wall clock (aware datetimes) that moves only when a test sets ``now`` or advances it;
    what ``DigestScheduler`` and ``Services(clock=...)`` take."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """``advance(minutes=5)``: keywords of ``datetime.timedelta``."""
        self.now += dt.timedelta(**delta)


class ManualClock:
    """Monotonic seconds for ``FakeSlack(clock=...)`` / ``FakeDiscord(clock=...)`` (the three-second
    rule, response_url windows) that move only when told to."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
