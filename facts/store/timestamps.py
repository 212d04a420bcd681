"""The time the store writes on a row it changes (audit rows, ledgers, metadata)."""

from __future__ import annotations

import datetime as dt

__all__ = ["now_utc"]


def now_utc() -> str:
    """Now in UTC as ISO 8601 to the second (``2026-03-27T12:00:00+00:00``), as every row has it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
