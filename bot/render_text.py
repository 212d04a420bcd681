"""Render an answer for a terminal: readable, with numbered citations and the sources below."""

from __future__ import annotations

import textwrap

from bot.formatting import format_date
from facts.answers.contract import Answer

__all__ = ["render_text"]


def render_text(answer: Answer, *, width: int = 100) -> str:
    if answer.error:
        return f"Error: {answer.error.message}"
    lines = [answer.title, "=" * min(len(answer.title), width)]
    group = None
    for item in answer.items:
        if item.group and item.group != group:
            group = item.group
            lines += ["", f"— {group}"]
        date = format_date(item)
        marks = "".join(f"[{n}]" for n in dict.fromkeys(c.source for c in item.citations))
        if item.fact_id:
            marks += f" #{item.fact_id}"
        head = f"{date:<22} " if date else ""
        body = textwrap.wrap(f"{item.text} {marks}".strip(), width=width - len(head) - 2) or [""]
        lines.append(f"• {head}{body[0]}")
        lines += [" " * (2 + len(head)) + more for more in body[1:]]
        if item.note:
            lines.append(" " * (2 + len(head)) + f"⚠ {item.note}")
    if answer.sources:
        lines += ["", "Sources"]
        for s in answer.sources:
            lines.append(f"  [{s.n}] {s.outlet} · {s.published} · {s.title} · {s.url}")
    if answer.notes:
        lines.append("")
        lines += [f"{note}" for note in answer.notes]
    return "\n".join(lines)
