"""An answer as Discord embeds, inside Discord's limits, cut between lines into pages.

Document and user text is shown literally: Markdown characters are escaped and mentions
(``@everyone``, ``<@123>``) are defused; on top of that every message goes out with
``AllowedMentions.none()``, so nothing in an answer can ping anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.formatting import format_date, marks, wording
from facts.answers.contract import Answer, Item, Source
from facts.text.clip import clip

__all__ = ["Page", "escape", "paginate"]

TITLE_CHARS = 256
DESCRIPTION_CHARS = 4096
FIELD_CHARS = 1024
FIELDS = 25
FOOTER_CHARS = 2048
CONTENT_CHARS = 2000
# All embeds of one message together may hold 6,000 characters; keep a margin.
MESSAGE_CHARS = 5800


def escape(text: str) -> str:
    """Shown as written: no Markdown formatting, no mention can be formed."""
    text = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    # Any <@id>, <@&id>, <#id> (escape_mentions knows only real-length ids) shows as text too.
    return text.replace("<@", "<\u200b@").replace("<#", "<\u200b#")


@dataclass(frozen=True)
class Page:
    """One message's worth of an answer: ``items[start:end]`` as one embed (or ``content``)."""

    start: int
    end: int
    total: int
    embed: discord.Embed | None
    content: str | None = None

    @property
    def has_next(self) -> bool:
        return self.end < self.total

    @property
    def has_previous(self) -> bool:
        return self.start > 0


_UNSAFE_IN_LINK = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"})


def _target(url: str) -> str:
    """A link target markdown cannot end early: parentheses, spaces and angle brackets encoded."""
    return url.translate(_UNSAFE_IN_LINK)


def _line(item: Item, urls: dict[int, str], group_changed: bool) -> str:
    links = {m.n: m.url or urls.get(m.n, "") for m in marks(item)}
    cited = " ".join(
        f"[[{m.label}]]({_target(links[m.n])})" if links[m.n] else f"[{m.label}]" for m in marks(item)
    )
    date = format_date(item)
    line = f"**{escape(date)}** · " if date else ""
    ref = f" `#{item.fact_id}`" if item.fact_id else ""  # the id an editor corrects it by
    whose = f" *({escape(wording(item))})*" if item.wording else ""
    line += f"{escape(item.text)} {cited}{ref}{whose}".rstrip()
    if item.note:
        line += f"\n⚠ *{escape(item.note)}*"
    if group_changed and item.group:
        line = f"__{escape(clip(item.group, 200))}__\n{line}"
    return clip(line, DESCRIPTION_CHARS // 2)


def _source_line(s: Source) -> str:
    title = escape(clip(s.title or s.url, 90))
    link = f"[{title}]({s.url})" if s.url else title
    return f"[{s.n}] {escape(s.outlet)} · {s.published} · {link}"


def _source_fields(sources: Sequence[Source]) -> list[tuple[str, str]]:
    """``("Sources", lines)`` fields of at most 1,024 characters each."""
    fields: list[tuple[str, str]] = []
    current = ""
    for s in sources:
        line = clip(_source_line(s), FIELD_CHARS)
        if current and len(current) + 1 + len(line) > FIELD_CHARS:
            fields.append(("Sources" if not fields else "Sources (continued)", current))
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        fields.append(("Sources" if not fields else "Sources (continued)", current))
    return fields[: FIELDS - 1]


def _embed(answer: Answer, lines: list[str], items: Sequence[Item], footer: str) -> discord.Embed:
    embed = discord.Embed(
        title=clip(answer.title, TITLE_CHARS),
        description="\n".join(lines) or "Nothing to show.",
        colour=discord.Colour.dark_blue(),
    )
    cited = sorted({c.source for it in items for c in it.citations})
    by_n = {s.n: s for s in answer.sources}
    for name, value in _source_fields([by_n[n] for n in cited if n in by_n]):
        embed.add_field(name=name, value=value, inline=False)
    if footer:
        embed.set_footer(text=clip(footer, FOOTER_CHARS))
    return embed


def _size(embed: discord.Embed) -> int:
    return len(embed)  # discord.py counts title, description, fields, footer and author


def paginate(answer: Answer, start: int = 0, *, asked_by: str | None = None) -> Page:
    """The page of ``answer`` that begins at item ``start``: as many lines as fit one message."""
    if answer.error:
        return Page(0, 0, 0, None, content=clip(f"⚠ {escape(answer.error.message)}", CONTENT_CHARS))
    items = answer.items
    total = len(items)
    start = max(0, min(start, max(total - 1, 0)))
    urls = {s.n: s.url for s in answer.sources}
    notes = [escape(n) for n in answer.notes]
    if asked_by:
        notes.insert(0, f"Asked by {escape(clip(asked_by, 80))} · {escape(clip(answer.command, 200))}")

    def footer(end: int) -> str:
        parts = list(notes)
        if total > end - start and total:
            parts.append(f"Lines {start + 1}–{end} of {total}.")
        return "\n".join(parts)

    lines: list[str] = []
    end = start
    group: str | None = items[start - 1].group if start > 0 else None
    for item in items[start:]:
        line = _line(item, urls, item.group != group)
        trial = [*lines, line]
        description = "\n".join(trial)
        embed = _embed(answer, trial, items[start : end + 1], footer(end + 1))
        if lines and (len(description) > DESCRIPTION_CHARS or _size(embed) > MESSAGE_CHARS):
            break
        lines = trial
        end += 1
        group = item.group or group
    embed = _embed(answer, lines, items[start:end], footer(end))
    return Page(start, end, total, embed)
