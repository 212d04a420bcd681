"""The forms behind ``/fact add`` and ``/fact correct`` typed without arguments (Slack and Discord
modals): which fields, prefilled how, and the :class:`FactArgs` a submitted form stands for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands.fact import FactArgs
from facts.store.rows import FactRow

__all__ = ["FORM_ACTIONS", "Field", "Form", "form_args", "form_fields", "wants_form", "wants_form_text"]

FORM_ACTIONS = ("add", "correct")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool
    multiline: bool = False
    initial: str | None = None
    placeholder: str | None = None


@dataclass(frozen=True)
class Form:
    """A form to show: for ``action`` on ``fact_id`` at ``version`` (None when adding)."""

    action: str
    fact_id: int | None
    version: int | None
    title: str
    fields: list[Field]


def wants_form_text(text: str) -> tuple[str, int | None] | None:
    """``("add", None)`` or ``("correct", 12)`` when the text is just the action (and an id)."""
    words = text.split()
    if words == ["add"]:
        return "add", None
    if len(words) == 2 and words[0] == "correct" and re.fullmatch(r"#?\d+", words[1]):
        return "correct", int(words[1].lstrip("#"))
    return None


def wants_form(args: FactArgs) -> tuple[str, int | None] | None:
    """The same for arguments built from typed options: the action (and an id), nothing else."""
    if args.fields or args.rest:
        return None
    if args.action == "add" or (args.action == "correct" and args.fact_id is not None):
        return args.action, args.fact_id
    return None


def form_fields(action: str, fact: FactRow | None = None) -> list[Field]:
    if action == "correct":
        return [
            Field("text", "Text (leave as is to keep it)", False, True, fact.text if fact else None),
            Field("date", "Event date", False, False, fact.date_label if fact else None,
                  "2019-09-20, 2019-09, 2019 or 2019-11 to 2020-03"),
            Field("note", "Why (shown with the line)", True, True, None, "e.g. the agency moved it a day"),
        ]
    return [
        Field("text", "The fact, as the desk states it", True, True),
        Field("date", "Event date", False, False, None, "2019-09-20, 2019-09 or 2019"),
        Field("country", "Country it concerns", True, False, None, "el-salvador"),
        Field("source", "Source number or url", True, False, None, "3 or https://…"),
        Field("quote", "Supporting quote, verbatim from the source", True, True),
    ]


def form_args(
    action: str,
    fact_id: int | None,
    version: int | None,
    values: dict[str, str | None],
    fields: list[Field] | None = None,
) -> FactArgs:
    """The ``/fact`` change a submitted form stands for; values left as prefilled are left out."""
    initial = {f.name: " ".join((f.initial or "").split()) for f in fields or []}
    given: dict[str, str] = {}
    if version is not None:
        given["v"] = str(version)
    for name, value in values.items():
        if value is not None and value.strip() and " ".join(value.split()) != initial.get(name):
            given[name] = " ".join(value.split())
    return FactArgs(action, fact_id, given)
