"""What factdesk reads from Slack: the payload kinds as TypedDicts, and one place that turns any
of them into the neutral :class:`~bot.requests.Request` (the idea of bolt's
``slack_bolt/request/internals.py``: every payload kind read in one module).

Kinds read: a slash command (a form-encoded body: ``command``, ``text``, ``user_id``…), a block
action (our buttons: ``actions[0].value`` carries the command line to answer again) and a view
submission (the ``/fact`` forms), an ``app_mention`` event (``@factdesk …``) and the "Find
sources" message shortcut (a ``message_action``: the message's text and where it is).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, cast

from bot.requests import Request, clean_text, without_surrogates

__all__ = [
    "BlockActionBody",
    "FormMeta",
    "Mention",
    "ShortcutMessage",
    "SlashCommandBody",
    "ViewSubmissionBody",
    "button_offset",
    "channel_id",
    "form_meta",
    "form_values",
    "mention",
    "message_shortcut",
    "post_target",
    "request_from",
    "trigger_id",
    "user_id",
    "user_name",
]


class SlackUser(TypedDict, total=False):
    id: str
    name: str
    username: str


class SlackChannel(TypedDict, total=False):
    id: str


class SlashCommandBody(TypedDict, total=False):
    """A slash command (``application/x-www-form-urlencoded``)."""

    command: str
    text: str
    user_id: str
    user_name: str
    channel_id: str
    trigger_id: str
    response_url: str


class BlockAction(TypedDict, total=False):
    action_id: str
    value: str  # our buttons: JSON {"c": "/timeline 2019", "o": 10}


class BlockActionBody(TypedDict, total=False):
    type: Literal["block_actions"]
    user: SlackUser
    channel: SlackChannel
    actions: list[BlockAction]
    trigger_id: str
    response_url: str


class InputValue(TypedDict, total=False):
    value: str | None


class ViewState(TypedDict, total=False):
    values: dict[str, dict[str, InputValue]]  # block id -> action id ("value") -> the input


class View(TypedDict, total=False):
    callback_id: str
    private_metadata: str  # our forms: JSON {"a": action, "id": fact id, "v": version, "c": channel}
    state: ViewState


class ViewSubmissionBody(TypedDict, total=False):
    type: Literal["view_submission"]
    user: SlackUser
    view: View
    trigger_id: str


Body = SlashCommandBody | BlockActionBody | ViewSubmissionBody


def user_id(body: Body | dict[str, Any]) -> str:
    """The user of a slash command (``user_id``) or an interaction (``user.id``)."""
    user = cast(dict[str, Any], body).get("user")
    if isinstance(user, dict) and user.get("id"):
        return str(user["id"])
    return str(cast(dict[str, Any], body).get("user_id") or "")


def user_name(body: Body | dict[str, Any]) -> str:
    raw = cast(dict[str, Any], body)
    user = raw.get("user") or {}
    return str(user.get("name") or user.get("username") or raw.get("user_name") or "someone")


def channel_id(body: Body | dict[str, Any]) -> str:
    """The channel of a slash command (``channel_id``) or a block action (``channel.id``)."""
    raw = cast(dict[str, Any], body)
    channel = raw.get("channel")
    if isinstance(channel, dict):
        return str(channel.get("id") or "")
    return str(raw.get("channel_id") or "")


def trigger_id(body: Body | dict[str, Any]) -> str | None:
    """The delivery's trigger id (claimed once per delivery), or None."""
    trigger = cast(dict[str, Any], body).get("trigger_id")
    return str(trigger) if trigger else None


def _button(body: BlockActionBody) -> tuple[str, int] | None:
    try:
        value = json.loads(body["actions"][0]["value"])
        return str(value["c"]), int(value.get("o", 0))
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def button_offset(body: BlockActionBody) -> int:
    """Where in the answer a "More" or "Post to channel" button starts (0 when unreadable)."""
    found = _button(body)
    return max(found[1], 0) if found else 0


def request_from(body: Body | dict[str, Any]) -> Request | None:
    """The neutral request a slash command or one of our buttons stands for; None for a button
    whose value cannot be read (and for payload kinds that carry no command)."""
    raw = cast(dict[str, Any], body)
    actor, channel = f"slack:{user_id(body)}", f"slack:{channel_id(body)}"
    if "command" in raw:
        command = str(raw.get("command", "")).lstrip("/")
        text = clean_text(str(raw.get("text", "")))
        return Request(command=command, text=text, actor=actor, channel=channel)
    if raw.get("type") == "block_actions":
        found = _button(cast(BlockActionBody, body))
        if found is None:
            return None
        head, _, rest = found[0].partition(" ")
        return Request(command=head.lstrip("/"), text=clean_text(rest), actor=actor, channel=channel)
    return None


@dataclass(frozen=True)
class FormMeta:
    """What a form's ``private_metadata`` carries: the action, the fact, its version when the
    form opened, and the channel to answer in."""

    action: str
    fact_id: int | None
    version: int | None
    channel: str | None

    def dumps(self) -> str:
        return json.dumps({"a": self.action, "id": self.fact_id, "v": self.version, "c": self.channel})


def form_meta(view: View | dict[str, Any]) -> FormMeta:
    meta = json.loads(cast(dict[str, Any], view).get("private_metadata") or "{}")
    fact_id, version = meta.get("id"), meta.get("v")
    return FormMeta(
        str(meta.get("a", "add")),
        int(fact_id) if fact_id is not None else None,
        int(version) if version is not None else None,
        meta.get("c"),
    )


def form_values(view: View | dict[str, Any]) -> dict[str, str | None]:
    """The submitted value of each input, by block id (the field's name)."""
    state = cast(dict[str, Any], view).get("state", {}).get("values", {})
    values: dict[str, str | None] = {}
    for name, block in state.items():
        value = (block.get("value") or {}).get("value")
        values[name] = without_surrogates(value) if isinstance(value, str) else None
    return values


MENTION_CHARS = 4_000  # a mention's text read at most (Slack allows 40,000 in a message)


@dataclass(frozen=True)
class Mention:
    """An ``app_mention`` event: who, where, the text, and the thread to answer in (the
    message's own thread, or a new one under the message)."""

    event_id: str
    user: str
    channel: str
    text: str
    thread: str


def mention(body: dict[str, Any]) -> Mention | None:
    """The mention in an ``event_callback`` body; None for a bot's message, an edit, or a payload
    missing its user, channel or timestamp."""
    event = body.get("event") or {}
    user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
    if event.get("bot_id") or event.get("subtype") or not (user and channel and ts):
        return None
    text = without_surrogates(str(event.get("text") or ""))[:MENTION_CHARS]
    event_id = str(body.get("event_id") or f"{channel}:{ts}")
    return Mention(event_id, str(user), str(channel), text, str(event.get("thread_ts") or ts))


FIND_SOURCES = "factdesk_find_sources"  # the message shortcut's callback id (manifest)


@dataclass(frozen=True)
class ShortcutMessage:
    """The message a shortcut was used on: its text, channel and the thread to post in."""

    user: str
    channel: str
    text: str
    thread: str


def message_shortcut(body: dict[str, Any]) -> ShortcutMessage | None:
    """The message of a ``message_action`` payload; None when it has no text or no place."""
    message = body.get("message") or {}
    channel, ts = channel_id(body), message.get("ts") or body.get("message_ts")
    text = without_surrogates(str(message.get("text") or ""))[:MENTION_CHARS]
    if not (channel and ts and text.strip()):
        return None
    return ShortcutMessage(user_id(body), channel, text, str(message.get("thread_ts") or ts))


def post_target(body: BlockActionBody | dict[str, Any]) -> tuple[str, str] | None:
    """The channel and thread a "Post to thread" button posts in, or None if unreadable."""
    try:
        value = json.loads(cast(dict[str, Any], body)["actions"][0]["value"])
        return str(value["ch"]), str(value["t"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
