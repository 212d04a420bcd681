"""The five development articles that ship with factdesk as its default corpus."""

from __future__ import annotations

from pathlib import Path

from facts.read.article import ArticleInput
from facts.read.files import read_paths

__all__ = ["BUNDLED_DIR", "bundled_articles"]

BUNDLED_DIR = Path(__file__).parent / "bundled"


def bundled_articles() -> list[ArticleInput]:
    """The bundled articles with their manifest metadata (urls exactly as the manifest gives them)."""
    out = []
    for item in read_paths([BUNDLED_DIR]):
        if item.error:
            raise item.error
        assert item.article is not None
        out.append(item.article)
    return out
