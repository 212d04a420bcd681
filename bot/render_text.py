"""Render an answer for a terminal: readable, with numbered citations and the sources below."""

from __future__ import annotations

import textwrap

from bot.formatting import format_date, marks, wording
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
        cited = "".join(f"[{m.label}]" for m in marks(item))
        if item.fact_id:
            cited += f" #{item.fact_id}"
        if item.wording:
            cited += f" ({wording(item)})"
        head = f"{date:<22} " if date else ""
        body = textwrap.wrap(f"{item.text} {cited}".strip(), width=width - len(head) - 2) or [""]
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
