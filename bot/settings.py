"""Settings from ``FACTDESK_*`` environment variables (and a ``.env`` file), built once.

Nothing else in factdesk reads ``os.environ``: the settings object is passed down.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings", "SetupError", "load_settings", "parse_shard_ids"]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MAX_DISCORD_SHARDS = 100_000


class SetupError(RuntimeError):
    """Settings that cannot run as configured; the message is the one-line reason."""


class Settings(BaseSettings):
    """Every setting, with its environment variable ``FACTDESK_<NAME>``."""

    # env_ignore_empty: "FACTDESK_SLACK_BOT_TOKEN=" (as in deploy/.env.example) means unset.
    model_config = SettingsConfigDict(
        env_prefix="FACTDESK_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    db: str = Field(
        default="factdesk.db",
        min_length=1,
        max_length=2048,
        description="The fact store: a path for the embedded SQLite store, or a postgresql:// url"
        " (user, password, host, database) for PostgreSQL, which several replicas can share.",
    )
    bundled_corpus: bool = Field(
        default=True, description="Seed a new, empty store with the five bundled articles."
    )
    store_memory_mb: int = Field(
        default=500,
        ge=64,
        le=65536,
        description="Memory the store may use for its caches (SQLite page cache, duplicate-check cache),"
        " whatever its size; `factdesk bench` reports ingest's peak against it.",
    )
    log_level: str = Field(
        default="INFO", description="Logging level of factdesk's own logs (one line per command at INFO)."
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines as text or as JSON objects."
    )
    slack_bot_token: SecretStr | None = Field(
        default=None, description="Slack bot token (xoxb-...); with it factdesk serve starts the Slack app."
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Slack signing secret: verifies every HTTP request comes from Slack."
    )
    slack_app_token: SecretStr | None = Field(
        default=None, description="Slack app-level token (xapp-...): use Socket Mode instead of HTTP."
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        description="Base url of the Slack Web API (tests and proxies point it elsewhere; keep the final /).",
    )
    http_host: str = Field(default="0.0.0.0", description="Address the HTTP server listens on.")
    http_port: int = Field(
        default=3000, ge=0, le=65535, description="Port of the HTTP server (Slack events, /healthz)."
    )

    max_inflight: int = Field(
        default=32,
        ge=1,
        le=10_000,
        description="Commands in flight at once in the process; beyond it a command is answered busy.",
    )
    max_inflight_per_user: int = Field(
        default=4,
        ge=1,
        le=10_000,
        description="Commands in flight at once for one user (or one IP address on /api/ask).",
    )

    mentions_per_minute: int = Field(
        default=6,
        ge=1,
        le=1_000,
        description="Mentions of the bot (@factdesk …) one user may make in any sixty seconds.",
    )

    discord_token: SecretStr | None = Field(
        default=None, description="Discord bot token; with it factdesk serve starts the Discord app."
    )
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        description="Guild (server) ids, comma-separated: commands are synced there at start-up (instant);"
        " empty syncs them globally.",
    )
    discord_api_url: str = Field(
        default="https://discord.com/api/v10", description="Base url of the Discord REST API."
    )
    discord_gateway_url: str = Field(
        default="wss://gateway.discord.gg/", description="Url of the Discord gateway (websocket)."
    )
    discord_gateway: bool = Field(
        default=True,
        description="Whether this process connects to the Discord gateway; with several on one store,"
        " one does, the others post digests and edits over REST only.",
    )
    discord_shards: int | None = Field(
        default=None,
        ge=1,
        le=MAX_DISCORD_SHARDS,
        description="Total number of Discord gateway shards; set, the gateway runs as discord.py's"
        " AutoShardedClient, one connection per shard. Unset: one connection, no sharding.",
    )
    discord_shard_ids: Annotated[list[int] | None, NoDecode] = Field(
        default=None,
        description="The shards this process connects, comma-separated ids or ranges (0,1 or 0-3);"
        " unset, every shard of FACTDESK_DISCORD_SHARDS.",
    )

    admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="The desk's editors, comma-separated platform-qualified ids: slack:U123,discord:456.",
    )
    discord_admin_roles: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Discord role ids whose members are the desk's editors, comma-separated.",
    )

    feeds: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="RSS or Atom feed urls (comma-separated) that factdesk serve follows.",
    )
    feed_poll_minutes: int = Field(
        default=15, ge=1, le=1_440, description="Minutes between two polls of a feed (failing ones back off)."
    )
    digest_channels: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Channels that get the scheduled digest, comma-separated: slack:C123,discord:456.",
    )
    digest_schedule: str = Field(
        default="0 9 * * 1-5", description="Cron schedule of the digest for FACTDESK_DIGEST_CHANNELS."
    )
    digest_timezone: str = Field(default="UTC", description="Time zone the digest schedule is read in.")
    digest_empty: Literal["skip", "line"] = Field(
        default="skip", description="An empty period: skip (post nothing) or line (one short line)."
    )

    ingest_allow_private: bool = Field(
        default=False,
        description="Let /ingest and factdesk ingest URL fetch private, loopback and link-local"
        " addresses (a newsroom's own intranet); off, only public web addresses are fetched.",
    )
    max_article_bytes: int = Field(
        default=5_000_000, ge=1, description="Largest article file ingest reads, in bytes."
    )
    max_article_sentences: int = Field(
        default=5000, ge=1, description="Most sentences an article may have; a longer one is refused."
    )

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        name = value.strip().upper()
        if name not in logging.getLevelNamesMapping():
            raise ValueError(f"not a logging level; use one of {', '.join(LOG_LEVELS)}")
        return name

    @field_validator("admins", "discord_admin_roles", "digest_channels", "feeds", mode="before")
    @classmethod
    def _comma_separated_text(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, int):
            return [str(value)]
        return value

    @field_validator("discord_guild_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part for part in value.replace(" ", "").split(",") if part]
            if not all(part.isdigit() for part in parts):
                raise ValueError(
                    "guild ids are numbers, comma-separated: 123456789012345678,234567890123456789"
                )
            return [int(part) for part in parts]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("discord_shard_ids", mode="before")
    @classmethod
    def _shard_ranges(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_shard_ids(value)
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("discord_shard_ids")
    @classmethod
    def _shards_within_count(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if value is None or "discord_shards" not in info.data:  # a bad count is reported on its own
            return value
        count = info.data["discord_shards"]
        if count is None:
            raise ValueError("shard ids need FACTDESK_DISCORD_SHARDS, the total number of shards")
        if not value:
            raise ValueError("no shard id given; leave it unset to run every shard")
        outside = [i for i in value if not 0 <= i < count]
        if outside:
            raise ValueError(
                f"shard {outside[0]} is not within 0-{count - 1} (FACTDESK_DISCORD_SHARDS={count})"
            )
        return sorted(set(value))

    def limiter(self) -> Any:
        """A new :class:`bot.backpressure.Limiter` with these bounds (one per process)."""
        from bot.backpressure import Limiter

        return Limiter(self.max_inflight, self.max_inflight_per_user)

    def access(self) -> Any:
        """The editors' access policy (``bot.handler.Access``) these settings describe."""
        from bot.handler import Access

        return Access(admins=frozenset(self.admins), discord_admin_roles=frozenset(self.discord_admin_roles))

    def fetch_policy(self) -> Any:
        """Where ``/ingest`` may fetch from (``facts.read.web_article.FetchPolicy``)."""
        from facts.read.web_article import FetchPolicy

        return FetchPolicy(allow_private=self.ingest_allow_private)

    def read_limits(self) -> Any:
        """How large an article file may be (``facts.read.limits.ReadLimits``)."""
        from facts.read.limits import ReadLimits

        return ReadLimits(max_bytes=self.max_article_bytes, max_sentences=self.max_article_sentences)

    @property
    def discord_enabled(self) -> bool:
        return self.discord_token is not None

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def slack_socket_mode(self) -> bool:
        return self.slack_enabled and self.slack_app_token is not None


def parse_shard_ids(text: str) -> list[int]:
    """``"0,2-4"`` -> ``[0, 2, 3, 4]``: shard ids and inclusive ranges, comma-separated."""
    ids: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError("shard ids are numbers or ranges, comma-separated: 0,1 or 0-3")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"the range {part} runs backwards; write {last}-{first}")
        if last - first >= MAX_DISCORD_SHARDS:
            raise ValueError(f"the range {part} is longer than any shard count")
        ids.extend(range(first, last + 1))
    return ids


def load_settings(overrides: Mapping[str, Any] | None = None) -> tuple[Settings, list[str]]:
    """The settings, and one line per setting that could not be used (naming its variable).

    A setting that fails validation is replaced by its default, so that ``factdesk doctor`` can
    go on checking the rest; every other command refuses to start on any problem.
    """
    given = dict(overrides or {})
    problems: list[str] = []
    bad: dict[str, Any] = {}
    # A setting checked against another (the shard ids against the shard count) can fail only
    # once that other one is replaced: so try again, replacing at most every setting once.
    for _ in range(len(Settings.model_fields) + 1):
        try:
            return Settings(**{**given, **bad}), problems
        except ValidationError as exc:
            replaced = False
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                message = str(error["msg"]).removeprefix("Value error, ")
                known = name in Settings.model_fields and name not in bad
                line = f"FACTDESK_{name.upper()}: {message}" if known else f"settings: {message}"
                if line not in problems:
                    problems.append(line)
                if known:
                    bad[name] = Settings.model_fields[name].get_default(call_default_factory=True)
                    replaced = True
            if not replaced:
                break
    # a problem outside any one setting: the defaults alone
    return Settings(_env_file=None), problems  # type: ignore[call-arg]
