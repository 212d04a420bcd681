"""The Slack surface: slash commands from the registry on slack-bolt's async app.

Every command is acknowledged first (Slack gives three seconds), then answered through
``respond()``: privately, with a "Post to channel" button that posts the same answer in the
channel saying who asked, and a "More" button when the answer did not fit one message.
The same app serves HTTP (bolt's aiohttp server, signed requests) and Socket Mode.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack_blocks import MORE_ACTION, POST_ACTION, render_answer
from bot.digests import DeliveryError, DigestScheduler
from bot.fact_forms import Field, form_fields, form_text, wants_form
from bot.handler import Context, handle
from bot.registry import COMMANDS
from bot.requests import Request, clean_text
from bot.settings import Settings
from facts.answer import Answer
from facts.store import FactStore

__all__ = ["build_slack_app", "slack_client", "slack_sender", "start_socket_mode"]

log = logging.getLogger("factdesk.slack")

RATE_LIMIT_RETRIES = 3
SEEN_DELIVERIES = 2048  # recent trigger ids remembered to answer a redelivery once


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
        try:
            response = await client.chat_postMessage(channel=channel_id, **message.as_kwargs())
        except SlackApiError as exc:
            status = exc.response.status_code
            transient = status == 429 or status >= 500
            reason = f"Slack: {exc.response.get('error')} ({status})"
            raise DeliveryError(reason, transient=transient) from exc
        except (aiohttp.ClientConnectorError, ConnectionRefusedError) as exc:
            raise DeliveryError(f"Slack unreachable: {exc}", transient=True) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Slack: outcome unknown: {type(exc).__name__}", transient=False) from exc
        return str(response.get("ts") or "")

    return send


class _RecentDeliveries:
    """Trigger ids already handled. Slack delivers at least once (Socket Mode redelivers an
    envelope that was not acknowledged in time); a second delivery is acknowledged, not answered."""

    def __init__(self, size: int = SEEN_DELIVERIES) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, key: str | None) -> bool:
        if not key:
            return True
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


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
        blocks.append({
            "type": "input",
            "block_id": f.name,
            "optional": not f.required,
            "label": {"type": "plain_text", "text": f.label[:2000]},
            "element": element,
        })
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def _user_name(body: dict[str, Any]) -> str:
    user = body.get("user") or {}
    return str(user.get("name") or user.get("username") or body.get("user_name") or "someone")


def build_slack_app(
    settings: Settings,
    store: FactStore,
    *,
    client: AsyncWebClient | None = None,
    digests: DigestScheduler | None = None,
) -> AsyncApp:
    """The bolt app with every registry command, the buttons, and redelivery de-duplication."""
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    app = AsyncApp(
        client=client or slack_client(settings),
        signing_secret=secret,
        # Socket Mode requests are not signed; HTTP requests always are.
        request_verification_enabled=secret is not None,
        logger=log,
    )
    recent = _RecentDeliveries()

    async def once(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse:
        body = req.body or {}
        if not recent.first_time(body.get("trigger_id")):
            log.info("redelivery of %s ignored", body.get("trigger_id"))
            return BoltResponse(status=200, body="")
        await next()
        return resp

    app.middleware(once)

    access = settings.access()

    async def run(request: Request) -> Answer:
        context = Context(access=access, digests=digests, fetch=settings.fetch_policy())
        return await handle(request, store, context=context)

    async def on_command(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        if str(body.get("command", "")) == "/fact" and await open_form(body, respond, client):
            return
        request = Request(
            command=str(body.get("command", "")).lstrip("/"),
            text=clean_text(str(body.get("text", ""))),
            actor=f"slack:{body.get('user_id', '')}",
            channel=f"slack:{body.get('channel_id', '')}",
        )
        answer = await run(request)
        await respond(response_type="ephemeral", **_rendered(answer, buttons=answer.error is None))

    for command in COMMANDS:
        app.command(f"/{command.name}")(on_command)

    async def open_form(body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> bool:
        """``/fact add`` or ``/fact correct <id>`` alone: a modal with the fields (editors only)."""
        wanted = wants_form(clean_text(str(body.get("text", ""))))
        if wanted is None:
            return False
        action, fact_id = wanted
        actor = f"slack:{body.get('user_id', '')}"
        probe = Request(command="fact", text=action, actor=actor)
        if not access.allows(probe):  # the core refuses (and logs) in its own words
            answer = await run(probe)
            await respond(response_type="ephemeral", **_rendered(answer))
            return True
        fact = await store.fact(fact_id) if fact_id is not None else None
        if fact_id is not None and fact is None:
            answer = await run(Request(command="fact", text=f"show {fact_id}", actor=actor))
            await respond(response_type="ephemeral", **_rendered(answer))
            return True
        meta = {"a": action, "id": fact_id, "v": fact.version if fact else None, "c": body.get("channel_id")}
        title = f"Correct fact {fact_id}" if fact_id is not None else "Add a fact"
        await client.views_open(
            trigger_id=body["trigger_id"], view=_modal(title, form_fields(action, fact), json.dumps(meta))
        )
        return True

    async def on_form(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        action, fact_id, version = meta.get("a", "add"), meta.get("id"), meta.get("v")
        state = view.get("state", {}).get("values", {})
        values = {name: (block.get("value") or {}).get("value") for name, block in state.items()}
        fact = await store.fact(int(fact_id)) if fact_id is not None else None
        user = (body.get("user") or {}).get("id", "")
        text = form_text(action, fact_id, version, values, form_fields(action, fact))
        answer = await run(Request(command="fact", text=text, actor=f"slack:{user}"))
        if answer.error:  # shown in the modal, under the field most likely at fault
            field = "note" if action == "correct" else "quote"
            await ack(response_action="errors", errors={field: answer.error.message[:300]})
            return
        await ack()
        await client.chat_postEphemeral(channel=meta.get("c") or user, user=user, **_rendered(answer))

    app.view(FORM_CALLBACK)(on_form)

    async def rerun(body: dict[str, Any]) -> tuple[Answer, int, str] | None:
        """The command a button carries, answered again (answers are cheap and stay current)."""
        try:
            value = json.loads(body["actions"][0]["value"])
            line, offset = str(value["c"]), int(value.get("o", 0))
        except (KeyError, IndexError, TypeError, ValueError):
            log.warning("button with an unreadable value ignored")
            return None
        head, _, rest = line.partition(" ")
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("channel") or {}).get("id", "")
        request = Request(
            command=head.lstrip("/"), text=clean_text(rest), actor=f"slack:{user}", channel=f"slack:{channel}"
        )
        return await run(request), max(offset, 0), _user_name(body)

    async def on_post(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        found = await rerun(body)
        if found is None:
            return
        answer, offset, who = found
        message = _rendered(answer, offset=offset, buttons=False, asked_by=who)
        await respond(response_type="in_channel", replace_original=False, **message)

    async def on_more(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        found = await rerun(body)
        if found is None:
            return
        answer, offset, _ = found
        message = _rendered(answer, offset=offset, buttons=True)
        await respond(response_type="ephemeral", replace_original=False, **message)

    app.action(POST_ACTION)(on_post)
    app.action(MORE_ACTION)(on_more)
    return app


async def start_socket_mode(app: AsyncApp, app_token: str) -> Callable[[], Awaitable[None]]:
    """Connect over Socket Mode (the SDK reconnects after a ``disconnect``); returns the closer."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(app, app_token)
    await handler.connect_async()
    return handler.close_async
