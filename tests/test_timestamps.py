"""facts.store.timestamps: the one "now" every row the store changes is stamped with."""

from __future__ import annotations

import datetime as dt
import re

from facts.store.timestamps import now_utc


def test_now_is_utc_iso_8601_to_the_second() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stamp = now_utc()
    after = dt.datetime.now(dt.UTC)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", stamp), stamp
    assert before <= dt.datetime.fromisoformat(stamp) <= after
