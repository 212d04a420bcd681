"""The Slack surface: slash commands from the registry on slack-bolt's async app.

Every command is acknowledged first (Slack gives three seconds), then answered through
``respond()``: privately, with a "Post to channel" button that posts the same answer in the
channel saying who asked, and a "More" button when the answer did not fit one message.
The same app serves HTTP (bolt's aiohttp server, signed requests: HTTP mode refuses to start
without a signing secret) and Socket Mode. Every command passes the process's
:class:`~bot.backpressure.Limiter` first (over it, the ack itself says "busy"), and each
delivery is claimed through the core (:meth:`bot.desk.Desk.first_delivery`), so a redelivery,
also after a restart, is answered once. What is read from each payload kind is in
:mod:`bot.surfaces.slack.payloads`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.backpressure import BUSY, Limiter, Slot
from bot.commands.fact_forms import Field, wants_form_text
from bot.commands.registry import COMMANDS
from bot.delivery_errors import map_delivery_errors
from bot.desk import Desk
from bot.mentions import SLOW_DOWN, MentionWindow, mention_request
from bot.posted_answers import PostedMessage
from bot.requests import Request
from bot.settings import Settings, SetupError
from bot.surfaces.slack import payloads
from bot.surfaces.slack.blocks import MORE_ACTION, POST_ACTION, POST_THREAD_ACTION, render_answer
from facts.answers.contract import Answer

__all__ = [
    "UNSIGNED_HTTP",
    "FactdeskSlack",
    "build_slack_app",
    "slack_client",
    "slack_editor",
    "slack_sender",
    "slack_web_app",
    "start_socket_mode",
]

log = logging.getLogger("factdesk.slack")

RATE_LIMIT_RETRIES = 3
UNSIGNED_HTTP = (
    "Slack over HTTP needs FACTDESK_SLACK_SIGNING_SECRET (Basic Information → App Credentials),"
    " or set FACTDESK_SLACK_APP_TOKEN for Socket Mode; not starting unsigned."
)
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def slack_client(settings: Settings, *, wait_out_rate_limits: bool = True) -> AsyncWebClient:
    """The Web API client on ``FACTDESK_SLACK_API_URL``. It waits out a 429's ``Retry-After``
    itself, except for the digest scheduler's client: the scheduler retries on its own clock."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    handlers: list[Any] = [AsyncConnectionErrorRetryHandler()]
    if wait_out_rate_limits:
        handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return AsyncWebClient(token=token, base_url=settings.slack_api_url, retry_handlers=handlers)


def slack_sender(client: AsyncWebClient) -> Callable[[str, Answer], Awaitable[str]]:
    """Posts a digest to a channel; failures become :class:`DeliveryError` (transient when Slack
    surely did not post: rate limited, a server error, or no connection)."""

    async def send(channel_id: str, answer: Answer) -> str:
        message = render_answer(answer, buttons=False)
        with map_delivery_errors("Slack", SlackApiError, _api_error):
            response = await client.chat_postMessage(channel=channel_id, **message.as_kwargs())
        return str(response.get("ts") or "")

    return send


def slack_editor(client: AsyncWebClient) -> Callable[[PostedMessage, Answer], Awaitable[None]]:
    """Shows a corrected answer in the message it was posted as (``chat.update``)."""

    async def edit(post: PostedMessage, answer: Answer) -> None:
        message = render_answer(answer, offset=post.shown_from, buttons=False, asked_by=post.asked_by)
        await client.chat_update(channel=post.channel, ts=post.ref, **message.as_kwargs())

    return edit


def _api_error(exc: SlackApiError) -> tuple[int, str]:
    status = exc.response.status_code
    return status, f"{exc.response.get('error')} ({status})"


def _well_formed_signature(request: web.Request, body: bytes) -> bool:
    """The signature headers have Slack's shape and the body is text; bolt then checks the
    HMAC and the age (it raises on a non-numeric timestamp or a non-ASCII signature)."""
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not (_TIMESTAMP.fullmatch(timestamp) and _SIGNATURE.fullmatch(signature)):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _command_admission(body: bytes, limiter: Limiter) -> tuple[str | None, bool]:
    """For a slash command: (its trigger id, whether it was admitted). An admitted command's
    slot is held under its trigger id for the listener to take; a refused one is counted. So
    bolt's chain (and its first ``auth.test``) sees at most the admitted, never the flood."""
    fields = parse_qs(body.decode("utf-8"), max_num_fields=64)
    trigger = fields.get("trigger_id", [""])[0]
    if "command" not in fields or not trigger:
        return None, True
    key = f"slack:{fields.get('user_id', [''])[0]}"
    return trigger, limiter.hold(f"slack:{trigger}", key) is not None


def slack_web_app(
    app: AsyncApp, settings: Settings, limiter: Limiter, path: str = "/slack/events"
) -> web.Application:
    """bolt's aiohttp application for ``app`` on ``path``. In front of bolt: malformed signature
    headers (missing, non-numeric, garbled) get 401, and a correctly signed slash command over
    the limits gets its "busy" ack at once; an admitted one's slot passes to its listener."""
    web_app = app.web_app(path=path)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    verifier = SignatureVerifier(secret)
    busy = json.dumps({"response_type": "ephemeral", "text": BUSY})

    @web.middleware
    async def signature_shape(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.method == "POST" and request.path == path:
            body = await request.read()
            if not _well_formed_signature(request, body):
                log.warning("Slack request with malformed signature headers refused")
                return web.Response(status=401, text="invalid signature headers")
            signed = verifier.is_valid(
                body, request.headers["X-Slack-Request-Timestamp"], request.headers["X-Slack-Signature"]
            )
            if signed:
                trigger, admitted = _command_admission(body, limiter)
                if not admitted:
                    return web.Response(text=busy, content_type="application/json")
                if trigger is not None:
                    try:
                        return await handler(request)
                    finally:
                        leftover = limiter.take(f"slack:{trigger}")  # no listener took it
                        if leftover is not None:
                            leftover.release()
        return await handler(request)

    web_app.middlewares.append(signature_shape)
    return web_app


APOLOGY = "Sorry, something went wrong showing that answer; it has been logged."


def _rendered(answer: Answer, **options: Any) -> dict[str, Any]:
    """The message for ``answer``; a rendering failure is logged and becomes a one-line apology."""
    try:
        return render_answer(answer, **options).as_kwargs()
    except Exception:
        log.exception("rendering failed: %s", answer.command)
        return {"text": APOLOGY}


FORM_CALLBACK = "factdesk_fact_form"


def _modal(title: str, fields: list[Field], private_metadata: str) -> dict[str, Any]:
    """A Slack modal with one input per field; block ids are the field names."""
    blocks = []
    for f in fields:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": f.multiline}
        if f.initial:
            element["initial_value"] = f.initial[:3000]
        if f.placeholder:
            element["placeholder"] = {"type": "plain_text", "text": f.placeholder[:150]}
        blocks.append(
            {
                "type": "input",
                "block_id": f.name,
                "optional": not f.required,
                "label": {"type": "plain_text", "text": f.label[:2000]},
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def build_slack_app(
    settings: Settings,
    desk: Desk,
    *,
    client: AsyncWebClient | None = None,
    limiter: Limiter | None = None,
    clock: Callable[[], float] = time.time,
) -> AsyncApp:
    """The bolt app of a :class:`FactdeskSlack` (see there)."""
    return FactdeskSlack(settings, desk, client=client, limiter=limiter, clock=clock).app


class FactdeskSlack:
    """The bolt app with every registry command, the buttons, the forms, backpressure and
    redelivery de-duplication. ``clock`` (seconds since the epoch) dates the delivery claims.

    Raises :class:`SetupError` for HTTP mode (no app token) without a signing secret."""

    def __init__(
        self,
        settings: Settings,
        desk: Desk,
        *,
        client: AsyncWebClient | None = None,
        limiter: Limiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
        if secret is None and not settings.slack_socket_mode:
            raise SetupError(UNSIGNED_HTTP)
        self.app = AsyncApp(
            client=client or slack_client(settings),
            signing_secret=secret,
            # Socket Mode requests are not signed (bolt skips the check for them); HTTP ones are.
            request_verification_enabled=secret is not None,
            logger=log,
        )
        self.desk = desk
        self.limits = limiter or settings.limiter()
        self.clock = clock
        for command in COMMANDS:
            self.app.command(f"/{command.name}")(self.on_command)
        self.app.view(FORM_CALLBACK)(self.on_form)
        self.app.action(POST_ACTION)(self.on_post)
        self.app.action(MORE_ACTION)(self.on_more)
        self.app.event("app_mention")(self.on_mention)
        self.app.shortcut(payloads.FIND_SOURCES)(self.on_find_sources)
        self.app.action(POST_THREAD_ACTION)(self.on_post_thread)
        self.mentions = MentionWindow(settings.mentions_per_minute, clock=clock)

    # ------------------------------------------------------------------ admission

    async def first_delivery(self, body: dict[str, Any]) -> bool:
        """Claim the delivery's trigger id in the core: False for a redelivery (or a replay)."""
        trigger = payloads.trigger_id(body)
        if trigger is None or await self.desk.first_delivery(f"slack:{trigger}", self.clock()):
            return True
        log.info("Slack delivery %s was handled already: not answered again (a redelivery)", trigger)
        return False

    def slot_for(self, body: dict[str, Any]) -> Slot | None:
        """A slot for this delivery (the one admitted at the HTTP front door, if any), or None
        when busy (refused and counted); no ``await``."""
        trigger = payloads.trigger_id(body)
        held = self.limits.take(f"slack:{trigger}") if trigger else None
        return held or self.limits.try_acquire(f"slack:{payloads.user_id(body)}")

    async def admit(self, body: dict[str, Any]) -> Slot | bool | None:
        """A slot for this delivery; None when busy (refused and counted); False for a redelivery."""
        slot = self.slot_for(body)
        if slot is None:
            return None
        if not await self.first_delivery(body):
            slot.release()
            return False
        return slot

    # ------------------------------------------------------------------ slash commands

    async def on_command(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        slot = self.slot_for(body)
        if slot is None:  # busy: the ack itself is the private reply, nothing else runs
            await ack(response_type="ephemeral", text=BUSY)
            return
        await ack()  # at once: the store (claiming the delivery below) may be queued behind commands
        with slot:
            if not await self.first_delivery(body):
                return
            request = payloads.request_from(body)
            assert request is not None  # a slash command always names its command
            if request.command == "fact" and await self.open_form(body, request, respond, client):
                return
            answer = await self.desk.handle(request)
            rerun = not self.desk.changes_record(request)  # a button must never make a change again
            message = _rendered(answer, buttons=answer.error is None, rerun=rerun)
            await respond(response_type="ephemeral", **message)

    async def open_form(
        self, body: dict[str, Any], request: Request, respond: AsyncRespond, client: AsyncWebClient
    ) -> bool:
        """``/fact add`` or ``/fact correct <id>`` alone: a modal with the fields (editors only)."""
        wanted = wants_form_text(request.text)
        if wanted is None:
            return False
        form = await self.desk.form_for(request, *wanted)
        if isinstance(form, Answer):  # refused, or no such fact: said privately
            await respond(response_type="ephemeral", **_rendered(form))
            return True
        meta = payloads.FormMeta(form.action, form.fact_id, form.version, payloads.channel_id(body) or None)
        view = _modal(form.title, form.fields, meta.dumps())
        await client.views_open(trigger_id=body["trigger_id"], view=view)
        return True

    async def on_form(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        meta = payloads.form_meta(view)
        field = "note" if meta.action == "correct" else "quote"  # where an error shows in the modal
        slot = await self.admit(body)
        if slot is None:
            await ack(response_action="errors", errors={field: BUSY})
            return
        if slot is False:
            await ack()
            return
        with slot:
            user = payloads.user_id(body)
            request = Request(command="fact", text="", actor=f"slack:{user}")
            values = payloads.form_values(view)
            answer = await self.desk.submit_form(request, meta.action, meta.fact_id, meta.version, values)
            if answer.error:  # shown in the modal, under the field most likely at fault
                await ack(response_action="errors", errors={field: answer.error.message[:300]})
                return
            await ack()
            await client.chat_postEphemeral(channel=meta.channel or user, user=user, **_rendered(answer))

    # ------------------------------------------------------------------ mentions

    async def on_mention(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        """``@factdesk …`` in a channel or a thread: answered in the thread (one started under the
        message when it was not in one), for everyone there. Bolt acknowledges the event."""
        mention = payloads.mention(body)
        if mention is None:  # another bot's message, an edit, or a payload without a user
            return
        if not await self.desk.first_delivery(f"slack:event:{mention.event_id}", self.clock()):
            return
        actor = f"slack:{mention.user}"
        if not self.mentions.allow(actor):
            await client.chat_postEphemeral(channel=mention.channel, user=mention.user, text=SLOW_DOWN)
            return
        slot = self.limits.try_acquire(actor)
        if slot is None:
            await client.chat_postEphemeral(channel=mention.channel, user=mention.user, text=BUSY)
            return
        with slot:
            request = mention_request(mention.text, actor=actor, channel=mention.channel)
            answer = await self.desk.handle(request)
            message = _rendered(answer, buttons=False)
            sent = await client.chat_postMessage(channel=mention.channel, thread_ts=mention.thread, **message)
            await self.desk.posted("slack", mention.channel, str(sent.get("ts") or ""), answer)

    # ------------------------------------------------------------------ "Find sources"

    async def on_find_sources(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """The message shortcut: the message's claims checked (``/check``), answered privately
        with "Post to thread"."""
        slot = await self.admit(body)
        await ack()
        if slot is None:
            await respond(response_type="ephemeral", replace_original=False, text=BUSY)
            return
        if slot is False:
            return
        with slot:
            message = payloads.message_shortcut(body)
            if message is None:
                await respond(response_type="ephemeral", text="That message has no text to check.")
                return
            actor = f"slack:{message.user}"
            answer = await self.desk.handle(Request("check", message.text, actor, message.channel))
            thread = (message.channel, message.thread)
            rendered = _rendered(answer, buttons=answer.error is None, thread=thread)
            await respond(response_type="ephemeral", replace_original=False, **rendered)

    async def on_post_thread(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        slot = await self.button_slot(ack, body, respond)
        if slot is None:
            return
        with slot:
            found, target = await self.rerun(body), payloads.post_target(body)
            if found is None or target is None:
                log.warning("post-to-thread button with an unreadable value ignored")
                return
            answer, offset, who = found
            message = _rendered(answer, offset=offset, buttons=False, asked_by=who)
            sent = await client.chat_postMessage(channel=target[0], thread_ts=target[1], **message)
            ref = str(sent.get("ts") or "")
            await self.desk.posted("slack", target[0], ref, answer, asked_by=who, shown_from=offset)

    # ------------------------------------------------------------------ buttons

    async def rerun(self, body: dict[str, Any]) -> tuple[Answer, int, str] | None:
        """The command a button carries, answered again (answers are cheap and stay current);
        never a command that changes the record (its answer has no buttons: this is the guard)."""
        request = payloads.request_from(body)
        if request is None:
            log.warning("button with an unreadable value ignored")
            return None
        if self.desk.changes_record(request):
            log.warning("button carrying a change (%s) refused", request.command)
            return None
        return await self.desk.handle(request), payloads.button_offset(body), payloads.user_name(body)

    async def button_slot(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> Slot | None:
        """Ack a button click; a slot for it, or None (busy: said privately, or a redelivery)."""
        slot = self.slot_for(body)
        await ack()
        if slot is None:
            await respond(response_type="ephemeral", replace_original=False, text=BUSY)
            return None
        if not await self.first_delivery(body):
            slot.release()
            return None
        return slot

    async def on_post(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Post to channel: posted by the bot (``chat.postMessage``), so that a correction can edit
        it later; in a channel the bot may not post in (a private one it was not invited to), the
        command's own reply in the channel instead, which cannot be edited later."""
        slot = await self.button_slot(ack, body, respond)
        if slot is None:
            return
        with slot:
            found = await self.rerun(body)
            if found is None:
                return
            answer, offset, who = found
            message = _rendered(answer, offset=offset, buttons=False, asked_by=who)
            channel = payloads.channel_id(body)
            try:
                sent = await client.chat_postMessage(channel=channel, **message)
            except SlackApiError as exc:
                if exc.response.get("error") not in ("not_in_channel", "channel_not_found"):
                    raise
                await respond(response_type="in_channel", replace_original=False, **message)
                return
            await self.desk.posted("slack", channel, str(sent.get("ts") or ""), answer, asked_by=who,
                                   shown_from=offset)

    async def on_more(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        slot = await self.button_slot(ack, body, respond)
        if slot is None:
            return
        with slot:
            found = await self.rerun(body)
            if found is None:
                return
            answer, offset, _ = found
            message = _rendered(answer, offset=offset, buttons=True)
            await respond(response_type="ephemeral", replace_original=False, **message)


async def start_socket_mode(app: AsyncApp, app_token: str) -> Callable[[], Awaitable[None]]:
    """Connect over Socket Mode (the SDK reconnects after a ``disconnect``); returns the closer."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(app, app_token)
    await handler.connect_async()
    return handler.close_async
