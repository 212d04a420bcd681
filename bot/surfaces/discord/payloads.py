"""What factdesk reads from a Discord interaction: who asked and where (the neutral
:class:`~bot.requests.Request`), a slash command's typed option values and a modal's fields; and
from a message that mentions the bot, the same request (:func:`mention_from`).

discord.py hands the options to the callback already typed (``int`` for years and counts, ``str``
for the rest); text values are cleaned here, as every surface cleans what people type, and then
become the command's arguments directly (``Command.options``), never a command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TypedDict

import discord

from bot.invocation import Options
from bot.mentions import mention_request
from bot.requests import Request, clean_text

__all__ = [
    "InteractionFields",
    "fields_of",
    "mention_from",
    "modal_submission",
    "modal_values",
    "options_from",
    "request_from",
]


class InteractionFields(TypedDict):
    """The parts of an interaction factdesk reads."""

    user_id: int
    channel_id: int | None
    role_ids: list[int]  # a Member's roles in a guild; none for a User in DMs


def fields_of(interaction: discord.Interaction) -> InteractionFields:
    roles = getattr(interaction.user, "roles", None) or []
    return {
        "user_id": interaction.user.id,
        "channel_id": interaction.channel_id,
        "role_ids": [r.id for r in roles],
    }


def request_from(interaction: discord.Interaction, command: str) -> Request:
    """``discord:<user id>`` asking ``command`` in ``discord:<channel id>``, with their roles."""
    fields = fields_of(interaction)
    return Request(
        command=command,
        text="",
        actor=f"discord:{fields['user_id']}",
        channel=f"discord:{fields['channel_id']}",
        roles=tuple(str(r) for r in fields["role_ids"]),
    )


def options_from(values: Mapping[str, object]) -> Options:
    """The typed option values by name: text cleaned, whole numbers as given, absent ones None."""
    options: dict[str, str | int | None] = {}
    for name, value in values.items():
        if isinstance(value, bool) or value is None:
            options[name] = None
        elif isinstance(value, int):
            options[name] = value
        else:
            options[name] = clean_text(str(value))
    return options


def modal_values(inputs: Iterable[discord.ui.TextInput[discord.ui.Modal]]) -> dict[str, str | None]:
    """A submitted modal's text inputs by custom id (the field's name), cleaned."""
    return {str(i.custom_id): clean_text(i.value) if i.value is not None else None for i in inputs}


MENTION_CHARS = 4_000  # a message's text read at most (Discord allows 4,000 with Nitro)


def mention_from(message: discord.Message) -> Request:
    """The request a message mentioning the bot makes, asked by its author, with their roles."""
    roles = getattr(message.author, "roles", None) or []
    request = mention_request(
        message.content[:MENTION_CHARS],
        actor=f"discord:{message.author.id}",
        channel=f"discord:{message.channel.id}",
    )
    return replace(request, roles=tuple(str(r.id) for r in roles))


def modal_submission(interaction: discord.Interaction) -> tuple[str, dict[str, str | None]]:
    """A submitted modal read from the interaction itself: its custom id and each text input's
    value by custom id (cleaned). Nothing is needed from the process that opened it."""
    data = interaction.data or {}
    values: dict[str, str | None] = {}
    for row in data.get("components", []):  # type: ignore[union-attr]
        for component in row.get("components", []):
            value = component.get("value")
            values[str(component.get("custom_id"))] = clean_text(value) if isinstance(value, str) else None
    return str(data.get("custom_id", "")), values
