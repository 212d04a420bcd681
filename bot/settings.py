"""Settings from ``FACTDESK_*`` environment variables (and a ``.env`` file), built once.

Nothing else in factdesk reads ``os.environ``: the settings object is passed down.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Every setting, with its environment variable ``FACTDESK_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="FACTDESK_", env_file=".env", extra="ignore")

    db: Path = Field(default=Path("factdesk.db"), description="Path of the SQLite fact store.")
    bundled_corpus: bool = Field(
        default=True, description="Seed a new, empty store with the five bundled articles."
    )
    log_level: str = Field(default="WARNING", description="Python logging level for factdesk's own logs.")
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

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def slack_socket_mode(self) -> bool:
        return self.slack_enabled and self.slack_app_token is not None
