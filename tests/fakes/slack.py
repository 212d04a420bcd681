"""A local fake of Slack for end-to-end tests: real sockets on 127.0.0.1, real SDKs on the other side.

It speaks enough of Slack for the real ``slack_bolt.AsyncApp`` in both transports:

* Web API at ``POST /api/<method>`` (form, JSON or query parameters): ``auth.test``, ``chat.postMessage``,
  ``chat.postEphemeral``, ``apps.connections.open``; more with :meth:`FakeSlack.register_method`.
* ``response_url`` endpoints at ``POST /respond/<id>``, minted for every command or block action it sends,
  with Slack's limits of 5 posts within 30 minutes (measured by the injected ``clock``).
* Socket Mode at ``GET /link/?ticket=…`` (``hello``, envelopes, acks, ``disconnect``).
* Signed slash-command and block-action requests to an app in HTTP mode.

Every message (Web API or ``response_url``) goes through :func:`validate_message`, which encodes Slack's
Block Kit limits with this module's OWN constants. They are deliberately not imported from ``bot/``: if
the bot's formatter gets a limit wrong, the fake rejects its output and a test fails.

Usage::

    async with FakeSlack(signing_secret=SECRET, clock=clock) as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)   # api_url ends with "/"
        ...
        await slack.wait_for(lambda: len(slack.responses) == 1)

slack_sdk reads the proxy variables itself and ignores ``NO_PROXY``: tests must strip them
(:func:`strip_proxy_env`, or the ``no_proxy`` / ``fake_slack`` fixtures below, available to a test module
once a conftest lists ``pytest_plugins = ["tests.fakes.slack"]``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Self
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.server import LoopbackServer

# --- Slack's limits, kept independent of the bot's own constants -------------------------------------

MAX_MESSAGE_TEXT = 40_000
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3_000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2_000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2_000
MAX_BUTTON_URL = 3_000
MAX_ID_LENGTH = 255  # block_id and action_id
MAX_VIEW_BLOCKS = 100
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3_000
TRIGGER_TTL_SECONDS = 3.0
MAX_TOTAL_BLOCK_TEXT = 12_000  # undocumented; Slack answers msg_blocks_too_long around 13k
RESPONSE_URL_MAX_POSTS = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
SIGNATURE_MAX_AGE_SECONDS = 300  # what bolt's verifier tolerates
STALE_TIMESTAMP_AGE_SECONDS = 400  # what ``stale=True`` sends

TEAM_ID = "T0FAKE"
TEAM_DOMAIN = "fakedesk"
APP_ID = "A0FAKE"
BOT_USER_ID = "U0FAKEBOT"
BOT_ID = "B0FAKE"
VERIFICATION_TOKEN = "fake-verification-token"
PROXY_ENV_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")

TEXT_OBJECT_TYPES = frozenset({"plain_text", "mrkdwn"})
UNCHECKED_BLOCK_TYPES = frozenset({"divider", "image", "rich_text", "input", "file", "video", "markdown"})

Clock = Callable[[], float]
MethodHandler = Callable[[dict[str, Any]], dict[str, Any]]


# --- message validation ------------------------------------------------------------------------------


class Rejection(NamedTuple):
    """Why Slack would refuse a message: its ``error`` code and ``response_metadata.messages``."""

    error: str
    messages: list[str]


def _problem(message: str, pointer: str) -> str:
    """A problem line in Slack's own format."""
    return f"[ERROR] {message} [json-pointer:{pointer}]"


def _text_object_problems(
    obj: Any, where: str, max_chars: int | None, *, plain_only: bool = False
) -> Iterator[str]:
    if not isinstance(obj, dict) or obj.get("type") not in TEXT_OBJECT_TYPES:
        yield _problem("must be a text object (plain_text or mrkdwn)", where)
        return
    if plain_only and obj["type"] != "plain_text":
        yield _problem("must be a plain_text object", f"{where}/type")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        yield _problem("must be more than 0 characters", f"{where}/text")
    elif max_chars is not None and len(text) > max_chars:
        yield _problem(f"must be less than {max_chars + 1} characters", f"{where}/text")


def _id_problems(obj: Mapping[str, Any], key: str, where: str) -> Iterator[str]:
    value = obj.get(key)
    if value is not None and (not isinstance(value, str) or len(value) > MAX_ID_LENGTH):
        yield _problem(f"must be a string of at most {MAX_ID_LENGTH} characters", f"{where}/{key}")


def _element_problems(element: Any, where: str) -> Iterator[str]:
    """An interactive element (actions block or section accessory)."""
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        yield _problem("must be an element object with a type", where)
        return
    yield from _id_problems(element, "action_id", where)
    if element["type"] != "button":
        return
    yield from _text_object_problems(element.get("text"), f"{where}/text", MAX_BUTTON_TEXT, plain_only=True)
    value = element.get("value")
    if value is not None and (not isinstance(value, str) or len(value) > MAX_BUTTON_VALUE):
        yield _problem(f"must be less than {MAX_BUTTON_VALUE + 1} characters", f"{where}/value")
    url = element.get("url")
    if url is not None and (not isinstance(url, str) or len(url) > MAX_BUTTON_URL):
        yield _problem(f"must be less than {MAX_BUTTON_URL + 1} characters", f"{where}/url")


def _elements(block: Mapping[str, Any], where: str, limit: int) -> tuple[list[Any], list[str]]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        return [], [_problem("must provide at least 1 element", f"{where}/elements")]
    if len(elements) > limit:
        return elements, [_problem(f"must be less than {limit + 1} items", f"{where}/elements")]
    return elements, []


def _block_problems(blocks: list[Any]) -> Iterator[str]:
    """Every Block Kit rule the fake enforces, as Slack-style problem lines."""
    if len(blocks) > MAX_BLOCKS:
        yield _problem(f"must be less than {MAX_BLOCKS + 1} items", "/blocks")
    for i, block in enumerate(blocks):
        where = f"/blocks/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            yield _problem("must be a block object with a type", where)
            continue
        yield from _id_problems(block, "block_id", where)
        kind = block["type"]
        if kind == "section":
            if block.get("text") is None and block.get("fields") is None:
                yield _problem("must provide either text or fields", where)
            if block.get("text") is not None:
                yield from _text_object_problems(block["text"], f"{where}/text", MAX_SECTION_TEXT)
            if block.get("fields") is not None:
                fields = block["fields"]
                if not isinstance(fields, list) or len(fields) > MAX_SECTION_FIELDS:
                    yield _problem(f"must be a list of at most {MAX_SECTION_FIELDS} items", f"{where}/fields")
                else:
                    for j, item in enumerate(fields):
                        yield from _text_object_problems(item, f"{where}/fields/{j}", MAX_SECTION_FIELD_TEXT)
            if block.get("accessory") is not None:
                yield from _element_problems(block["accessory"], f"{where}/accessory")
        elif kind == "header":
            yield from _text_object_problems(
                block.get("text"), f"{where}/text", MAX_HEADER_TEXT, plain_only=True
            )
        elif kind == "context":
            elements, problems = _elements(block, where, MAX_CONTEXT_ELEMENTS)
            yield from problems
            for j, element in enumerate(elements):
                if isinstance(element, dict) and element.get("type") == "image":
                    continue
                yield from _text_object_problems(element, f"{where}/elements/{j}", None)
        elif kind == "actions":
            elements, problems = _elements(block, where, MAX_ACTIONS_ELEMENTS)
            yield from problems
            for j, element in enumerate(elements):
                yield from _element_problems(element, f"{where}/elements/{j}")
        elif kind not in UNCHECKED_BLOCK_TYPES:
            yield _problem(f"unsupported type: {kind}", f"{where}/type")


def _view_problems(view: Any) -> list[str]:
    """What Slack would refuse in a modal view (its own limits, not the bot's)."""
    if not isinstance(view, dict) or view.get("type") != "modal":
        return ["view must be an object of type modal"]
    problems = []
    title = (view.get("title") or {}).get("text", "")
    if not title or len(title) > MAX_VIEW_TITLE:
        problems.append(f"title must be 1-{MAX_VIEW_TITLE} characters [json-pointer:/view/title/text]")
    blocks = view.get("blocks") or []
    if len(blocks) > MAX_VIEW_BLOCKS:
        problems.append(f"no more than {MAX_VIEW_BLOCKS} items allowed [json-pointer:/view/blocks]")
    if len(view.get("private_metadata") or "") > MAX_PRIVATE_METADATA:
        problems.append("private_metadata too long [json-pointer:/view/private_metadata]")
    if any(b.get("type") == "input" for b in blocks) and not (view.get("submit") or {}).get("text"):
        problems.append("a modal with inputs needs a submit button [json-pointer:/view/submit]")
    for i, b in enumerate(blocks):
        if b.get("type") == "input":
            if not isinstance(b.get("element"), dict) or not (b.get("label") or {}).get("text"):
                problems.append(f"input needs a label and an element [json-pointer:/view/blocks/{i}]")
            elif len(b.get("block_id", "")) > MAX_ID_LENGTH:
                problems.append(f"block_id too long [json-pointer:/view/blocks/{i}/block_id]")
    return problems


def block_texts(node: Any) -> Iterator[str]:
    """Every text of text objects (and markdown blocks) inside ``node``, recursively."""
    if isinstance(node, dict):
        text = node.get("text")
        if isinstance(text, str) and node.get("type") in TEXT_OBJECT_TYPES | {"markdown"}:
            yield text
        for value in node.values():
            if isinstance(value, dict | list):
                yield from block_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from block_texts(item)


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def validate_message(payload: Mapping[str, Any]) -> Rejection | None:
    """Slack's verdict on a message payload (chat.* or response_url): None if accepted."""
    if _is_true(payload.get("delete_original")):
        return None
    text = payload.get("text")
    if text is not None and not isinstance(text, str):
        return Rejection("invalid_arguments", ["[ERROR] text must be a string [json-pointer:/text]"])
    if text is not None and len(text) > MAX_MESSAGE_TEXT:
        return Rejection("msg_too_long", [f"text has {len(text)} characters, more than {MAX_MESSAGE_TEXT}"])
    blocks = payload.get("blocks")
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return Rejection("invalid_blocks_format", ["blocks is not valid JSON"])
    if blocks is not None and not isinstance(blocks, list):
        return Rejection("invalid_blocks_format", ["blocks must be a JSON array"])
    if blocks:
        problems = list(_block_problems(blocks))
        if problems:
            return Rejection("invalid_blocks", problems)
        total = sum(len(t) for t in block_texts(blocks))
        if total > MAX_TOTAL_BLOCK_TEXT:
            return Rejection(
                "msg_blocks_too_long",
                [f"blocks hold {total} characters of text, more than {MAX_TOTAL_BLOCK_TEXT}"],
            )
    if not text and not blocks and not payload.get("attachments"):
        return Rejection("no_text", ["a message needs text, blocks or attachments"])
    return None


# --- records -----------------------------------------------------------------------------------------


@dataclass
class ResponseUrl:
    """A response_url minted by the fake for one slash command or block action."""

    id: str
    url: str
    kind: str  # "command", "action" or "shortcut"
    name: str  # the command ("/agreement"), the action_id or the shortcut's callback id
    trigger_id: str
    user_id: str
    channel_id: str
    minted_at: float  # by the injected clock
    posts: int = 0


@dataclass
class AckFrame:
    """A Socket Mode frame carrying an ``envelope_id`` that the app sent back."""

    envelope_id: str
    payload: dict[str, Any] | None
    frame: dict[str, Any]
    at: float  # by the injected clock


class HttpDelivery(NamedTuple):
    """What an app answered to a signed request from :meth:`FakeSlack.slash_command`/``block_action``."""

    status: int
    body: str
    elapsed: float  # wall-clock seconds for the round trip (the ack latency)
    trigger_id: str


@dataclass
class _Method:
    handler: MethodHandler
    token_prefix: str
    token_error: str = "invalid_auth"


def _json(
    data: Mapping[str, Any], status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(data).encode(), content_type="application/json", headers=headers
    )


class _BadBody(Exception):
    """A request body the fake cannot read."""


# --- the fake ----------------------------------------------------------------------------------------


class FakeSlack(LoopbackServer):
    """A fake Slack server on 127.0.0.1 (port 0). Use ``async with FakeSlack(...) as slack`` or start/stop.

    Recorded state (plain lists and dicts, append-only while running):

    * ``calls``: every Web API call as ``(method, payload)``, including refused and rate-limited ones
      (response_url posts are not Web API calls: see ``responses``, ``rejected``, ``ratelimited``).
    * ``messages`` / ``ephemerals``: accepted chat.postMessage / chat.postEphemeral messages.
    * ``responses``: accepted response_url posts, with the command or action they answer (only accepted
      posts count towards the 5 a response_url allows).
    * ``rejected``: messages refused by :func:`validate_message`, as dicts with ``source``, ``error``,
      ``messages`` and ``payload``.
    * ``ratelimited``: 429s served, as ``(method, payload)`` (``"respond"`` for response_url posts).
    * ``response_urls``: minted response urls by id; ``envelopes``: last frame pushed per envelope id.
    * ``acks``: Socket Mode frames with an envelope_id, by envelope id; ``received_frames``: every frame.
    * ``links_issued`` (apps.connections.open answered) and ``connections_opened`` (websockets accepted).
    """

    def __init__(
        self,
        signing_secret: str = "fake-signing-secret",
        clock: Clock = time.monotonic,
        now: Clock = time.time,
        *,
        app_id: str = APP_ID,
        team_id: str = TEAM_ID,
    ) -> None:
        super().__init__()
        self.signing_secret = signing_secret
        self.clock = clock
        self.now = now
        self.app_id = app_id
        self.team_id = team_id

        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []  # accepted chat.update calls; the message is edited
        self.ephemerals: list[dict[str, Any]] = []
        self.views: list[dict[str, Any]] = []  # modals opened with views.open
        self._trigger_minted: dict[str, float] = {}
        self.responses: list[dict[str, Any]] = []
        self._held: dict[str, asyncio.Event] = {}  # methods whose replies wait (see hold)
        self.rejected: list[dict[str, Any]] = []
        self.ratelimited: list[tuple[str, dict[str, Any]]] = []
        self.response_urls: dict[str, ResponseUrl] = {}
        self.envelopes: dict[str, dict[str, Any]] = {}
        self.acks: dict[str, list[AckFrame]] = {}
        self.received_frames: list[dict[str, Any]] = []
        self.links_issued = 0
        self.connections_opened = 0

        self._methods: dict[str, _Method] = {
            "auth.test": _Method(self._auth_test, "xoxb-"),
            "chat.postMessage": _Method(self._post_message, "xoxb-"),
            "chat.postEphemeral": _Method(self._post_ephemeral, "xoxb-"),
            "chat.update": _Method(self._update, "xoxb-"),
            "apps.connections.open": _Method(self._connections_open, "xapp-", "not_allowed_token_type"),
            "views.open": _Method(self._views_open, "xoxb-"),
        }
        self._rate_limits: dict[str, deque[int]] = {}
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._pushed_at: dict[str, float] = {}
        self._trigger_numbers = itertools.count(1)
        self._ts_numbers = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None

    # -- lifecycle --

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{rid}", self._respond)
        app.router.add_get("/link/", self._link)
        return app

    async def start(self) -> Self:
        """Bind 127.0.0.1 on a free port and serve; open the session that posts to the app."""
        await super().start()
        self._session = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        """Close the sockets, the client session and the server (replies still held are sent)."""
        for method in list(self._held):
            self.release(method)
        for ws in list(self._sockets):
            await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"server stopping")
        if self._session is not None:
            await self._session.close()
            self._session = None
        await super().stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base for ``AsyncWebClient(base_url=...)``, WITH its trailing slash."""
        return f"{self.base_url}/api/"

    # -- test controls --

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` (or ``"respond"``) with 429 and ``Retry-After``."""
        self._rate_limits.setdefault(method, deque()).extend([retry_after] * times)

    def hold(self, method: str) -> None:
        """Carry out calls of ``method`` (a message is posted) but keep their replies until
        :meth:`release`, as when the reply is lost: the caller cannot know its call went through."""
        self._held.setdefault(method, asyncio.Event())

    def release(self, method: str) -> None:
        """Send the replies :meth:`hold` kept, and answer ``method`` at once again."""
        held = self._held.pop(method, None)
        if held is not None:
            held.set()

    def register_method(self, method: str, handler: MethodHandler, token_prefix: str = "xoxb-") -> None:
        """Serve another Web API method: ``handler(payload)`` returns the JSON answer."""
        self._methods[method] = _Method(handler, token_prefix)

    async def wait_connected(self, n: int = 1, timeout: float = 5.0) -> None:
        """Wait until ``n`` websockets have been accepted in all and one is open."""
        await self.wait_for(
            lambda: self.connections_opened >= n and self._current_socket() is not None, timeout
        )

    def summary(self) -> str:
        """A one-line account of the fake's state, for failure messages."""
        return (
            f"calls={[m for m, _ in self.calls]} messages={len(self.messages)} "
            f"ephemerals={len(self.ephemerals)} responses={len(self.responses)} "
            f"rejected={[r['error'] for r in self.rejected]} ratelimited={len(self.ratelimited)} "
            f"acks={ {k: len(v) for k, v in self.acks.items()} } links={self.links_issued} "
            f"connections={self.connections_opened} open_sockets={len(self._sockets)}"
        )

    def response_url_for(self, trigger_id: str) -> ResponseUrl:
        """The response_url minted with a given trigger_id."""
        for record in self.response_urls.values():
            if record.trigger_id == trigger_id:
                return record
        raise KeyError(trigger_id)

    def ack_latency(self, envelope_id: str) -> float:
        """Injected-clock seconds from the first push of an envelope to its first ack."""
        return self.acks[envelope_id][0].at - self._pushed_at[envelope_id]

    # -- HTTP mode: signed requests to an app --

    async def slash_command(
        self,
        url: str,
        command: str = "/agreement",
        text: str = "",
        *,
        user_id: str = "U1",
        channel_id: str = "C1",
        user_name: str = "jane",
        channel_name: str = "general",
        bad_signature: bool = False,
        stale: bool = False,
    ) -> HttpDelivery:
        """POST a signed slash command to ``url``; returns (status, body, elapsed, trigger_id)."""
        fields = self._slash_fields(command, text, user_id, channel_id, user_name, channel_name)
        body = urlencode(fields)
        return await self._post_signed(url, body, fields["trigger_id"], bad_signature, stale)

    async def block_action(
        self,
        url: str,
        action_id: str,
        value: str = "",
        *,
        user_id: str = "U1",
        user_name: str = "jane",
        channel_id: str = "C1",
        channel_name: str = "general",
        block_id: str = "actions",
        bad_signature: bool = False,
        stale: bool = False,
    ) -> HttpDelivery:
        """POST a signed ``block_actions`` interactive payload (a button click) to ``url``."""
        payload = self._block_action_payload(
            action_id, value, user_id, user_name, channel_id, channel_name, block_id
        )
        body = urlencode({"payload": json.dumps(payload)})
        return await self._post_signed(url, body, payload["trigger_id"], bad_signature, stale)

    async def app_mention(
        self,
        url: str,
        text: str,
        *,
        user_id: str = "U1",
        channel_id: str = "C1",
        thread_ts: str | None = None,
        event_id: str | None = None,
        bot_id: str | None = None,
    ) -> HttpDelivery:
        """POST a signed ``event_callback`` carrying an ``app_mention`` (Events API, JSON body):
        ``text`` as Slack writes it, the bot's mention as ``<@U0FAKEBOT>``. Returns the delivery;
        its ``trigger_id`` field holds the message's ``ts``."""
        ts = self._new_ts()
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user_id,
            "text": text,
            "ts": ts,
            "channel": channel_id,
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        if bot_id:
            event["bot_id"] = bot_id
        body = json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": self.team_id,
                "api_app_id": self.app_id,
                "event": event,
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._trigger_numbers):08d}",
                "event_time": int(self.now()),
                "authorizations": [{"team_id": self.team_id, "user_id": BOT_USER_ID, "is_bot": True}],
            }
        )
        return await self._post_signed(url, body, ts, False, False, content_type="application/json")

    async def message_shortcut(
        self,
        url: str,
        callback_id: str,
        text: str,
        *,
        user_id: str = "U1",
        user_name: str = "jane",
        channel_id: str = "C1",
        channel_name: str = "general",
        author_id: str = "U2",
        thread_ts: str | None = None,
    ) -> HttpDelivery:
        """POST a signed ``message_action`` (a message shortcut used on a message written by
        ``author_id``); the delivery's ``trigger_id`` field holds the message's ``ts``."""
        trigger_id = self._new_trigger_id()
        message_ts = self._new_ts()
        message: dict[str, Any] = {"type": "message", "user": author_id, "ts": message_ts, "text": text}
        if thread_ts:
            message["thread_ts"] = thread_ts
        payload = {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": self._new_ts(),
            **self._who(user_id, user_name),
            "channel": {"id": channel_id, "name": channel_name},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id,
            "response_url": self._mint_response_url(
                "shortcut", callback_id, trigger_id, user_id, channel_id
            ),
            "message_ts": message_ts,
            "message": message,
        }
        body = urlencode({"payload": json.dumps(payload)})
        delivery = await self._post_signed(url, body, trigger_id, False, False)
        return delivery._replace(trigger_id=message_ts)

    def slash_command_request(
        self, command: str = "/agreement", text: str = "", *, user_id: str = "U1", channel_id: str = "C1"
    ) -> tuple[str, dict[str, str]]:
        """A signed slash command as (body, headers), to send, tamper with or replay by :meth:`post`."""
        body = urlencode(self._slash_fields(command, text, user_id, channel_id, "jane", "general"))
        timestamp = str(int(self.now()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.sign(body, timestamp),
        }
        return body, headers

    async def post(self, url: str, body: str | bytes, headers: Mapping[str, str]) -> HttpDelivery:
        """POST ``body`` with exactly ``headers`` (nothing added) to an app's endpoint."""
        if self._session is None:
            raise RuntimeError("FakeSlack is not started")
        data = body.encode() if isinstance(body, str) else body
        started = time.perf_counter()
        async with self._session.post(url, data=data, headers=dict(headers)) as resp:
            text = await resp.text()
            return HttpDelivery(resp.status, text, time.perf_counter() - started, "")

    def sign(self, body: str, timestamp: str, secret: str | None = None) -> str:
        """The ``X-Slack-Signature`` (v0, HMAC-SHA256) for a raw body."""
        key = (secret if secret is not None else self.signing_secret).encode()
        digest = hmac.new(key, f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
        return f"v0={digest}"

    # -- Socket Mode: envelopes pushed to the connected app --

    async def socket_slash_command(
        self,
        command: str = "/agreement",
        text: str = "",
        *,
        user_id: str = "U1",
        channel_id: str = "C1",
        user_name: str = "jane",
        channel_name: str = "general",
        envelope_id: str | None = None,
        retry_attempt: int = 0,
    ) -> str:
        """Push a ``slash_commands`` envelope on the current connection; returns its envelope_id."""
        payload = self._slash_fields(command, text, user_id, channel_id, user_name, channel_name)
        return await self._push("slash_commands", payload, True, envelope_id, retry_attempt)

    async def socket_block_action(
        self,
        action_id: str,
        value: str = "",
        *,
        user_id: str = "U1",
        user_name: str = "jane",
        channel_id: str = "C1",
        channel_name: str = "general",
        block_id: str = "actions",
        envelope_id: str | None = None,
        retry_attempt: int = 0,
    ) -> str:
        """Push an ``interactive`` envelope carrying a ``block_actions`` payload; returns its envelope_id."""
        payload = self._block_action_payload(
            action_id, value, user_id, user_name, channel_id, channel_name, block_id
        )
        return await self._push("interactive", payload, False, envelope_id, retry_attempt)

    async def redeliver(self, envelope_id: str, reason: str = "timeout") -> None:
        """Send an envelope again, as Slack does when no ack came: same id and payload, retry_attempt + 1."""
        frame = dict(self.envelopes[envelope_id])
        frame["retry_attempt"] = int(frame.get("retry_attempt", 0)) + 1
        frame["retry_reason"] = reason
        self.envelopes[envelope_id] = frame
        await self._send(self._require_socket(), frame)

    async def disconnect(self, reason: str = "refresh_requested", close_after: float = 1.0) -> None:
        """Send ``{"type": "disconnect"}`` on the current socket, then close it.

        slack_sdk answers by opening a new link and closing the old socket itself; the fake waits up to
        ``close_after`` seconds for that before closing the socket from its side (as Slack does later).
        """
        ws = self._require_socket()
        await self._send(ws, {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-slack"}})
        try:
            await self.wait_for(lambda: ws not in self._sockets, timeout=close_after)
        except TimeoutError:
            await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=reason.encode())

    # -- internals: helpers --

    def _views_open(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``views.open``: a modal, on a trigger id the fake issued less than 3 s ago."""
        trigger, view = payload.get("trigger_id"), payload.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError:
                return {"ok": False, "error": "invalid_arguments"}
        minted = self._trigger_minted.get(str(trigger))
        if minted is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        if self.clock() - minted > TRIGGER_TTL_SECONDS:
            return {"ok": False, "error": "expired_trigger_id"}
        problems = _view_problems(view)
        if problems:
            rejection = Rejection("invalid_arguments", problems)
            return self._reject("views.open", payload, rejection)
        view_id = f"V{len(self.views) + 1:08d}"
        self.views.append({"id": view_id, "trigger_id": trigger, "view": view, "payload": payload})
        return {"ok": True, "view": {**view, "id": view_id}}

    async def view_submission(
        self,
        url: str,
        view: dict[str, Any],
        values: Mapping[str, str | None],
        *,
        user_id: str = "U1",
        user_name: str = "jane",
    ) -> HttpDelivery:
        """POST a signed ``view_submission`` of ``view`` (as opened) with ``{block_id: value}``."""
        trigger_id = self._new_trigger_id()
        state = {
            block_id: {"value": {"type": "plain_text_input", "value": value}}
            for block_id, value in values.items()
        }
        payload = {
            "type": "view_submission",
            **self._who(user_id, user_name),
            "api_app_id": self.app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": trigger_id,
            "view": {**view, "state": {"values": state}},
            "response_urls": [],
            "is_enterprise_install": False,
        }
        body = urlencode({"payload": json.dumps(payload)})
        return await self._post_signed(url, body, trigger_id, False, False)

    def _who(self, user_id: str, user_name: str) -> dict[str, Any]:
        """The team and user an interactive payload (button, shortcut, form) carries."""
        return {
            "team": {"id": self.team_id, "domain": TEAM_DOMAIN},
            "user": {"id": user_id, "name": user_name, "username": user_name, "team_id": self.team_id},
        }

    def _new_trigger_id(self) -> str:
        trigger = f"trig-{next(self._trigger_numbers)}"
        self._trigger_minted[trigger] = self.clock()
        return trigger

    def _new_ts(self) -> str:
        return f"{int(self.now())}.{next(self._ts_numbers):06d}"

    def _mint_response_url(self, kind: str, name: str, trigger_id: str, user_id: str, channel_id: str) -> str:
        rid = uuid.uuid4().hex
        url = f"{self.base_url}/respond/{rid}"
        self.response_urls[rid] = ResponseUrl(
            rid, url, kind, name, trigger_id, user_id, channel_id, self.clock()
        )
        return url

    def _slash_fields(
        self, command: str, text: str, user_id: str, channel_id: str, user_name: str, channel_name: str
    ) -> dict[str, str]:
        trigger_id = self._new_trigger_id()
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": self._mint_response_url("command", command, trigger_id, user_id, channel_id),
            "trigger_id": trigger_id,
        }

    def _block_action_payload(
        self,
        action_id: str,
        value: str,
        user_id: str,
        user_name: str,
        channel_id: str,
        channel_name: str,
        block_id: str,
    ) -> dict[str, Any]:
        trigger_id = self._new_trigger_id()
        message_ts = self._new_ts()
        return {
            "type": "block_actions",
            "token": VERIFICATION_TOKEN,
            "api_app_id": self.app_id,
            **self._who(user_id, user_name),
            "channel": {"id": channel_id, "name": channel_name},
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": True,
            },
            "trigger_id": trigger_id,
            "response_url": self._mint_response_url("action", action_id, trigger_id, user_id, channel_id),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "type": "button",
                    "action_ts": self._new_ts(),
                }
            ],
            "state": {"values": {}},
            "is_enterprise_install": False,
            "enterprise": None,
        }

    async def _post_signed(
        self,
        url: str,
        body: str,
        trigger_id: str,
        bad_signature: bool,
        stale: bool,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> HttpDelivery:
        if self._session is None:
            raise RuntimeError("FakeSlack is not started")
        timestamp = str(int(self.now()) - (STALE_TIMESTAMP_AGE_SECONDS if stale else 0))
        secret = self.signing_secret + "-wrong" if bad_signature else None
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.sign(body, timestamp, secret),
        }
        started = time.perf_counter()
        async with self._session.post(url, data=body.encode(), headers=headers) as resp:
            text = await resp.text()
            return HttpDelivery(resp.status, text, time.perf_counter() - started, trigger_id)

    @staticmethod
    async def _read_payload(request: web.Request) -> dict[str, Any]:
        """Query parameters, then a JSON or form body; ``blocks``/``attachments`` strings decoded."""
        payload: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError as exc:
                    raise _BadBody("invalid_json") from exc
                if not isinstance(body, dict):
                    raise _BadBody("invalid_json")
                payload.update(body)
            else:
                form = await request.post()
                payload.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in ("blocks", "attachments"):
            if isinstance(payload.get(key), str):
                # left as a string if it is not JSON: validate_message answers invalid_blocks_format
                with contextlib.suppress(ValueError):
                    payload[key] = json.loads(payload[key])
        return payload

    def _take_rate_limit(self, method: str) -> int | None:
        pending = self._rate_limits.get(method)
        return pending.popleft() if pending else None

    def _reject(self, source: str, payload: dict[str, Any], rejection: Rejection) -> dict[str, Any]:
        self.rejected.append(
            {"source": source, "error": rejection.error, "messages": rejection.messages, "payload": payload}
        )
        return {"ok": False, "error": rejection.error, "response_metadata": {"messages": rejection.messages}}

    # -- internals: Web API --

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            payload = await self._read_payload(request)
        except _BadBody as exc:
            self.calls.append((method, {}))
            await self._notify()
            return _json({"ok": False, "error": str(exc)})
        self.calls.append((method, payload))
        try:
            retry_after = self._take_rate_limit(method)
            if retry_after is not None:
                self.ratelimited.append((method, payload))
                return _json(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(retry_after)},
                )
            spec = self._methods.get(method)
            if spec is None:
                return _json({"ok": False, "error": "unknown_method"})
            auth = request.headers.get("Authorization", "")
            token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else str(payload.get("token", ""))
            if not token.startswith(spec.token_prefix):
                return _json({"ok": False, "error": spec.token_error})
            reply = _json(spec.handler(payload))
            held = self._held.get(method)
            if held is not None:
                await self._notify()  # the call is seen now; its reply comes on release
                await held.wait()
            return reply
        finally:
            await self._notify()

    def _auth_test(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Fake Desk",
            "user": "factdesk",
            "team_id": self.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, payload: dict[str, Any]) -> dict[str, Any]:
        channel = payload.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        rejection = validate_message(payload)
        if rejection is not None:
            return self._reject("chat.postMessage", payload, rejection)
        ts = self._new_ts()
        self.messages.append(
            {
                "channel": channel,
                "ts": ts,
                "text": payload.get("text"),
                "blocks": payload.get("blocks"),
                "thread_ts": payload.get("thread_ts"),
                "payload": payload,
            }
        )
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "ts": ts,
            "text": payload.get("text"),
        }
        if payload.get("blocks"):
            message["blocks"] = payload["blocks"]
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """chat.update: a message the bot posted (channel and ts) gets new text and blocks."""
        channel, ts = payload.get("channel"), payload.get("ts")
        found = next((m for m in self.messages if m["channel"] == channel and m["ts"] == ts), None)
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        rejection = validate_message(payload)
        if rejection is not None:
            return self._reject("chat.update", payload, rejection)
        found.update(text=payload.get("text"), blocks=payload.get("blocks"), payload=payload)
        self.updates.append({"channel": channel, "ts": ts, "text": payload.get("text"), "payload": payload})
        return {"ok": True, "channel": channel, "ts": ts, "text": payload.get("text")}

    def _post_ephemeral(self, payload: dict[str, Any]) -> dict[str, Any]:
        channel, user = payload.get("channel"), payload.get("user")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not user:
            return {"ok": False, "error": "user_not_found"}
        rejection = validate_message(payload)
        if rejection is not None:
            return self._reject("chat.postEphemeral", payload, rejection)
        ts = self._new_ts()
        self.ephemerals.append(
            {
                "channel": channel,
                "user": user,
                "ts": ts,
                "text": payload.get("text"),
                "blocks": payload.get("blocks"),
                "payload": payload,
            }
        )
        return {"ok": True, "message_ts": ts}

    def _connections_open(self, payload: dict[str, Any]) -> dict[str, Any]:
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        self.links_issued += 1
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}"}

    # -- internals: response_url --

    async def _respond(self, request: web.Request) -> web.Response:
        rid = request.match_info["rid"]
        try:
            try:
                payload = await self._read_payload(request)
            except _BadBody as exc:
                return web.Response(status=400, text=str(exc))
            if isinstance(payload.get("payload"), str):  # legacy form-encoded ``payload=<json>``
                try:
                    payload = json.loads(payload["payload"])
                except ValueError:
                    return web.Response(status=400, text="invalid_payload")
            retry_after = self._take_rate_limit("respond")
            if retry_after is not None:
                self.ratelimited.append(("respond", payload))
                return web.Response(status=429, text="ratelimited", headers={"Retry-After": str(retry_after)})
            record = self.response_urls.get(rid)
            if record is None:
                return web.Response(status=404, text="no_service")
            if self.clock() - record.minted_at > RESPONSE_URL_TTL_SECONDS:
                return web.Response(status=404, text="expired_url")
            if record.posts >= RESPONSE_URL_MAX_POSTS:
                return web.Response(status=404, text="used_url")
            rejection = validate_message(payload)
            if rejection is not None:
                self._reject("respond", payload, rejection)
                return web.Response(status=400, text=rejection.error)
            record.posts += 1
            self.responses.append(
                {
                    "response_url_id": rid,
                    "kind": record.kind,
                    "command": record.name if record.kind == "command" else None,
                    "action_id": record.name if record.kind == "action" else None,
                    "trigger_id": record.trigger_id,
                    "user_id": record.user_id,
                    "channel_id": record.channel_id,
                    "text": payload.get("text"),
                    "blocks": payload.get("blocks"),
                    "response_type": payload.get("response_type"),
                    "replace_original": payload.get("replace_original"),
                    "delete_original": payload.get("delete_original"),
                    "at": self.clock(),
                    "payload": payload,
                }
            )
            return web.Response(status=200, text="ok")
        finally:
            await self._notify()

    # -- internals: Socket Mode --

    def _current_socket(self) -> web.WebSocketResponse | None:
        for ws in reversed(self._sockets):
            if not ws.closed:
                return ws
        return None

    def _require_socket(self) -> web.WebSocketResponse:
        ws = self._current_socket()
        if ws is None:
            raise RuntimeError("no Socket Mode connection is open")
        return ws

    @staticmethod
    async def _send(ws: web.WebSocketResponse, frame: Mapping[str, Any]) -> None:
        await ws.send_str(json.dumps(frame))

    async def _push(
        self,
        kind: str,
        payload: dict[str, Any],
        accepts_response_payload: bool,
        envelope_id: str | None,
        retry_attempt: int,
    ) -> str:
        ws = self._require_socket()
        eid = envelope_id or str(uuid.uuid4())
        frame = {
            "envelope_id": eid,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": "" if retry_attempt == 0 else "timeout",
        }
        self.envelopes[eid] = frame
        self._pushed_at.setdefault(eid, self.clock())
        await self._send(ws, frame)
        return eid

    async def _link(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("ticket") not in self._tickets:
            return web.Response(status=401, text="invalid_ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self.connections_opened += 1
        try:
            await self._send(
                ws,
                {
                    "type": "hello",
                    "num_connections": len(self._sockets),
                    "debug_info": {
                        "host": "fake-slack",
                        "build_number": 1,
                        "approximate_connection_time": 3600,
                    },
                    "connection_info": {"app_id": self.app_id},
                },
            )
            await self._notify()
            async for msg in ws:
                if msg.type is aiohttp.WSMsgType.TEXT:
                    await self._on_frame(msg.data)
        finally:
            self._sockets.remove(ws)
            await self._notify()
        return ws

    async def _on_frame(self, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            frame = {"unparsed": data}
        if not isinstance(frame, dict):
            frame = {"unparsed": data}
        self.received_frames.append(frame)
        eid = frame.get("envelope_id")
        if isinstance(eid, str):
            payload = frame.get("payload")
            ack = AckFrame(eid, payload if isinstance(payload, dict) else None, frame, self.clock())
            self.acks.setdefault(eid, []).append(ack)
        await self._notify()


# --- pytest helpers ----------------------------------------------------------------------------------


def strip_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove the proxy variables slack_sdk reads itself (it ignores NO_PROXY)."""
    for name in PROXY_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixture form of :func:`strip_proxy_env`."""
    strip_proxy_env(monkeypatch)


@pytest.fixture
async def fake_slack(no_proxy: None) -> AsyncIterator[FakeSlack]:
    """A started FakeSlack with default secret and clocks, proxies stripped."""
    async with FakeSlack() as slack:
        yield slack
