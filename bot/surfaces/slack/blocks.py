"""An answer as a Slack message: Block Kit blocks plus a plain ``text`` fallback, inside Slack's limits.

Every string that comes from a document or a user is escaped (``&``, ``<``, ``>``) and has its
broadcast words defused (``@here``, ``@channel``, ``@everyone``), so an article that contains
``<!channel>`` or ``<@U123>`` shows those characters and pings nobody. A long answer is cut at
an item boundary and ends with a "More" button that shows the next items.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bot.formatting import format_date, marks, wording
from facts.answers.contract import Answer, Item, Source
from facts.text.clip import clip

__all__ = [
    "MORE_ACTION",
    "POST_ACTION",
    "POST_THREAD_ACTION",
    "SlackMessage",
    "escape",
    "render_answer",
]

MAX_BLOCKS = 50
SECTION_CHARS = 3000
HEADER_CHARS = 150
CONTEXT_ELEMENTS = 10
BUTTON_VALUE_CHARS = 2000
TEXT_FALLBACK_CHARS = 3000
# Slack rejects messages whose blocks hold ~13k characters in all ("msg_blocks_too_long", an
# undocumented cap); stay well under it.
BLOCK_TEXT_BUDGET = 11_000

POST_ACTION = "factdesk_post"
POST_THREAD_ACTION = "factdesk_post_thread"
MORE_ACTION = "factdesk_more"

_BROADCAST = re.compile(r"@(?=(?:here|channel|everyone)\b)", re.IGNORECASE)
_WORD_JOINER = "\u2060"


_MARKUP_START = re.compile(r"<(?=[!@#])")


def plain(text: str) -> str:
    """Text for a ``plain_text`` object (a header): Slack shows it literally, and no special
    mention, user or channel markup survives in it even if a client were to read it."""
    return _BROADCAST.sub("@" + _WORD_JOINER, _MARKUP_START.sub("<" + _WORD_JOINER, text))


def escape(text: str) -> str:
    """Text shown literally in mrkdwn: no links, mentions or broadcasts can be formed from it."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@" + _WORD_JOINER, text)


def _link(url: str, label: str) -> str:
    """``<url|label>``; characters that would end the link early are percent-encoded."""
    safe = quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")
    safe = safe.replace("&", "&amp;")
    return f"<{safe}|{escape(label)}>"


@dataclass
class SlackMessage:
    """Keyword arguments for ``respond()`` / ``chat.postMessage``: ``text`` and ``blocks``."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def _block_chars(block: dict[str, Any]) -> int:
    """Characters of text a block carries (what Slack's cumulative cap counts)."""
    total = 0
    if "text" in block and isinstance(block["text"], dict):
        total += len(block["text"].get("text", ""))
    for element in block.get("elements", ()):
        if isinstance(element.get("text"), str):
            total += len(element["text"])
        elif isinstance(element.get("text"), dict):
            total += len(element["text"].get("text", ""))
    return total


def _item_text(item: Item, urls: dict[int, str]) -> str:
    date = format_date(item)
    links = {m.n: m.url or urls.get(m.n, "") for m in marks(item)}
    cited = " ".join(_link(links[m.n], f"[{m.label}]") if links[m.n] else f"[{m.label}]" for m in marks(item))
    head = f"*{escape(date)}*  " if date else ""
    ref = f" `#{item.fact_id}`" if item.fact_id else ""  # the id an editor corrects it by
    whose = f" _({escape(wording(item))})_" if item.wording else ""
    line = f"{head}{escape(item.text)} {cited}{ref}{whose}".rstrip()
    if item.note:
        line += f"\n:warning: _{escape(item.note)}_"
    return clip(line, SECTION_CHARS)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(texts: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for i in range(0, len(texts), CONTEXT_ELEMENTS):
        chunk = texts[i : i + CONTEXT_ELEMENTS]
        elements = [{"type": "mrkdwn", "text": clip(t, SECTION_CHARS)} for t in chunk]
        out.append({"type": "context", "elements": elements})
    return out


def _source_line(s: Source) -> str:
    label = clip(s.title or s.url, 120)
    link = _link(s.url, label) if s.url else escape(label)
    return f"[{s.n}] {escape(s.outlet)} · {escape(s.published)} · {link}"


def _button(text: str, action: str, value: dict[str, Any], *, primary: bool = False) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action,
        "value": clip(json.dumps(value, separators=(",", ":")), BUTTON_VALUE_CHARS),
    }
    if primary:
        button["style"] = "primary"
    return button


def _fallback(answer: Answer, items: Sequence[Item]) -> str:
    """The notification / screen-reader text: title and the first lines, plain."""
    lines = [answer.title]
    for item in items:
        date = format_date(item)
        lines.append(f"• {date + ' ' if date else ''}{item.text}")
    if answer.error:
        lines.append(answer.error.message)
    return clip(escape("\n".join(lines)), TEXT_FALLBACK_CHARS)


def render_answer(
    answer: Answer,
    *,
    offset: int = 0,
    buttons: bool = True,
    asked_by: str | None = None,
    thread: tuple[str, str] | None = None,
    rerun: bool = True,
) -> SlackMessage:
    """Blocks for ``answer.items[offset:]``, as many as fit; a "More" button carries on.

    Buttons run the command again (answers are cheap and stay current), so ``rerun`` false (the
    answer of a command that changed the record) gives none. ``buttons`` adds "Post to channel"
    (for the private answer), or "Post to thread" with
    ``thread`` (the channel and thread of the message it is about); ``asked_by`` (a display name,
    not a mention: posting an answer must not notify anyone) says who asked, for an answer
    posted in the channel.
    """
    if answer.error:
        text = f":warning: {escape(answer.error.message)}"
        return SlackMessage(text=_fallback(answer, []), blocks=[_section(clip(text, SECTION_CHARS))])

    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(plain(answer.title), HEADER_CHARS)}}
    ]
    if asked_by:
        command = escape(clip(answer.command, 200)).replace("`", "'")
        blocks += _context([f"Asked by {escape(clip(asked_by, 80))} · `{command}`"])
    urls = {s.n: s.url for s in answer.sources}
    by_n = {s.n: s for s in answer.sources}

    # Room kept for what follows the items: sources (at most 2 context blocks per 10), notes,
    # the "more" line and the buttons.
    def tail(shown: Sequence[Item]) -> list[dict[str, Any]]:
        cited = sorted({c.source for it in shown for c in it.citations})
        out = _context([_source_line(by_n[n]) for n in cited if n in by_n])
        notes = [escape(n) for n in answer.notes]
        if notes:
            out += _context(notes)
        return out

    shown: list[Item] = []
    group: str | None = None
    body: list[dict[str, Any]] = []
    items = answer.items[offset:]
    for item in items:
        candidate: list[dict[str, Any]] = []
        if item.group and item.group != group:
            candidate.append(_section(f"*{escape(clip(item.group, 200))}*"))
        candidate.append(_section(_item_text(item, urls)))
        trial = blocks + body + candidate + tail([*shown, item])
        chars = sum(_block_chars(b) for b in trial)
        if shown and (len(trial) + 2 > MAX_BLOCKS or chars > BLOCK_TEXT_BUDGET):
            break
        body += candidate
        shown.append(item)
        group = item.group or group

    blocks += body + tail(shown)
    rest = len(items) - len(shown)
    actions: list[dict[str, Any]] = []
    if rest > 0:
        blocks += _context([f"{rest} more not shown here."])
        if rerun:
            more = {"c": answer.command, "o": offset + len(shown)}
            actions.append(_button(f"More ({rest})", MORE_ACTION, more))
    # The answer of a change gets no button: running it again would make the change again.
    if rerun and buttons and thread:  # an answer about a message: posted under it, in its thread
        post = {"c": answer.command, "o": offset, "ch": thread[0], "t": thread[1]}
        actions.append(_button("Post to thread", POST_THREAD_ACTION, post, primary=True))
    elif rerun and buttons:
        post = {"c": answer.command, "o": offset}
        actions.append(_button("Post to channel", POST_ACTION, post, primary=True))
    if actions:
        blocks.append({"type": "actions", "elements": actions})
    if not answer.items and not answer.notes:
        blocks.insert(1, _section("Nothing to show."))
    return SlackMessage(text=_fallback(answer, shown), blocks=blocks)
