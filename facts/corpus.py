"""Read articles from disk: Markdown files with front matter, and folders with a manifest.toml.

Every failure is a :class:`CorpusError` naming the file and the field, so one bad file
never stops the rest of a batch.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from facts.article import ArticleInput
from facts.errors import CorpusError

__all__ = ["CorpusItem", "parse_published", "read_markdown", "read_paths"]

KNOWN_FIELDS = {"title", "outlet", "published", "url", "author", "date_note"}
_FENCE = re.compile(r"^(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n(---|\+\+\+)[ \t]*(?:\r?\n|$)(.*)$", re.S)
_PUBLISHED = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class CorpusItem:
    """Either an article ready to ingest or the error that stopped one file."""

    path: str
    article: ArticleInput | None = None
    error: CorpusError | None = None


def parse_published(value: Any, *, path: str) -> tuple[str, str]:
    """Return (``YYYY-MM-DD`` or ``YYYY-MM``, precision) or raise naming the field."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat(), "day"
    text = str(value or "").strip()
    m = _PUBLISHED.match(text)
    if not m:
        raise CorpusError(path, "published", f"{text!r} is not a date (use YYYY-MM-DD or YYYY-MM)")
    year, month, day = int(m[1]), int(m[2]), m[3]
    try:
        if day is None:
            dt.date(year, month, 1)
            return f"{year:04d}-{month:02d}", "month"
        return dt.date(year, month, int(day)).isoformat(), "day"
    except ValueError:
        raise CorpusError(path, "published", f"{text!r} is not a real date") from None


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(str(path), "encoding", f"not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise CorpusError(str(path), "file", exc.strerror or "cannot be read") from None


def _required(meta: dict[str, Any], name: str, path: str) -> str:
    value = meta.get(name)
    if value is None or not str(value).strip():
        raise CorpusError(path, name, "missing")
    return str(value).strip()


def _article(meta: dict[str, Any], body: str, path: str) -> ArticleInput:
    if not body.strip():
        raise CorpusError(path, "body", "empty: the article has no text")
    published, precision = parse_published(meta.get("published"), path=path)
    extra = {
        k: v if isinstance(v, str | int | float | bool) else str(v)
        for k, v in meta.items()
        if k not in KNOWN_FIELDS
    }
    return ArticleInput(
        title=_required(meta, "title", path),
        outlet=_required(meta, "outlet", path),
        published=published,
        published_precision=precision,
        url=_required(meta, "url", path),
        body=body,
        origin=path,
        author=str(meta["author"]).strip() if meta.get("author") else None,
        date_note=str(meta["date_note"]).strip() if meta.get("date_note") else None,
        metadata=extra,
    )


def read_markdown(path: Path) -> ArticleInput:
    """One Markdown file with YAML (``---``) or TOML (``+++``) front matter."""
    raw = _text(path).lstrip("\ufeff")
    if not raw.startswith(("---", "+++")):
        raise CorpusError(str(path), "front matter", "missing (start the file with --- and the metadata)")
    try:
        meta, body = _front_matter(raw)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CorpusError(str(path), "front matter", f"cannot be read ({first})") from None
    if not isinstance(meta, dict) or not meta:
        raise CorpusError(str(path), "front matter", "missing or empty")
    return _article(meta, body, str(path))


class _PlainDatesLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: ``published`` is validated by factdesk, with its own errors."""


_PlainDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _front_matter(raw: str) -> tuple[Any, str]:
    """``---``-fenced YAML or ``+++``-fenced TOML; the body is returned byte for byte."""
    m = _FENCE.match(raw)
    if not m or m.group(1) != m.group(3):
        raise ValueError(f"no closing {raw[:3]} line")
    header = m.group(2)
    meta = tomllib.loads(header) if m.group(1) == "+++" else yaml.load(header, Loader=_PlainDatesLoader)
    return meta, m.group(4)


def _read_manifest(folder: Path) -> Iterator[CorpusItem]:
    manifest = folder / "manifest.toml"
    try:
        entries = tomllib.loads(_text(manifest)).get("article", [])
    except tomllib.TOMLDecodeError as exc:
        yield CorpusItem(str(manifest), error=CorpusError(str(manifest), "toml", str(exc)))
        return
    except CorpusError as exc:
        yield CorpusItem(str(manifest), error=exc)
        return
    for n, entry in enumerate(entries, 1):
        name = entry.get("file")
        where = str(folder / name) if name else f"{manifest} [article {n}]"
        try:
            if not name:
                raise CorpusError(where, "file", "missing in the manifest entry")
            yield CorpusItem(where, article=_article(dict(entry), _text(folder / name), where))
        except CorpusError as exc:
            yield CorpusItem(where, error=exc)


def read_paths(paths: list[Path]) -> Iterator[CorpusItem]:
    """Every article under ``paths``: Markdown files, and folders (manifest or ``*.md``)."""
    for path in paths:
        if path.is_dir():
            if (path / "manifest.toml").exists():
                yield from _read_manifest(path)
            mds = sorted(path.glob("*.md"))
            if not mds and not (path / "manifest.toml").exists():
                yield CorpusItem(
                    str(path), error=CorpusError(str(path), "folder", "no manifest.toml and no .md files")
                )
            for md in mds:
                yield _one_markdown(md)
        elif path.name == "manifest.toml":
            yield from _read_manifest(path.parent)
        elif not path.exists():
            yield CorpusItem(str(path), error=CorpusError(str(path), "file", "does not exist"))
        else:
            yield _one_markdown(path)


def _one_markdown(path: Path) -> CorpusItem:
    try:
        return CorpusItem(str(path), article=read_markdown(path))
    except CorpusError as exc:
        return CorpusItem(str(path), error=exc)
