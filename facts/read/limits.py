"""How much of a file ingest will read: the defaults of ``FACTDESK_MAX_ARTICLE_*``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from facts.text.passages import split_passages

__all__ = ["DEFAULT_LIMITS", "ReadLimits", "sentence_count_over"]

_TERMINATORS = re.compile(r"[.!?;:\u2026\u3002\uff01\uff1f]+")


@dataclass(frozen=True)
class ReadLimits:
    """``max_bytes`` bounds a whole file (and a manifest), ``max_front_matter_bytes`` and
    ``max_depth`` its metadata, ``max_sentences`` the passages of one article (over it, the
    article is refused rather than cut, so that no story is stored half-read)."""

    max_bytes: int = 5_000_000
    max_front_matter_bytes: int = 64_000
    max_depth: int = 20
    max_sentences: int = 5000


DEFAULT_LIMITS = ReadLimits()


def sentence_count_over(body: str, limit: int) -> int | None:
    """The number of passages of ``body`` when it is over ``limit``, else ``None``.

    Passages end at line breaks or sentence punctuation, so counting those bounds the number
    of passages from above at the cost of a scan; only a text that might be over the limit is
    split for real.
    """
    bound = body.count("\n") + 1 + sum(1 for _ in _TERMINATORS.finditer(body))
    if bound <= limit:
        return None
    count = len(split_passages(body))
    return count if count > limit else None
