"""Cut a text to a length for a title, an echo of what was typed, or a platform's field limit."""

from __future__ import annotations

__all__ = ["clip"]


def clip(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else its first ``limit - 1`` and "…", so the
    result is never longer than ``limit`` (which must be at least 1) and a cut always shows.

    >>> clip("Republic of Ruritania", 12)
    'Republic of…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"
