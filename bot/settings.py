"""Settings from ``FACTDESK_*`` environment variables (and a ``.env`` file), built once.

Nothing else in factdesk reads ``os.environ``: the settings object is passed down.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
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
