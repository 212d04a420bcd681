"""A local fake of Discord for end-to-end tests: real sockets on 127.0.0.1, real discord.py at the other end.

It speaks enough of Discord (API v10, as discord.py 2.7 uses it) for a real ``discord.Client`` with an
``app_commands.CommandTree``:

* REST under ``/api/v10``: login (``GET /users/@me``, ``GET /oauth2/applications/@me``), command sync
  (``PUT``/``GET`` ``/applications/{app}[/guilds/{guild}]/commands``), interaction callbacks
  (``POST /interactions/{id}/{token}/callback``), follow-ups and edits through the interaction webhook
  (``/webhooks/{app}/{token}[/messages/{id|@original}]``) and bot messages (``POST /channels/{id}/messages``).
* The gateway at ``/gateway`` (plain JSON text frames): HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE,
  RESUME with replay -> RESUMED, and the server-side RECONNECT (op 7) and INVALID_SESSION (op 9).
* Sharding: one live session per shard at once. IDENTIFY's ``shard: [id, count]`` names it (none is shard
  0 of 1); READY and GUILD_CREATE carry that shard's guilds only, and every event of a guild goes to the
  session of shard ``(guild_id >> 22) % count`` (Discord's rule; events outside a guild to shard 0).
  ``GET /gateway/bot`` answers the ``shards`` and ``max_concurrency`` the fake was built with.
* Interactions driven by the test: :meth:`FakeDiscord.slash_command`, :meth:`~FakeDiscord.autocomplete`,
  :meth:`~FakeDiscord.button` and :meth:`~FakeDiscord.modal_submit` dispatch ``INTERACTION_CREATE``.

Discord's rules are enforced with this module's OWN constants (message and embed limits, command definition
limits, the 3-second initial-response deadline, the 15-minute interaction token, single acknowledgement).
They are deliberately not imported from ``bot/``: if the bot's formatter gets a limit wrong, the fake rejects
its output and a test fails. Deadlines use the injected ``clock``, so no test has to sleep through them.

Usage::

    async with FakeDiscord(clock=clock) as fake:
        fake.patch(monkeypatch)                      # Route.BASE and DEFAULT_GATEWAY -> the fake
        client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with running(client):                  # start, wait until ready, close afterwards
            iid = await fake.slash_command("echo", {"text": "hi"})
            await fake.wait_for(lambda: fake.interactions[iid].responded)

A test module gets the ``fake_discord`` fixture (patched, default clock) once a conftest lists
``pytest_plugins = ["tests.fakes.discord"]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import re
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import aiohttp
import discord
import pytest
import yarl
from aiohttp import web

from tests.fakes.server import LoopbackServer

# --- Discord's limits, kept independent of the bot's own constants ------------------------------------

MAX_CONTENT = 2_000
MAX_EMBEDS = 10
MAX_EMBED_TITLE = 256
MAX_EMBED_DESCRIPTION = 4_096
MAX_EMBED_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1_024
MAX_FOOTER_TEXT = 2_048
MAX_AUTHOR_NAME = 256
MAX_EMBED_TOTAL = 6_000
MAX_ACTION_ROWS = 5
MAX_ROW_BUTTONS = 5
MAX_BUTTON_LABEL = 80
MAX_CUSTOM_ID = 100
MAX_SELECT_OPTIONS = 25
MAX_SELECT_OPTION_TEXT = 100
MAX_SELECT_PLACEHOLDER = 150
MAX_V2_COMPONENTS = 40
MAX_MODAL_TITLE = 45
MAX_COMMAND_NAME = 32
MAX_COMMAND_DESCRIPTION = 100
MAX_COMMAND_OPTIONS = 25
MAX_OPTION_CHOICES = 25
MAX_CHOICE_NAME = 100
MAX_CHOICE_VALUE = 100
MAX_CHAT_INPUT_COMMANDS = 100  # per scope: global, and each guild
INITIAL_RESPONSE_SECONDS = 3.0
INTERACTION_TOKEN_SECONDS = 15 * 60
DEFAULT_HEARTBEAT_MS = 41_250
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_COMPONENTS_V2 = 1 << 15

# Interaction types, callback types, option types, gateway opcodes (the numbers the wire carries)
INTERACTION_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL = 5
CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE = 8
CALLBACK_MODAL = 9
ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    INTERACTION_COMMAND: frozenset({CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_MODAL}),
    INTERACTION_COMPONENT: frozenset(
        {
            CALLBACK_MESSAGE,
            CALLBACK_DEFERRED_MESSAGE,
            CALLBACK_DEFERRED_UPDATE,
            CALLBACK_UPDATE_MESSAGE,
            CALLBACK_MODAL,
        }
    ),
    INTERACTION_AUTOCOMPLETE: frozenset({CALLBACK_AUTOCOMPLETE}),
    INTERACTION_MODAL: frozenset(
        {CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE}
    ),
}
OPTION_SUB_COMMAND = 1
OPTION_SUB_COMMAND_GROUP = 2
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_NUMBER = 10
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME = 0, 1, 2, 6
OP_RECONNECT, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 7, 9, 10, 11
GUILD_EVENTS = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})  # the guild's id is ``id``

APPLICATION_ID = "1100000000000000001"  # also the bot user's id, as for apps created since 2019
GUILD_ID = "1200000000000000001"
OWNER_ID = "1300000000000000000"
USER_ID = "1300000000000000001"
CHANNEL_OFFSET = 10**16  # a guild's "general" channel id is its id plus this
DEFAULT_PERMISSIONS = "2248473465835073"  # a member's usual text permissions
API_PREFIX = "/api/v10"

Clock = Callable[[], float]
_CHAT_INPUT_NAME = re.compile(r"^[-_\w]{1,32}$")


# --- validation --------------------------------------------------------------------------------------


class Problem(NamedTuple):
    """One validation error: where (a path into the payload), Discord's error code and message."""

    path: tuple[str | int, ...]
    code: str
    message: str


def _too_long(path: tuple[str | int, ...], limit: int) -> Problem:
    return Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def nest_problems(problems: Sequence[Problem], prefix: tuple[str | int, ...] = ()) -> dict[str, Any]:
    """Problems as Discord's nested ``errors`` (``{"embeds": {"0": {"title": {"_errors": [...]}}}}``)."""
    root: dict[str, Any] = {}
    for problem in problems:
        node = root
        for key in (*prefix, *problem.path):
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return root


def _text_len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _check_len(
    obj: Mapping[str, Any], key: str, limit: int, path: tuple[str | int, ...]
) -> Iterator[Problem]:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        yield Problem((*path, key), "BASE_TYPE_STRING", "Must be a string.")
    elif isinstance(value, str) and len(value) > limit:
        yield _too_long((*path, key), limit)


def embed_size(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts towards the 6,000 per message: title, description, fields, footer, author."""
    size = _text_len(embed.get("title")) + _text_len(embed.get("description"))
    for item in embed.get("fields") or []:
        if isinstance(item, dict):
            size += _text_len(item.get("name")) + _text_len(item.get("value"))
    for key, inner in (("footer", "text"), ("author", "name")):
        if isinstance(embed.get(key), dict):
            size += _text_len(embed[key].get(inner))
    return size


def _embed_problems(embeds: Any) -> Iterator[Problem]:
    if not isinstance(embeds, list):
        yield Problem(("embeds",), "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(embeds) > MAX_EMBEDS:
        yield _too_long(("embeds",), MAX_EMBEDS)
    for i, embed in enumerate(embeds):
        where: tuple[str | int, ...] = ("embeds", i)
        if not isinstance(embed, dict):
            yield Problem(where, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        yield from _check_len(embed, "title", MAX_EMBED_TITLE, where)
        yield from _check_len(embed, "description", MAX_EMBED_DESCRIPTION, where)
        fields = embed.get("fields") or []
        if len(fields) > MAX_EMBED_FIELDS:
            yield _too_long((*where, "fields"), MAX_EMBED_FIELDS)
        for j, item in enumerate(fields):
            if not isinstance(item, dict):
                continue
            for key, limit in (("name", MAX_FIELD_NAME), ("value", MAX_FIELD_VALUE)):
                if not item.get(key):
                    yield Problem((*where, "fields", j, key), "BASE_TYPE_REQUIRED", "This field is required")
                else:
                    yield from _check_len(item, key, limit, (*where, "fields", j))
        if isinstance(embed.get("footer"), dict):
            yield from _check_len(embed["footer"], "text", MAX_FOOTER_TEXT, (*where, "footer"))
        if isinstance(embed.get("author"), dict):
            yield from _check_len(embed["author"], "name", MAX_AUTHOR_NAME, (*where, "author"))
    total = sum(embed_size(e) for e in embeds if isinstance(e, dict))
    if total > MAX_EMBED_TOTAL:
        yield Problem(
            ("embeds",), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}"
        )


def _component_problems(component: Any, where: tuple[str | int, ...]) -> Iterator[Problem]:
    """One interactive component (button, select, text input) or a container, recursively."""
    if not isinstance(component, dict) or not isinstance(component.get("type"), int):
        yield Problem(where, "COMPONENT_TYPE_INVALID", "Component type is invalid")
        return
    kind = component["type"]
    link_like = kind == 2 and component.get("style") in (5, 6)
    if "custom_id" in component or (kind in (2, 3, 4, 5, 6, 7, 8) and not link_like):
        custom_id = component.get("custom_id")
        if not isinstance(custom_id, str) or not custom_id:
            yield Problem((*where, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
        else:
            yield from _check_len(component, "custom_id", MAX_CUSTOM_ID, where)
    if kind == 2:
        yield from _check_len(component, "label", MAX_BUTTON_LABEL, where)
    elif kind in (3, 5, 6, 7, 8):
        yield from _check_len(component, "placeholder", MAX_SELECT_PLACEHOLDER, where)
        options = component.get("options") or []
        if len(options) > MAX_SELECT_OPTIONS:
            yield _too_long((*where, "options"), MAX_SELECT_OPTIONS)
        for j, option in enumerate(options):
            if isinstance(option, dict):
                for key in ("label", "value", "description"):
                    yield from _check_len(option, key, MAX_SELECT_OPTION_TEXT, (*where, "options", j))
    for key in ("components",):
        for j, child in enumerate(component.get(key) or []):
            yield from _component_problems(child, (*where, key, j))
    if isinstance(component.get("component"), dict):  # a modal label wraps one component
        yield from _component_problems(component["component"], (*where, "component"))


def _components_problems(components: Any, flags: int) -> Iterator[Problem]:
    if not isinstance(components, list):
        yield Problem(("components",), "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if flags & FLAG_COMPONENTS_V2:
        if len(components) > MAX_V2_COMPONENTS:
            yield _too_long(("components",), MAX_V2_COMPONENTS)
        for i, component in enumerate(components):
            yield from _component_problems(component, ("components", i))
        return
    if len(components) > MAX_ACTION_ROWS:
        yield _too_long(("components",), MAX_ACTION_ROWS)
    for i, row in enumerate(components):
        where: tuple[str | int, ...] = ("components", i)
        if not isinstance(row, dict) or row.get("type") != 1:
            yield Problem(where, "COMPONENT_TYPE_INVALID", "Top-level components must be action rows")
            continue
        children = row.get("components") or []
        if not children:
            yield Problem((*where, "components"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
        if len(children) > MAX_ROW_BUTTONS:
            yield _too_long((*where, "components"), MAX_ROW_BUTTONS)
        kinds = {c.get("type") for c in children if isinstance(c, dict)}
        if kinds - {2} and len(children) > 1:
            yield Problem(
                (*where, "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "A select menu must be alone in a row",
            )
        for j, child in enumerate(children):
            yield from _component_problems(child, (*where, "components", j))


def message_problems(payload: Mapping[str, Any]) -> list[Problem]:
    """Every message rule the fake enforces (content, embeds, components) for one message payload."""
    problems: list[Problem] = []
    content = payload.get("content")
    if content is not None and not isinstance(content, str):
        problems.append(Problem(("content",), "BASE_TYPE_STRING", "Must be a string."))
    elif isinstance(content, str) and len(content) > MAX_CONTENT:
        problems.append(_too_long(("content",), MAX_CONTENT))
    if payload.get("embeds") is not None:
        problems.extend(_embed_problems(payload["embeds"]))
    flags = payload.get("flags") or 0
    if payload.get("components") is not None:
        problems.extend(_components_problems(payload["components"], int(flags)))
    return problems


def is_empty_message(payload: Mapping[str, Any]) -> bool:
    """Whether Discord would answer 50006 "Cannot send an empty message"."""
    keys = ("content", "embeds", "components", "attachments", "sticker_ids", "poll")
    return not any(payload.get(key) for key in keys) and not (
        int(payload.get("flags") or 0) & FLAG_COMPONENTS_V2
    )


def could_ping(payload: Mapping[str, Any]) -> bool:
    """Whether the content holds a mention that ``allowed_mentions`` (absent = everything) lets through.

    ``@everyone``/``@here`` need ``"everyone"`` in ``parse``; ``<@id>``/``<@!id>`` need ``"users"`` or a
    ``users`` list; ``<@&id>`` needs ``"roles"`` or a ``roles`` list. Mentions inside embeds never ping.
    """
    content = payload.get("content")
    if not isinstance(content, str):
        return False
    wants_everyone = "@everyone" in content or "@here" in content
    wants_user = re.search(r"<@!?\d+>", content) is not None
    wants_role = "<@&" in content
    if not (wants_everyone or wants_user or wants_role):
        return False
    allowed = payload.get("allowed_mentions")
    if not isinstance(allowed, dict):
        return True
    parse = allowed.get("parse") or []
    return (
        (wants_everyone and "everyone" in parse)
        or (wants_user and ("users" in parse or bool(allowed.get("users"))))
        or (wants_role and ("roles" in parse or bool(allowed.get("roles"))))
    )


def _name_problems(
    obj: Mapping[str, Any], where: tuple[str | int, ...], chat_input: bool
) -> Iterator[Problem]:
    name = obj.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_COMMAND_NAME:
        yield Problem(
            (*where, "name"), "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MAX_COMMAND_NAME} in length."
        )
    elif chat_input and (name != name.lower() or not _CHAT_INPUT_NAME.match(name)):
        yield Problem((*where, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    description = obj.get("description")
    if chat_input and (
        not isinstance(description, str) or not 1 <= len(description) <= MAX_COMMAND_DESCRIPTION
    ):
        yield Problem(
            (*where, "description"),
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {MAX_COMMAND_DESCRIPTION} in length.",
        )


def _options_problems(options: Any, where: tuple[str | int, ...]) -> Iterator[Problem]:
    if options is None:
        return
    if not isinstance(options, list):
        yield Problem(where, "BASE_TYPE_ARRAY", "Must be an array.")
        return
    if len(options) > MAX_COMMAND_OPTIONS:
        yield _too_long(where, MAX_COMMAND_OPTIONS)
    seen_optional = False
    for i, option in enumerate(options):
        at = (*where, i)
        if not isinstance(option, dict):
            yield Problem(at, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        yield from _name_problems(option, at, chat_input=True)
        if option.get("type") in (OPTION_SUB_COMMAND, OPTION_SUB_COMMAND_GROUP):
            yield from _options_problems(option.get("options"), (*at, "options"))
            continue
        if option.get("required"):
            if seen_optional:
                yield Problem(
                    (*at, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = option.get("choices") or []
        if len(choices) > MAX_OPTION_CHOICES:
            yield _too_long((*at, "choices"), MAX_OPTION_CHOICES)
        for j, choice in enumerate(choices):
            if isinstance(choice, dict):
                yield from _check_len(choice, "name", MAX_CHOICE_NAME, (*at, "choices", j))
                yield from _check_len(choice, "value", MAX_CHOICE_VALUE, (*at, "choices", j))


def command_problems(commands: Any) -> list[Problem]:
    """Discord's checks on a bulk-overwrite body: names, descriptions, options, choices, counts."""
    if not isinstance(commands, list):
        return [Problem((), "BASE_TYPE_ARRAY", "Must be an array.")]
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    chat_inputs = 0
    for i, command in enumerate(commands):
        if not isinstance(command, dict):
            problems.append(Problem((i,), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"))
            continue
        kind = int(command.get("type") or 1)
        chat_input = kind == 1
        chat_inputs += chat_input
        problems.extend(_name_problems(command, (i,), chat_input))
        key = (kind, str(command.get("name")))
        if key in seen:
            problems.append(
                Problem(
                    (i, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    "Application command names must be unique",
                )
            )
        seen.add(key)
        problems.extend(_options_problems(command.get("options"), (i, "options")))
    if chat_inputs > MAX_CHAT_INPUT_COMMANDS:
        problems.append(_too_long((), MAX_CHAT_INPUT_COMMANDS))
    return problems


def _callback_data_problems(kind: int, data: Mapping[str, Any]) -> list[Problem]:
    """Rules for the ``data`` of autocomplete (8) and modal (9) callbacks."""
    problems: list[Problem] = []
    if kind == CALLBACK_AUTOCOMPLETE:
        choices = data.get("choices") or []
        if len(choices) > MAX_OPTION_CHOICES:
            problems.append(_too_long(("choices",), MAX_OPTION_CHOICES))
        for j, choice in enumerate(choices):
            if isinstance(choice, dict):
                problems.extend(_check_len(choice, "name", MAX_CHOICE_NAME, ("choices", j)))
                problems.extend(_check_len(choice, "value", MAX_CHOICE_VALUE, ("choices", j)))
    elif kind == CALLBACK_MODAL:
        problems.extend(_check_len(data, "title", MAX_MODAL_TITLE, ()))
        problems.extend(_check_len(data, "custom_id", MAX_CUSTOM_ID, ()))
        for i, component in enumerate(data.get("components") or []):
            problems.extend(_component_problems(component, ("components", i)))
    return problems


# --- records -----------------------------------------------------------------------------------------


@dataclass
class InteractionRecord:
    """An interaction the fake dispatched, and what became of it."""

    id: str
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete, 5 modal submit
    name: str  # the command name, or the custom_id
    channel_id: str
    guild_id: str | None
    payload: dict[str, Any]  # the INTERACTION_CREATE ``d``
    dispatched_at: float  # by the injected clock
    shard: int = 0  # the gateway shard it was dispatched on
    response_type: int | None = None
    responded_at: float | None = None
    original_message_id: str | None = None
    message_ids: list[str] = field(default_factory=list)  # original and follow-ups

    @property
    def responded(self) -> bool:
        """Whether the initial response (any callback type) was accepted."""
        return self.response_type is not None

    @property
    def deferred(self) -> bool:
        """Whether the initial response was a defer (type 5 or 6)."""
        return self.response_type in (CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE)


class ApiError(Exception):
    """An error answer in Discord's shape: ``{"message", "code"[, "errors"]}``."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def _invalid_form(problems: Sequence[Problem], prefix: tuple[str | int, ...] = ()) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body", nest_problems(problems, prefix))


def _unknown_interaction() -> ApiError:
    return ApiError(404, 10062, "Unknown interaction")


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """JSON with the exact content type discord.py's ``json_or_text`` requires."""
    return web.Response(
        status=status, body=json.dumps(data).encode(), content_type="application/json", headers=headers
    )


def _iso(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.UTC)).isoformat()


@dataclass
class _Session:
    id: str
    shard: list[int] | None
    seq: int = 0
    frames: list[dict[str, Any]] = field(default_factory=list)  # every dispatch, for replay on RESUME
    connection: _Connection | None = None
    ended: bool = False


@dataclass
class _Connection:
    ws: web.WebSocketResponse
    query: dict[str, str]
    session: _Session | None = None
    close_code: int | None = None


# --- the fake ----------------------------------------------------------------------------------------


class FakeDiscord(LoopbackServer):
    """A fake Discord on 127.0.0.1 (port 0). Use ``async with FakeDiscord(...) as fake`` or start/stop.

    Recorded state (plain lists and dicts, append-only while running):

    * ``requests``: every REST request as ``(method, path, route_key)``.
    * ``synced``: the command lists from the last bulk overwrite per scope (``None`` = global, else guild
      id), as returned (with ``id``, ``application_id``, ``version``).
    * ``interactions``: :class:`InteractionRecord` by id, for everything the fake dispatched.
    * ``callbacks``, ``followups``, ``edits``, ``channel_messages``: accepted messages as dicts with
      ``payload`` (the full body), ``content``, ``embeds``, ``components``, ``flags``, ``allowed_mentions``,
      ``pings`` (see :func:`could_ping`), ``message_id``, ``interaction_id``/``channel_id`` and ``at``.
      Callbacks also carry ``type`` and ``data`` (autocomplete and modal callbacks are recorded there too).
    * ``rejected``: refused messages and command lists (50035/50006): ``route``, ``code``, ``errors``,
      ``payload``; ``errors``: every other error answer (``route``, ``status``, ``code``, ``message``).
    * ``ratelimited``: 429s served as ``(route_key, payload)``; ``messages``: message objects by id.
    * Gateway: ``connections``, ``identifies``, ``resumes``, ``heartbeats`` counters; ``identify_payloads``;
      ``identified_shards`` (each IDENTIFY's ``(id, count)``, ``(0, 1)`` without a shard); ``received_frames``
      (every client frame); ``close_codes`` (how client sockets ended). :meth:`live_shards` names the
      shards with a live session.
    """

    def __init__(
        self,
        clock: Clock = time.monotonic,
        *,
        token: str = "fake-token",
        application_id: str = APPLICATION_ID,
        guild_ids: Sequence[str] = (GUILD_ID,),
        heartbeat_interval: int = DEFAULT_HEARTBEAT_MS,
        bot_name: str = "factdesk",
        shards: int = 1,
        max_concurrency: int = 1,
    ) -> None:
        """``shards`` and ``max_concurrency``: what ``GET /gateway/bot`` recommends and allows."""
        super().__init__()
        self.clock = clock
        self.token = token
        self.application_id = application_id
        self.guild_ids = [str(g) for g in guild_ids]
        self.heartbeat_interval = heartbeat_interval
        self.recommended_shards = shards
        self.max_concurrency = max_concurrency
        self.bot_user: dict[str, Any] = {
            "id": application_id,
            "username": bot_name,
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "verified": True,
            "mfa_enabled": False,
        }
        self.roles: dict[str, list[dict[str, Any]]] = {
            g: [self._role(g, "@everyone", g)] for g in self.guild_ids
        }
        self.channels: dict[str, dict[str, Any]] = {}
        for guild_id in self.guild_ids:
            self.add_channel(guild_id, "general", str(int(guild_id) + CHANNEL_OFFSET))

        self.requests: list[tuple[str, str, str]] = []
        self.synced: dict[str | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self.callbacks: list[dict[str, Any]] = []
        self.followups: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.channel_messages: list[dict[str, Any]] = []
        self.channel_edits: list[dict[str, Any]] = []  # PATCH /channels/{cid}/messages/{mid}
        self.deleted: list[str] = []
        self.rejected: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.ratelimited: list[tuple[str, Any]] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.connections = 0
        self.identifies = 0
        self.resumes = 0
        self.heartbeats = 0
        self.identify_payloads: list[dict[str, Any]] = []
        self.identified_shards: list[tuple[int, int]] = []
        self.received_frames: list[dict[str, Any]] = []
        self.close_codes: list[int | None] = []

        self._rate_limits: dict[str, deque[float]] = {}
        self._command_ids: dict[tuple[str | None, int, str], str] = {}
        self._sessions: dict[str, _Session] = {}
        self._current: dict[int, _Session] = {}  # by shard id: the session its events go to
        self._shard_count = 1  # as the latest IDENTIFY gave it
        self._connections: list[_Connection] = []
        epoch_ms = int(time.time() * 1000) - 1_420_070_400_000
        self._snowflakes = itertools.count(epoch_ms << 22)

    # -- lifecycle --

    def _app(self) -> web.Application:
        app = web.Application()
        api = API_PREFIX
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get(f"{api}/gateway", self._gateway_info)
        app.router.add_get(f"{api}/gateway/bot", self._gateway_info)
        app.router.add_get(f"{api}/users/@me", self._users_me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        for path in (
            f"{api}/applications/{{app}}/commands",
            f"{api}/applications/{{app}}/guilds/{{guild}}/commands",
        ):
            app.router.add_put(path, self._put_commands)
            app.router.add_get(path, self._get_commands)
        app.router.add_post(f"{api}/interactions/{{iid}}/{{itoken}}/callback", self._callback)
        app.router.add_post(f"{api}/webhooks/{{app}}/{{itoken}}", self._followup)
        message_path = f"{api}/webhooks/{{app}}/{{itoken}}/messages/{{mid}}"
        app.router.add_patch(message_path, self._edit)
        app.router.add_get(message_path, self._get_message)
        app.router.add_delete(message_path, self._delete_message)
        app.router.add_post(f"{api}/channels/{{cid}}/messages", self._channel_message)
        app.router.add_patch(f"{api}/channels/{{cid}}/messages/{{mid}}", self._edit_channel_message)
        return app

    async def stop(self) -> None:
        """Close the gateway sockets and the server."""
        for connection in list(self._connections):
            await connection.ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"server stopping")
        await super().stop()

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:PORT/api/v10``: the value for ``discord.http.Route.BASE``."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """``ws://127.0.0.1:PORT/gateway``: the value for ``DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def default_guild_id(self) -> str:
        return self.guild_ids[0]

    @property
    def default_channel_id(self) -> str:
        """The "general" channel of the first guild."""
        return self.channel_id()

    def channel_id(self, guild_id: str | None = None, name: str = "general") -> str:
        """The id of a guild's channel by name (the first guild by default)."""
        guild_id = guild_id or self.default_guild_id
        for channel in self.channels.values():
            if channel.get("guild_id") == guild_id and channel.get("name") == name:
                return str(channel["id"])
        raise KeyError(f"no channel {name!r} in guild {guild_id}")

    def patch(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point discord.py's REST base and default gateway at this fake (undone by monkeypatch)."""
        monkeypatch.setattr(discord.http.Route, "BASE", self.api_url)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url))

    # -- test controls --

    def rate_limit(self, route_key: str, times: int = 1, retry_after: float = 0.05) -> None:
        """Answer the next ``times`` requests of ``route_key`` with a 429 that discord.py retries.

        Route keys: ``me``, ``application``, ``sync``, ``commands``, ``callback``, ``followup``, ``edit``,
        ``original`` (GET), ``delete``, ``channel_message``.
        """
        self._rate_limits.setdefault(route_key, deque()).extend([retry_after] * times)

    def add_channel(self, guild_id: str, name: str, channel_id: str | None = None) -> str:
        """Add a text channel (in GUILD_CREATE: call before the client connects); returns its id."""
        cid = channel_id or self._snowflake()
        position = sum(1 for c in self.channels.values() if c.get("guild_id") == guild_id)
        self.channels[cid] = {
            "id": cid,
            "type": 0,
            "guild_id": guild_id,
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        return cid

    def add_thread(self, parent_id: str, name: str) -> str:
        """Add a public thread under a text channel (in GUILD_CREATE's ``threads``: call before
        the client connects); returns its id."""
        parent = self.channels[parent_id]
        tid = self.add_channel(parent["guild_id"], name)
        self.channels[tid].update(
            {
                "type": 11,
                "parent_id": parent_id,
                "owner_id": OWNER_ID,
                "message_count": 0,
                "member_count": 1,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": _iso(),
                    "locked": False,
                },
            }
        )
        return tid

    async def user_message(
        self,
        content: str,
        *,
        channel_id: str | None = None,
        user_id: str = "111",
        user_name: str = "jane",
        roles: Sequence[str] = (),
        mention_bot: bool = True,
        bot: bool = False,
        message_id: str | None = None,
    ) -> str:
        """A member's message (MESSAGE_CREATE on the gateway); with ``mention_bot`` it mentions
        the bot as Discord sends it (``<@id>`` in the content, the bot in ``mentions``). Returns
        the message id."""
        cid = channel_id or self.default_channel_id
        guild_id = self.channels[cid].get("guild_id")
        author = {**self._user(user_id, user_name), "bot": bot}
        mid = message_id or self._snowflake()
        data: dict[str, Any] = {
            "id": mid,
            "type": 0,
            "channel_id": cid,
            "author": author,
            "content": content,
            "embeds": [],
            "components": [],
            "attachments": [],
            "mentions": [dict(self.bot_user)] if mention_bot else [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": _iso(),
            "edited_timestamp": None,
            "flags": 0,
        }
        if guild_id is not None:
            data["guild_id"] = guild_id
            data["member"] = {
                "roles": list(roles),
                "joined_at": _iso(),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "nick": None,
                "avatar": None,
                "pending": False,
            }
        self.messages[mid] = data
        await self.dispatch("MESSAGE_CREATE", data)
        return mid

    def add_role(self, name: str, *, guild_id: str | None = None, permissions: str = "0") -> str:
        """Add a guild role (include it in GUILD_CREATE: call before the client connects); returns its id."""
        guild_id = guild_id or self.default_guild_id
        role_id = self._snowflake()
        self.roles[guild_id].append(self._role(role_id, name, guild_id, permissions))
        return role_id

    async def wait_ready(self, timeout: float = 5.0, *, shards: Sequence[int] | None = None) -> None:
        """Wait until a gateway session is live (READY or RESUMED sent on an open socket): one for each
        of ``shards``, or any one."""
        if shards is None:
            await self.wait_for(self.live_shards, timeout)
        else:
            await self.wait_for(lambda: set(shards) <= set(self.live_shards()), timeout)

    def shard_of(self, guild_id: str | None) -> int:
        """The shard Discord sends a guild's events on, ``(guild_id >> 22) % shard_count``; shard 0
        outside a guild. The count is the one the clients IDENTIFYed with (1 before any)."""
        return 0 if guild_id is None else (int(guild_id) >> 22) % self._shard_count

    def live_shards(self) -> list[int]:
        """The shards that have a live session (READY or RESUMED sent on an open socket)."""
        return [shard for shard in sorted(self._current) if self._live_connection(shard) is not None]

    def summary(self) -> str:
        """A one-line account of the fake's state, for failure messages."""
        return (
            f"requests={[k for _, _, k in self.requests]} "
            f"synced={ {k: len(v) for k, v in self.synced.items()} } "
            f"interactions={len(self.interactions)} callbacks={[c['type'] for c in self.callbacks]} "
            f"followups={len(self.followups)} edits={len(self.edits)} "
            f"channel_messages={len(self.channel_messages)} "
            f"rejected={[(r['route'], r['code']) for r in self.rejected]} "
            f"errors={[(e['route'], e['code']) for e in self.errors]} ratelimited={len(self.ratelimited)} "
            f"connections={self.connections} identifies={self.identifies} resumes={self.resumes} "
            f"shards={self.identified_shards} live={self.live_shards()}"
        )

    def command_id(self, name: str, guild_id: str | None = None, kind: int = 1) -> str | None:
        """The id the last sync gave a command in a scope (``None`` = global), if it was synced there."""
        for command in self.synced.get(guild_id, []):
            if command["name"] == name and int(command.get("type") or 1) == kind:
                return str(command["id"])
        return None

    # -- gateway controls --

    async def dispatch(self, event: str, data: dict[str, Any], *, shard: int | None = None) -> int:
        """Send a dispatch (op 0) on the session of ``shard``, by default the shard of the event's guild
        (``guild_id``; ``id`` for the guild events); kept for replay on RESUME. Returns its seq."""
        if shard is None:
            guild = data.get("guild_id") or (data.get("id") if event in GUILD_EVENTS else None)
            shard = self.shard_of(None if guild is None else str(guild))
        session = self._current.get(shard)
        if session is None or session.ended:
            raise RuntimeError(
                f"no gateway session for shard {shard} to dispatch {event} on; {self.summary()}"
            )
        return await self._dispatch_on(session, event, data)

    async def _dispatch_on(self, session: _Session, event: str, data: dict[str, Any]) -> int:
        session.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.frames.append(frame)
        connection = session.connection
        if connection is not None and not connection.ws.closed:
            await self._send(connection.ws, frame)
        await self._notify()
        return session.seq

    async def reconnect_request(
        self, *, wait: bool = True, timeout: float = 5.0, shard: int | None = None
    ) -> None:
        """Send op 7 RECONNECT (on ``shard``, by default the first guild's); with ``wait``, return once the
        client has RESUMEd (or re-IDENTIFYed)."""
        shard = self.shard_of(self.default_guild_id) if shard is None else shard
        connection = self._require_live(shard)
        before = self.resumes + self.identifies
        await self._send(connection.ws, {"op": OP_RECONNECT, "d": None, "s": None, "t": None})
        if wait:
            await self.wait_for(
                lambda: self.resumes + self.identifies > before and self._live_connection(shard), timeout
            )

    async def invalidate_session(
        self, resumable: bool = False, *, wait: bool = False, timeout: float = 10.0, shard: int | None = None
    ) -> None:
        """Send op 9 INVALID_SESSION (``d`` = ``resumable``); a non-resumable session is ended at once.

        discord.py sleeps 5 s before a non-initial IDENTIFY (``Client.before_identify_hook``); with ``wait``
        this returns once the client has identified or resumed again. ``shard``: as for RECONNECT.
        """
        shard = self.shard_of(self.default_guild_id) if shard is None else shard
        connection = self._require_live(shard)
        before = self.resumes + self.identifies
        if not resumable and connection.session is not None:
            connection.session.ended = True
        await self._send(connection.ws, {"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None})
        if wait:
            await self.wait_for(
                lambda: self.resumes + self.identifies > before and self._live_connection(shard), timeout
            )

    async def close_socket(self, code: int = 4000, *, shard: int | None = None) -> None:
        """Close a gateway socket (``shard``: as for RECONNECT) from the server side (a resumable code
        by default)."""
        connection = self._require_live(self.shard_of(self.default_guild_id) if shard is None else shard)
        await connection.ws.close(code=code, message=b"fake closed the socket")

    # -- interactions --

    async def message_command(
        self,
        name: str,
        message_id: str,
        *,
        user_id: str = USER_ID,
        user_name: str = "jane",
        roles: Sequence[str] = (),
    ) -> str:
        """Dispatch a message command (a context menu entry, application command type 3) used on
        a message the fake knows (one sent by :meth:`user_message`); returns the interaction id."""
        message = self.messages[message_id]
        channel_id = str(message["channel_id"])
        guild_id = self.channels[channel_id].get("guild_id")
        definition = None
        for scope in (guild_id, None):
            definition = definition or next(
                (c for c in self.synced.get(scope, []) if c["name"] == name and int(c.get("type") or 1) == 3),
                None,
            )
        data: dict[str, Any] = {
            "id": definition["id"] if definition else self._snowflake(),
            "name": name,
            "type": 3,
            "target_id": message_id,
            "resolved": {"messages": {message_id: message}},
        }
        if guild_id is not None and definition is not None and definition.get("guild_id"):
            data["guild_id"] = guild_id
        payload = self._interaction_payload(
            INTERACTION_COMMAND,
            data,
            guild_id,
            channel_id,
            user_id,
            user_name,
            roles,
            DEFAULT_PERMISSIONS,
            "en-US",
        )
        return await self._dispatch_interaction(payload, name)

    async def slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] = (),
        *,
        guild_id: str | None = None,
        channel_id: str | None = None,
        user_id: str = USER_ID,
        user_name: str = "jane",
        roles: Sequence[str] = (),
        subcommand: str | None = None,
        permissions: str = DEFAULT_PERMISSIONS,
        dm: bool = False,
        resolved: Mapping[str, Any] | None = None,
        locale: str = "en-US",
    ) -> str:
        """Dispatch a chat-input command (INTERACTION_CREATE type 2); returns the interaction id.

        ``options`` as ``{name: value}`` get their types from the synced definition, else from the Python
        value (str 3, int 4, bool 5, float 10); a list is sent as raw option objects. ``subcommand`` is
        ``"sub"`` or ``"group sub"``. ``guild_id=None`` means the first guild; ``dm=True`` a DM instead.
        """
        return await self._command_interaction(
            INTERACTION_COMMAND,
            name,
            options,
            None,
            guild_id,
            channel_id,
            user_id,
            user_name,
            roles,
            subcommand,
            permissions,
            dm,
            resolved,
            locale,
        )

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] = (),
        *,
        focused: str | None = None,
        guild_id: str | None = None,
        channel_id: str | None = None,
        user_id: str = USER_ID,
        user_name: str = "jane",
        roles: Sequence[str] = (),
        subcommand: str | None = None,
        permissions: str = DEFAULT_PERMISSIONS,
        dm: bool = False,
        locale: str = "en-US",
    ) -> str:
        """Dispatch an autocomplete request (type 4); ``focused``: the option being typed (default: last)."""
        if focused is None:
            names = list(options) if isinstance(options, Mapping) else [o["name"] for o in options]
            if not names:
                raise ValueError("autocomplete needs at least one option to focus")
            focused = names[-1]
        return await self._command_interaction(
            INTERACTION_AUTOCOMPLETE,
            name,
            options,
            focused,
            guild_id,
            channel_id,
            user_id,
            user_name,
            roles,
            subcommand,
            permissions,
            dm,
            None,
            locale,
        )

    async def button(
        self,
        custom_id: str,
        *,
        message_id: str | None = None,
        component_type: int = 2,
        values: Sequence[str] | None = None,
        guild_id: str | None = None,
        channel_id: str | None = None,
        user_id: str = USER_ID,
        user_name: str = "jane",
        roles: Sequence[str] = (),
        permissions: str = DEFAULT_PERMISSIONS,
        dm: bool = False,
    ) -> str:
        """Dispatch a component interaction (type 3): a button click, or a select with ``values``.

        The ``message`` is the recorded message ``message_id``, else the latest recorded message holding
        ``custom_id``, else a made-up bot message with that button. Returns the interaction id.
        """
        message = self._message_for(custom_id, message_id)
        guild_id, channel_id = self._where(guild_id, channel_id, dm)
        if message is None:
            message = self._message_object(
                channel_id,
                {
                    "content": "",
                    "components": [
                        {
                            "type": 1,
                            "components": [
                                {
                                    "type": 2,
                                    "style": 1,
                                    "label": custom_id[:MAX_BUTTON_LABEL],
                                    "custom_id": custom_id,
                                }
                            ],
                        }
                    ],
                },
                guild_id=guild_id,
                message_type=0,
            )
            if message_id is not None:  # a message the fake never saw: keep the id the test asked for
                del self.messages[message["id"]]
                message["id"] = message_id
                self.messages[message_id] = message
        else:
            channel_id = str(message.get("channel_id", channel_id))
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        payload = self._interaction_payload(
            INTERACTION_COMPONENT, data, guild_id, channel_id, user_id, user_name, roles, permissions, "en-US"
        )
        payload["message"] = message
        return await self._dispatch_interaction(payload, custom_id)

    async def modal_submit(
        self,
        custom_id: str,
        values: Mapping[str, str],
        *,
        message_id: str | None = None,
        guild_id: str | None = None,
        channel_id: str | None = None,
        user_id: str = USER_ID,
        user_name: str = "jane",
        roles: Sequence[str] = (),
        permissions: str = DEFAULT_PERMISSIONS,
        dm: bool = False,
    ) -> str:
        """Dispatch a modal submission (type 5): a row with a text input per ``{custom_id: value}``."""
        guild_id, channel_id = self._where(guild_id, channel_id, dm)
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()
        ]
        payload = self._interaction_payload(
            INTERACTION_MODAL,
            {"custom_id": custom_id, "components": rows},
            guild_id,
            channel_id,
            user_id,
            user_name,
            roles,
            permissions,
            "en-US",
        )
        if message_id is not None and message_id in self.messages:
            payload["message"] = self.messages[message_id]
        return await self._dispatch_interaction(payload, custom_id)

    # -- internals: helpers --

    def _snowflake(self) -> str:
        return str(next(self._snowflakes))

    @staticmethod
    def _role(role_id: str, name: str, guild_id: str, permissions: str = "0") -> dict[str, Any]:
        return {
            "id": role_id,
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": 0,
            "permissions": DEFAULT_PERMISSIONS if role_id == guild_id else permissions,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }

    def _user(self, user_id: str, user_name: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": user_name,
            "discriminator": "0",
            "global_name": user_name.title(),
            "avatar": None,
            "public_flags": 0,
        }

    def _guild_object(self, guild_id: str) -> dict[str, Any]:
        """A full GUILD_CREATE guild: roles, channels, the bot as its one member."""
        return {
            "id": guild_id,
            "name": f"Fake Newsroom {self.guild_ids.index(guild_id) + 1}",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": OWNER_ID,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500_000,
            "max_video_channel_users": 25,
            "application_id": None,
            "roles": self.roles[guild_id],
            "emojis": [],
            "stickers": [],
            "features": [],
            "channels": [
                dict(c) for c in self.channels.values() if c.get("guild_id") == guild_id and c["type"] != 11
            ],
            "threads": [
                dict(c) for c in self.channels.values() if c.get("guild_id") == guild_id and c["type"] == 11
            ],
            "members": [
                {
                    "user": self.bot_user,
                    "roles": [],
                    "joined_at": _iso(),
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "nick": None,
                    "avatar": None,
                    "pending": False,
                }
            ],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "member_count": 2,
            "joined_at": _iso(),
            "large": False,
            "unavailable": False,
            "lazy": True,
            "premium_progress_bar_enabled": False,
        }

    def _where(self, guild_id: str | None, channel_id: str | None, dm: bool) -> tuple[str | None, str]:
        """The guild (None in a DM) and channel of an interaction."""
        if dm:
            return None, channel_id or str(int(USER_ID) + CHANNEL_OFFSET)
        guild_id = guild_id or self.default_guild_id
        if guild_id not in self.guild_ids:
            raise ValueError(f"unknown guild {guild_id}; configured: {self.guild_ids}")
        return guild_id, channel_id or self.channel_id(guild_id)

    def _interaction_payload(
        self,
        kind: int,
        data: dict[str, Any],
        guild_id: str | None,
        channel_id: str,
        user_id: str,
        user_name: str,
        roles: Sequence[str],
        permissions: str,
        locale: str,
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE ``d`` every interaction type shares."""
        user = self._user(user_id, user_name)
        payload: dict[str, Any] = {
            "id": self._snowflake(),
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "token": f"itok-{uuid.uuid4().hex}",
            "version": 1,
            "channel_id": channel_id,
            "locale": locale,
            "app_permissions": DEFAULT_PERMISSIONS,
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild_id is not None:
            channel = dict(
                self.channels.get(channel_id) or {"id": channel_id, "type": 0, "guild_id": guild_id}
            )
            channel.setdefault("name", "channel")
            channel.setdefault("position", 0)
            channel["permissions"] = permissions
            payload |= {
                "guild_id": guild_id,
                "guild": {"id": guild_id, "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "channel": channel,
                "member": {
                    "user": user,
                    "roles": [str(r) for r in roles],
                    "joined_at": _iso(),
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "nick": None,
                    "avatar": None,
                    "pending": False,
                    "premium_since": None,
                    "communication_disabled_until": None,
                    "permissions": permissions,
                },
                "authorizing_integration_owners": {"0": guild_id},
                "context": 0,
            }
        else:
            payload |= {
                "user": user,
                "channel": {
                    "id": channel_id,
                    "type": 1,
                    "recipients": [user],
                    "last_message_id": None,
                    "flags": 0,
                },
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        return payload

    def _command_definition(
        self, name: str, guild_id: str | None
    ) -> tuple[dict[str, Any] | None, str | None]:
        """The synced definition of a chat-input command and its scope: the guild first, then global."""
        for scope in (guild_id, None) if guild_id is not None else (None,):
            for command in self.synced.get(scope, []):
                if command["name"] == name and int(command.get("type") or 1) == 1:
                    return command, scope
        return None, None

    @staticmethod
    def _option_type(value: Any) -> int:
        if isinstance(value, bool):
            return OPTION_BOOLEAN
        if isinstance(value, int):
            return OPTION_INTEGER
        if isinstance(value, float):
            return OPTION_NUMBER
        return OPTION_STRING

    def _build_options(
        self,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        definitions: Sequence[Mapping[str, Any]],
        focused: str | None,
    ) -> list[dict[str, Any]]:
        if not isinstance(options, Mapping):
            built = [dict(o) for o in options]
        else:
            declared = {str(d.get("name")): int(d.get("type") or OPTION_STRING) for d in definitions}
            built = [
                {"name": k, "type": declared.get(k, self._option_type(v)), "value": v}
                for k, v in options.items()
            ]
        for option in built:
            if focused is not None and option.get("name") == focused:
                option["focused"] = True
        return built

    async def _command_interaction(
        self,
        kind: int,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        focused: str | None,
        guild_id: str | None,
        channel_id: str | None,
        user_id: str,
        user_name: str,
        roles: Sequence[str],
        subcommand: str | None,
        permissions: str,
        dm: bool,
        resolved: Mapping[str, Any] | None,
        locale: str,
    ) -> str:
        guild_id, channel_id = self._where(guild_id, channel_id, dm)
        definition, scope = self._command_definition(name, guild_id)
        definitions: list[dict[str, Any]] = list(definition.get("options") or []) if definition else []
        path = subcommand.split() if subcommand else []
        for part in path:  # descend into the declared sub-command (group) for the option types
            found = next((d for d in definitions if d.get("name") == part), None)
            definitions = list(found.get("options") or []) if found else []
        built = self._build_options(options, definitions, focused)
        for depth, part in reversed(list(enumerate(path))):
            is_group = depth < len(path) - 1
            built = [
                {
                    "name": part,
                    "type": OPTION_SUB_COMMAND_GROUP if is_group else OPTION_SUB_COMMAND,
                    "options": built,
                }
            ]
        data: dict[str, Any] = {
            "id": definition["id"] if definition else self._snowflake(),
            "name": name,
            "type": 1,
            "options": built,
        }
        if scope is not None:
            data["guild_id"] = scope
        if resolved:
            data["resolved"] = dict(resolved)
        payload = self._interaction_payload(
            kind, data, guild_id, channel_id, user_id, user_name, roles, permissions, locale
        )
        return await self._dispatch_interaction(payload, name)

    async def _dispatch_interaction(self, payload: dict[str, Any], name: str) -> str:
        record = InteractionRecord(
            id=payload["id"],
            token=payload["token"],
            type=payload["type"],
            name=name,
            channel_id=payload["channel_id"],
            guild_id=payload.get("guild_id"),
            payload=payload,
            dispatched_at=self.clock(),
            shard=self.shard_of(payload.get("guild_id")),
        )
        self.interactions[record.id] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        return record.id

    def _message_for(self, custom_id: str, message_id: str | None) -> dict[str, Any] | None:
        if message_id is not None:
            return self.messages.get(message_id)
        for message in reversed(list(self.messages.values())):
            if custom_id in _custom_ids(message.get("components") or []):
                return message
        return None

    def _message_object(
        self,
        channel_id: str,
        body: Mapping[str, Any],
        *,
        guild_id: str | None = None,
        message_type: int = 0,
        webhook: bool = False,
    ) -> dict[str, Any]:
        """A message as Discord returns it, from an accepted payload."""
        message: dict[str, Any] = {
            "id": self._snowflake(),
            "type": message_type,
            "channel_id": channel_id,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "embeds": list(body.get("embeds") or []),
            "components": list(body.get("components") or []),
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": bool(body.get("tts", False)),
            "timestamp": _iso(),
            "edited_timestamp": None,
            "flags": int(body.get("flags") or 0),
        }
        if guild_id is not None:
            message["guild_id"] = guild_id
        if webhook:
            message["webhook_id"] = self.application_id
            message["application_id"] = self.application_id
        self.messages[message["id"]] = message
        return message

    def _record(
        self, payload: Mapping[str, Any], body: Mapping[str, Any], message_id: str | None, **extra: Any
    ) -> dict[str, Any]:
        """An accepted message: its body's parts, whether it could ping, the full payload."""
        return {
            "content": body.get("content"),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "flags": int(body.get("flags") or 0),
            "allowed_mentions": body.get("allowed_mentions"),
            "pings": could_ping(body),
            "message_id": message_id,
            "at": self.clock(),
            **extra,
            "payload": payload,
        }

    def _check_message(
        self,
        route: str,
        payload: Any,
        body: Any,
        *,
        prefix: tuple[str | int, ...] = (),
        require_body: bool = True,
    ) -> None:
        """Raise (and record in ``rejected``) when a message body breaks Discord's rules."""
        if not isinstance(body, dict):
            error = ApiError(400, 50109, "The request body contains invalid JSON.")
        elif problems := message_problems(body):
            error = _invalid_form(problems, prefix)
        elif require_body and is_empty_message(body):
            error = ApiError(400, 50006, "Cannot send an empty message")
        else:
            return
        self.rejected.append({"route": route, "code": error.code, "errors": error.errors, "payload": payload})
        raise error

    # -- internals: REST plumbing --

    @staticmethod
    async def _read_body(request: web.Request) -> Any:
        """A JSON body, or the ``payload_json`` of a multipart one (attachment names listed in ``files``)."""
        if not request.can_read_body:
            return None
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            raw = form.get("payload_json")
            body: Any = json.loads(raw) if isinstance(raw, str) else {}
            if isinstance(body, dict):
                body["files"] = [v.filename for v in form.values() if isinstance(v, web.FileField)]
            return body
        text = await request.text()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ApiError(400, 50109, "The request body contains invalid JSON.") from exc

    def _check_bot_auth(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise ApiError(401, 0, "401: Unauthorized")

    async def _serve(
        self, request: web.Request, route_key: str, handler: Callable[[Any], Any], *, bot_auth: bool = False
    ) -> web.Response:
        """Common path of every REST route: log, rate limit, auth, body, handler, error shape, notify."""
        self.requests.append((request.method, request.path, route_key))
        body: Any = None
        try:
            body = await self._read_body(request)
            pending = self._rate_limits.get(route_key)
            if pending:
                retry_after = pending.popleft()
                self.ratelimited.append((route_key, body))
                return _json(
                    {"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
                    status=429,
                    headers={
                        "Via": "1.1 google",
                        "Retry-After": str(max(1, round(retry_after))),
                        "X-RateLimit-Scope": "user",
                    },
                )
            if bot_auth:
                self._check_bot_auth(request)
            result = handler(body)
            if result is None:
                return web.Response(status=204)
            return _json(result)
        except ApiError as error:
            if error.code not in (50035, 50006):
                self.errors.append(
                    {"route": route_key, "status": error.status, "code": error.code, "message": error.message}
                )
            return _json(error.body(), status=error.status)
        finally:
            await self._notify()

    def _check_app(self, request: web.Request) -> None:
        if request.match_info["app"] != self.application_id:
            raise ApiError(403, 20012, "You are not authorized to perform this action on this application")

    def _scope(self, request: web.Request) -> str | None:
        guild = request.match_info.get("guild")
        if guild is not None and guild not in self.guild_ids:
            raise ApiError(403, 50001, "Missing Access")
        return guild

    # -- internals: REST routes --

    async def _gateway_info(self, request: web.Request) -> web.Response:
        info = {
            "url": self.gateway_url,
            "shards": self.recommended_shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": 1000 - self.identifies,
                "reset_after": 0,
                "max_concurrency": self.max_concurrency,
            },
        }
        return await self._serve(request, "gateway", lambda _: info, bot_auth=request.path.endswith("/bot"))

    async def _users_me(self, request: web.Request) -> web.Response:
        return await self._serve(request, "me", lambda _: self.bot_user, bot_auth=True)

    async def _application(self, request: web.Request) -> web.Response:
        info = {
            "id": self.application_id,
            "name": self.bot_user["username"],
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": {**self._user(OWNER_ID, "owner"), "flags": 0},
            "team": None,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "approximate_guild_count": len(self.guild_ids),
            "bot": self.bot_user,
        }
        return await self._serve(request, "application", lambda _: info, bot_auth=True)

    async def _put_commands(self, request: web.Request) -> web.Response:
        def handle(body: Any) -> list[dict[str, Any]]:
            self._check_app(request)
            scope = self._scope(request)
            problems = command_problems(body)
            if problems:
                error = _invalid_form(problems)
                self.rejected.append(
                    {"route": "sync", "code": error.code, "errors": error.errors, "payload": body}
                )
                raise error
            self.synced[scope] = [self._stored_command(scope, command) for command in body]
            return self.synced[scope]

        return await self._serve(request, "sync", handle, bot_auth=True)

    async def _get_commands(self, request: web.Request) -> web.Response:
        def handle(_: Any) -> list[dict[str, Any]]:
            self._check_app(request)
            return self.synced.get(self._scope(request), [])

        return await self._serve(request, "commands", handle, bot_auth=True)

    def _stored_command(self, scope: str | None, command: Mapping[str, Any]) -> dict[str, Any]:
        """A command as Discord returns it; ids stay stable across syncs for the same scope, type and name."""
        kind = int(command.get("type") or 1)
        key = (scope, kind, str(command["name"]))
        command_id = self._command_ids.setdefault(key, self._snowflake())
        stored = {
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            "options": [],
            "description": "",  # message and user commands have none; Discord returns it empty
            **command,
            "id": command_id,
            "application_id": self.application_id,
            "version": self._snowflake(),
            "type": kind,
        }
        if scope is not None:
            stored["guild_id"] = scope
        return stored

    def _interaction(self, iid: str, token: str) -> InteractionRecord:
        record = self.interactions.get(iid)
        if record is None or record.token != token:
            raise _unknown_interaction()
        return record

    def _interaction_by_token(self, request: web.Request) -> InteractionRecord:
        """The interaction behind a webhook route, if its token is known and not expired."""
        if request.match_info["app"] != self.application_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        token = request.match_info["itoken"]
        record = next((r for r in self.interactions.values() if r.token == token), None)
        if record is None:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if self.clock() - record.dispatched_at > INTERACTION_TOKEN_SECONDS:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if not record.responded:
            raise ApiError(404, 10015, "Unknown Webhook")
        return record

    async def _callback(self, request: web.Request) -> web.Response:
        def handle(body: Any) -> dict[str, Any]:
            record = self._interaction(request.match_info["iid"], request.match_info["itoken"])
            if self.clock() - record.dispatched_at > INITIAL_RESPONSE_SECONDS:
                raise _unknown_interaction()
            if record.responded:
                raise ApiError(400, 40060, "Interaction has already been acknowledged.")
            if not isinstance(body, dict) or not isinstance(body.get("type"), int):
                raise _invalid_form([Problem(("type",), "BASE_TYPE_REQUIRED", "This field is required")])
            kind = body["type"]
            if kind not in ALLOWED_CALLBACKS.get(record.type, frozenset()):
                problem = Problem(
                    ("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type"
                )
                raise _invalid_form([problem])
            data = body.get("data") or {}
            if kind in (CALLBACK_MESSAGE, CALLBACK_UPDATE_MESSAGE):
                self._check_message(
                    "callback", body, data, prefix=("data",), require_body=kind == CALLBACK_MESSAGE
                )
            elif kind in (CALLBACK_AUTOCOMPLETE, CALLBACK_MODAL) and (
                problems := _callback_data_problems(kind, data)
            ):
                error = _invalid_form(problems, ("data",))
                self.rejected.append(
                    {"route": "callback", "code": error.code, "errors": error.errors, "payload": body}
                )
                raise error
            message = self._callback_message(record, kind, data)
            record.response_type = kind
            record.responded_at = self.clock()
            message_id = message["id"] if message else None
            if kind in (CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE) and message_id:
                record.original_message_id = message_id
                record.message_ids.append(message_id)
            self.callbacks.append(
                self._record(body, data, message_id, interaction_id=record.id, type=kind, data=data)
            )
            flags = int(data.get("flags") or 0)
            answer: dict[str, Any] = {
                "interaction": {
                    "id": record.id,
                    "type": record.type,
                    "response_message_id": message_id,
                    "response_message_loading": kind == CALLBACK_DEFERRED_MESSAGE,
                    "response_message_ephemeral": bool(flags & FLAG_EPHEMERAL),
                },
                "resource": {"type": kind},
            }
            if message is not None:
                answer["resource"]["message"] = message
            return answer

        return await self._serve(request, "callback", handle)

    def _callback_message(
        self, record: InteractionRecord, kind: int, data: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """The message a callback creates (4, 5) or updates (7); None for 6, 8, 9."""
        message_type = 20 if record.type == INTERACTION_COMMAND else 19
        if kind == CALLBACK_MESSAGE:
            return self._message_object(
                record.channel_id, data, guild_id=record.guild_id, message_type=message_type, webhook=True
            )
        if kind == CALLBACK_DEFERRED_MESSAGE:
            loading = {"content": "", "flags": int(data.get("flags") or 0) | FLAG_LOADING}
            return self._message_object(
                record.channel_id, loading, guild_id=record.guild_id, message_type=message_type, webhook=True
            )
        if kind == CALLBACK_UPDATE_MESSAGE:
            source = record.payload.get("message")
            if isinstance(source, dict):
                message = self.messages.setdefault(str(source["id"]), dict(source))
                self._apply_edit(message, data)
                return message
        return None

    async def _followup(self, request: web.Request) -> web.Response:
        def handle(body: Any) -> dict[str, Any] | None:
            record = self._interaction_by_token(request)
            self._check_message("followup", body, body)
            message = self._message_object(
                record.channel_id, body, guild_id=record.guild_id, message_type=0, webhook=True
            )
            record.message_ids.append(message["id"])
            self.followups.append(self._record(body, body, message["id"], interaction_id=record.id))
            wait = request.query.get("wait", "").lower() in ("1", "true")
            return message if wait else None

        return await self._serve(request, "followup", handle)

    def _webhook_message(self, request: web.Request) -> tuple[InteractionRecord, dict[str, Any]]:
        record = self._interaction_by_token(request)
        mid = request.match_info["mid"]
        if mid == "@original":
            mid = record.original_message_id or ""
        if mid not in record.message_ids or mid not in self.messages:
            raise ApiError(404, 10008, "Unknown Message")
        return record, self.messages[mid]

    @staticmethod
    def _apply_edit(message: dict[str, Any], body: Mapping[str, Any]) -> None:
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        flags = int(message.get("flags") or 0) & ~FLAG_LOADING
        if body.get("flags") is not None:
            flags = int(body["flags"]) | (flags & FLAG_EPHEMERAL)
        message["flags"] = flags
        message["edited_timestamp"] = _iso()

    async def _edit(self, request: web.Request) -> web.Response:
        def handle(body: Any) -> dict[str, Any]:
            record, message = self._webhook_message(request)
            self._check_message("edit", body, body, require_body=False)
            self._apply_edit(message, body)
            original = message["id"] == record.original_message_id
            self.edits.append(
                self._record(body, body, message["id"], interaction_id=record.id, original=original)
            )
            return message

        return await self._serve(request, "edit", handle)

    async def _edit_channel_message(self, request: web.Request) -> web.Response:
        """PATCH /channels/{cid}/messages/{mid}: the bot edits a message of its own."""

        def handle(body: Any) -> dict[str, Any]:
            cid, mid = request.match_info["cid"], request.match_info["mid"]
            message = self.messages.get(mid)
            if message is None or str(message.get("channel_id")) != cid:
                raise ApiError(404, 10008, "Unknown Message")
            if message["author"]["id"] != self.bot_user["id"]:
                raise ApiError(403, 50005, "Cannot edit a message authored by another user")
            self._check_message("channel_edit", body, body, require_body=False)
            self._apply_edit(message, body)
            self.channel_edits.append(self._record(body, body, mid, channel_id=cid))
            return message

        return await self._serve(request, "channel_edit", handle, bot_auth=True)

    async def _get_message(self, request: web.Request) -> web.Response:
        return await self._serve(request, "original", lambda _: self._webhook_message(request)[1])

    async def _delete_message(self, request: web.Request) -> web.Response:
        def handle(_: Any) -> None:
            _, message = self._webhook_message(request)
            self.messages.pop(message["id"], None)
            self.deleted.append(message["id"])

        return await self._serve(request, "delete", handle)

    async def _channel_message(self, request: web.Request) -> web.Response:
        def handle(body: Any) -> dict[str, Any]:
            cid = request.match_info["cid"]
            channel = self.channels.get(cid)
            if channel is None:
                raise ApiError(404, 10003, "Unknown Channel")
            self._check_message("channel_message", body, body)
            message = self._message_object(cid, body, guild_id=channel.get("guild_id"))
            self.channel_messages.append(self._record(body, body, message["id"], channel_id=cid))
            return message

        return await self._serve(request, "channel_message", handle, bot_auth=True)

    # -- internals: gateway --

    def _live_connection(self, shard: int) -> _Connection | None:
        """The socket of ``shard``'s current session, if it is open and past READY/RESUMED."""
        session = self._current.get(shard)
        if session is None or session.ended or session.connection is None:
            return None
        return None if session.connection.ws.closed else session.connection

    def _require_live(self, shard: int) -> _Connection:
        connection = self._live_connection(shard)
        if connection is None:
            raise RuntimeError(f"no live gateway connection for shard {shard}; {self.summary()}")
        return connection

    @staticmethod
    async def _send(ws: web.WebSocketResponse, frame: Mapping[str, Any]) -> None:
        await ws.send_str(json.dumps(frame))

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        connection = _Connection(ws, dict(request.query))
        self._connections.append(connection)
        self.connections += 1
        try:
            hello = {"heartbeat_interval": self.heartbeat_interval, "_trace": ["fake-discord"]}
            await self._send(ws, {"op": OP_HELLO, "d": hello, "s": None, "t": None})
            await self._notify()
            async for msg in ws:
                if msg.type is aiohttp.WSMsgType.TEXT:
                    await self._on_frame(connection, msg.data)
                elif msg.type is aiohttp.WSMsgType.BINARY:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
        finally:
            self._connections.remove(connection)
            connection.close_code = ws.close_code
            self.close_codes.append(ws.close_code)
            session = connection.session
            if session is not None and session.connection is connection:
                session.connection = None
                if ws.close_code in (1000, 1001):
                    session.ended = True  # a clean close ends the session, as on Discord
            await self._notify()
        return ws

    async def _on_frame(self, connection: _Connection, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            await connection.ws.close(code=4002, message=b"Error while decoding payload.")
            return
        if not isinstance(frame, dict):
            await connection.ws.close(code=4002, message=b"Error while decoding payload.")
            return
        self.received_frames.append(frame)
        op = frame.get("op")
        if op == OP_HEARTBEAT:
            self.heartbeats += 1
            await self._send(connection.ws, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._identify(connection, frame.get("d") or {})
        elif op == OP_RESUME:
            await self._resume(connection, frame.get("d") or {})
        elif op in (3, 4, 8, 31):  # presence, voice state, request members, soundboard sounds: accepted
            pass
        else:
            await connection.ws.close(code=4001, message=b"Unknown opcode.")
        await self._notify()

    def _check_token(self, token: Any) -> bool:
        return token in (self.token, f"Bot {self.token}")

    async def _identify(self, connection: _Connection, data: dict[str, Any]) -> None:
        if not self._check_token(data.get("token")):
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        if connection.session is not None:
            await connection.ws.close(code=4005, message=b"Already authenticated.")
            return
        shard = data.get("shard")
        if shard is not None and not _valid_shard(shard):
            await connection.ws.close(code=4010, message=b"Invalid shard.")
            return
        shard_id, shard_count = shard if shard is not None else (0, 1)
        # A second IDENTIFY for a shard starts a new session that takes its events; the old one is left
        # as it is (Discord does not close it either).
        session = _Session(uuid.uuid4().hex, list(shard) if shard is not None else None)
        self._sessions[session.id] = session
        self._shard_count = shard_count
        self._current[shard_id] = session
        self.identifies += 1
        self.identify_payloads.append(data)
        self.identified_shards.append((shard_id, shard_count))
        guilds = [g for g in self.guild_ids if self.shard_of(g) == shard_id]
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": g, "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
            "_trace": ["fake-discord"],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        session.connection = connection
        connection.session = session
        await self._dispatch_on(session, "READY", ready)
        for guild_id in guilds:
            await self._dispatch_on(session, "GUILD_CREATE", self._guild_object(guild_id))

    async def _resume(self, connection: _Connection, data: dict[str, Any]) -> None:
        session = self._sessions.get(str(data.get("session_id")))
        if not self._check_token(data.get("token")):
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        if session is None or session.ended:
            await self._send(connection.ws, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        seq = data.get("seq") or 0
        old = session.connection
        session.connection = connection
        connection.session = session
        self._current[session.shard[0] if session.shard else 0] = session
        if old is not None and old is not connection and not old.ws.closed:
            await old.ws.close(code=4000, message=b"Session resumed elsewhere.")
        for frame in session.frames:
            if frame["s"] > seq:
                await self._send(connection.ws, frame)
        self.resumes += 1
        await self._dispatch_on(session, "RESUMED", {"_trace": ["fake-discord"]})


def _valid_shard(shard: Any) -> bool:
    """IDENTIFY's ``shard``: ``[id, count]``, integers with ``0 <= id < count``."""
    if not isinstance(shard, list) or len(shard) != 2:
        return False
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in shard):
        return False
    return 0 <= shard[0] < shard[1]


def _custom_ids(components: Sequence[Any]) -> Iterator[str]:
    """Every custom_id inside a list of components, recursively."""
    for component in components:
        if not isinstance(component, dict):
            continue
        if isinstance(component.get("custom_id"), str):
            yield component["custom_id"]
        yield from _custom_ids(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            yield from _custom_ids([component["component"]])


# --- pytest helpers ----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def running(
    client: discord.Client, token: str = "fake-token", timeout: float = 5.0
) -> AsyncIterator[discord.Client]:
    """Start ``client`` against the (patched) fake, wait until it is ready, and always close it after.

    A client that fails to start (``LoginFailure``, ...) raises here; one that crashed while the body ran
    raises its error on exit.
    """
    task = asyncio.create_task(client.start(token))
    failure: BaseException | None = None
    try:
        await asyncio.sleep(0)  # wait_until_ready() in the same tick as start() raises
        ready = asyncio.ensure_future(client.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ready
            if task in done:
                task.result()  # the client's own error
            raise TimeoutError(f"discord client not ready after {timeout} s")
        yield client
    finally:
        await client.close()
        finished, _ = await asyncio.wait({task}, timeout=timeout)
        if not finished:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        elif not task.cancelled():
            failure = task.exception()
    if failure is not None:
        raise failure


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord (default token, guild and clock), with discord.py pointed at it."""
    async with FakeDiscord() as fake:
        fake.patch(monkeypatch)
        yield fake
