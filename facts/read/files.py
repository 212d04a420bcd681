"""Read articles from disk: Markdown files with front matter, and folders with a manifest.toml.

Every failure is a :class:`CorpusError` naming the file and the field, so one bad file
never stops the rest of a batch: whatever goes wrong reading one file (an unexpected type in
a manifest, a nesting too deep, a file too large) becomes that file's refusal. A manifest
names files inside its own folder only; what would resolve outside it (``..``, an absolute
path, a symlink pointing out) is refused.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any
from urllib.parse import urlsplit

from facts.errors import CorpusError
from facts.read.article import ArticleInput
from facts.read.front_matter import FrontMatterError, split_front_matter
from facts.read.limits import DEFAULT_LIMITS, ReadLimits, sentence_count_over
from facts.read.published import parse_published_value

__all__ = ["DATE_FIELDS", "CorpusItem", "parse_published", "read_markdown", "read_paths"]

# ``date`` as Hugo and Jekyll write it; the others as other exports do (Hugo's publishDate, Ghost's
# published_at, RSS's pubDate, schema.org's datePublished). The first one given is read.
DATE_FIELDS = ("published", "date", "publishDate", "publish_date", "published_at", "pubDate", "datePublished")
# Where exports name the outlet when they do not call it ``outlet``.
OUTLET_FIELDS = ("outlet", "publisher", "site_name", "source")
KNOWN_FIELDS = {"title", "url", "author", "date_note", *DATE_FIELDS, *OUTLET_FIELDS}


@dataclass(frozen=True)
class CorpusItem:
    """Either an article ready to ingest or the error that stopped one file; ``warnings`` say
    what was filled in (an outlet taken from the url)."""

    path: str
    article: ArticleInput | None = None
    error: CorpusError | None = None
    warnings: tuple[str, ...] = ()


def parse_published(value: Any, *, path: str, field: str = "published") -> tuple[str, str]:
    """Return (``YYYY-MM-DD`` or ``YYYY-MM``, precision) or raise naming the field."""
    try:
        found = parse_published_value(value)
    except ValueError as exc:
        raise CorpusError(path, field, str(exc)) from None
    return found.date, found.precision


def _text(path: Path, limits: ReadLimits) -> str:
    try:
        with path.open("rb") as f:
            data = f.read(limits.max_bytes + 1)
    except OSError as exc:
        raise CorpusError(str(path), "file", exc.strerror or "cannot be read") from None
    if len(data) > limits.max_bytes:
        raise CorpusError(
            str(path), "file", f"over the {limits.max_bytes:,}-byte limit (FACTDESK_MAX_ARTICLE_BYTES)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(str(path), "encoding", f"not UTF-8 (byte {exc.start})") from None
    if "\x00" in text:  # text never holds NUL; PostgreSQL would refuse it, SQLite keep it
        where = f"holds a NUL character (at {text.index(chr(0))}): not a text file"
        raise CorpusError(str(path), "encoding", where)
    return text


def _required(meta: dict[str, Any], name: str, path: str) -> str:
    value = meta.get(name)
    if value is None or isinstance(value, dict | list) or not str(value).strip():
        raise CorpusError(path, name, "missing" if value is None else "must be text")
    return str(value).strip()


def _date_field(meta: dict[str, Any]) -> str:
    for name in DATE_FIELDS:
        value = meta.get(name)
        if value is not None and str(value).strip():
            return name
    return DATE_FIELDS[0]


def _outlet(meta: dict[str, Any], url: str, path: str) -> tuple[str, list[str]]:
    """The outlet, or the url's host when the front matter names none (with a warning)."""
    for name in OUTLET_FIELDS:
        value = meta.get(name)
        if name == "outlet" and value is not None:
            return _required(meta, "outlet", path), []
        if isinstance(value, str) and value.strip():
            return value.strip(), []
    try:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        host = ""
    if not host:
        raise CorpusError(path, "outlet", "missing, and the url has no host to take it from")
    return host, [f"{path}: outlet: missing; using {host!r}, the url's host"]


def _article(
    meta: dict[str, Any], body: str, path: str, limits: ReadLimits
) -> tuple[ArticleInput, list[str]]:
    if not body.strip():
        raise CorpusError(path, "body", "empty: the article has no text")
    sentences = sentence_count_over(body, limits.max_sentences)
    if sentences is not None:
        raise CorpusError(
            path,
            "body",
            f"{sentences:,} sentences, over the {limits.max_sentences:,}-sentence limit"
            " (FACTDESK_MAX_ARTICLE_SENTENCES); split it into several articles",
        )
    date_field = _date_field(meta)
    try:
        published = parse_published_value(meta.get(date_field))
    except ValueError as exc:
        missing = f"missing (give {', '.join(DATE_FIELDS[:-1])} or {DATE_FIELDS[-1]})"
        shown = missing if meta.get(date_field) is None else str(exc)
        raise CorpusError(path, date_field, shown) from None
    title = _required(meta, "title", path)
    url = _required(meta, "url", path)
    outlet, warnings = _outlet(meta, url, path)
    extra = {
        str(k): v if isinstance(v, str | int | float | bool) else str(v)
        for k, v in meta.items()
        if k not in KNOWN_FIELDS
    }
    extra.update(published.metadata())
    article = ArticleInput(
        title=title,
        outlet=outlet,
        published=published.date,
        published_precision=published.precision,
        url=url,
        body=body,
        origin=path,
        author=str(meta["author"]).strip() if meta.get("author") else None,
        date_note=str(meta["date_note"]).strip() if meta.get("date_note") else None,
        metadata=extra,
    )
    return article, warnings


def read_markdown(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> ArticleInput:
    """One Markdown file with YAML (``---``) or TOML (``+++``) front matter."""
    return _read_markdown(path, limits)[0]


def _read_markdown(path: Path, limits: ReadLimits) -> tuple[ArticleInput, list[str]]:
    raw = _text(path, limits).lstrip("\ufeff")
    if not raw.startswith(("---", "+++")):
        raise CorpusError(str(path), "front matter", "missing (start the file with --- and the metadata)")
    try:
        meta, body = split_front_matter(raw, limits)
    except FrontMatterError as exc:
        raise CorpusError(str(path), "front matter", f"cannot be read ({exc})") from None
    if not isinstance(meta, dict) or not meta:
        raise CorpusError(str(path), "front matter", "missing or empty")
    return _article(meta, body, str(path), limits)


def _inside(folder: Path, name: object, where: str) -> Path:
    """The file a manifest entry names, provided it lies inside the manifest's folder."""
    if not isinstance(name, str) or not name.strip():
        raise CorpusError(where, "file", "must be the name of a file beside the manifest (text)")
    relative = Path(name)
    if relative.is_absolute() or PureWindowsPath(name).drive or name.startswith(("/", "\\")):
        raise CorpusError(where, "file", "an absolute path; name a file inside the manifest's folder")
    if ".." in relative.parts or ".." in PureWindowsPath(name).parts:
        raise CorpusError(where, "file", "'..' leads outside the manifest's folder")
    _check_contained(folder, folder / relative, where)
    return folder / relative


def _check_contained(folder: Path, path: Path, where: str) -> None:
    """Refuse ``path`` unless, symlinks followed, it lies inside ``folder``."""
    try:
        root, target = folder.resolve(), path.resolve()
    except (OSError, ValueError, RuntimeError) as exc:
        raise CorpusError(where, "file", f"cannot be resolved ({type(exc).__name__})") from None
    if not target.is_relative_to(root):
        raise CorpusError(where, "file", "a link to a file outside its folder")


def _manifest_entries(manifest: Path, limits: ReadLimits) -> list[Any]:
    try:
        data = tomllib.loads(_text(manifest, limits))
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(str(manifest), "toml", str(exc)) from None
    except RecursionError:
        raise CorpusError(str(manifest), "toml", "nested too deeply") from None
    entries = data.get("article", [])
    if not isinstance(entries, list):
        raise CorpusError(str(manifest), "article", "must be [[article]] tables, one per file")
    return entries


def _read_manifest(folder: Path, limits: ReadLimits) -> Iterator[CorpusItem]:
    manifest = folder / "manifest.toml"
    try:
        entries = _manifest_entries(manifest, limits)
    except CorpusError as exc:
        yield CorpusItem(str(manifest), error=exc)
        return
    for n, entry in enumerate(entries, 1):
        name = entry.get("file") if isinstance(entry, dict) else None
        where = str(folder / name) if isinstance(name, str) and name else f"{manifest} [article {n}]"
        try:
            if not isinstance(entry, dict):
                raise CorpusError(where, "article", "must be a table ([[article]] with file = …)")
            if name is None:
                raise CorpusError(where, "file", "missing in the manifest entry")
            target = _inside(folder, name, where)
            article, warnings = _article(dict(entry), _text(target, limits), where, limits)
            yield CorpusItem(where, article=article, warnings=tuple(warnings))
        except Exception as exc:  # one entry's failure, whatever it is, is that entry's refusal
            yield CorpusItem(where, error=_as_corpus_error(exc, where))


def _as_corpus_error(exc: Exception, where: str) -> CorpusError:
    if isinstance(exc, CorpusError):
        return exc
    if isinstance(exc, RecursionError):
        return CorpusError(where, "file", "nested too deeply to read")
    return CorpusError(where, "file", f"cannot be read ({type(exc).__name__}: {str(exc)[:80]})")


def read_paths(paths: list[Path], limits: ReadLimits = DEFAULT_LIMITS) -> Iterator[CorpusItem]:
    """Every article under ``paths``: Markdown files, and folders (manifest or ``*.md``)."""
    for path in paths:
        try:
            yield from _read_path(path, limits)
        except Exception as exc:  # a folder that cannot be listed, …: that path's refusal only
            yield CorpusItem(str(path), error=_as_corpus_error(exc, str(path)))


def _read_path(path: Path, limits: ReadLimits) -> Iterator[CorpusItem]:
    if path.is_dir():
        has_manifest = (path / "manifest.toml").exists()
        if has_manifest:
            yield from _read_manifest(path, limits)
        mds = sorted(path.glob("*.md"))
        if not mds and not has_manifest:
            yield CorpusItem(
                str(path), error=CorpusError(str(path), "folder", "no manifest.toml and no .md files")
            )
        for md in mds:
            yield _one_markdown(md, limits, folder=path)
    elif path.name == "manifest.toml":
        yield from _read_manifest(path.parent, limits)
    elif not path.exists():
        yield CorpusItem(str(path), error=CorpusError(str(path), "file", "does not exist"))
    else:
        yield _one_markdown(path, limits)


def _one_markdown(path: Path, limits: ReadLimits, *, folder: Path | None = None) -> CorpusItem:
    """One file; found in a folder, it must not be a link out of that folder."""
    try:
        if folder is not None:
            _check_contained(folder, path, str(path))
        article, warnings = _read_markdown(path, limits)
        return CorpusItem(str(path), article=article, warnings=tuple(warnings))
    except Exception as exc:  # whatever stops this file stops this file only
        return CorpusItem(str(path), error=_as_corpus_error(exc, str(path)))
