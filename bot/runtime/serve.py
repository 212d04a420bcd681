"""``factdesk serve``: every configured surface in one event loop, stopped cleanly on a signal.

Slack runs over HTTP (bolt's aiohttp app on ``FACTDESK_HTTP_HOST:FACTDESK_HTTP_PORT``, with
``GET /healthz``) or Socket Mode (when ``FACTDESK_SLACK_APP_TOKEN`` is set). With no platform
configured, a console on the same command core runs on the terminal instead. Every command
of every surface passes one :class:`~bot.backpressure.Limiter`; ``/healthz`` and ``/metrics``
do not, and the health check reads the store on its own connection, never queued behind
commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.backpressure import BUSY, RETRY_AFTER_SECONDS, Limiter
from bot.desk import Desk
from bot.digest_scheduler import DigestScheduler
from bot.feed_poller import FeedPoller, feed_time
from bot.handler import handle
from bot.invocation import Context
from bot.observability import metrics_text
from bot.posted_answers import PostedAnswers
from bot.requests import parse_command_line
from bot.runtime.heap import settle
from bot.settings import Settings, SetupError
from facts.answers.contract import Answer
from facts.errors import ErrorCode, FactdeskError
from facts.store.opening import AnyStore, open_store

__all__ = ["HOW_TO_CONFIGURE", "Services", "serve"]

log = logging.getLogger("factdesk.serve")

HOW_TO_CONFIGURE = """To answer in Slack, set FACTDESK_SLACK_BOT_TOKEN and FACTDESK_SLACK_SIGNING_SECRET
(HTTP, on FACTDESK_HTTP_PORT) or also FACTDESK_SLACK_APP_TOKEN (Socket Mode); see README, "Slack".
To answer in Discord, set FACTDESK_DISCORD_TOKEN; see README, "Discord"."""

Cleanup = Callable[[], Awaitable[None]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HEALTH_STORE_TIMEOUT_SECONDS = 2.0
PROBE_EVERY_SECONDS = 1.0  # the store is read this often in the background for /healthz
PROBE_FRESH_SECONDS = 5.0  # a background reading older than this is not trusted


class Services:
    """The running surfaces. ``start()`` brings them up, ``stop()`` takes them down in reverse."""

    def __init__(
        self,
        settings: Settings,
        store: AnyStore,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        run_digests: bool = True,
    ) -> None:
        self.settings = settings
        self.store = store
        self.digests = DigestScheduler(
            store, senders={}, clock=clock or (lambda: dt.datetime.now(dt.UTC)), empty=settings.digest_empty
        )
        self.run_digests = run_digests
        self.run_feeds = run_digests  # the same switch: tests that drive ticks themselves turn both off
        self.feeds = FeedPoller(
            store,
            clock or (lambda: dt.datetime.now(dt.UTC)),
            every=dt.timedelta(minutes=settings.feed_poll_minutes),
            policy=settings.fetch_policy(),
        )
        self.limiter: Limiter = settings.limiter()  # one for every surface of the process
        # What the chat surfaces run commands through: they never hold the store.
        self.posted = PostedAnswers(store)  # answers posted in channels, edited after a correction
        self.digests.posted = self.posted
        context = Context(
            access=settings.access(), digests=self.digests, fetch=settings.fetch_policy(), posted=self.posted
        )
        self.desk = Desk(store, context)
        self._store_probe: tuple[float, str] | None = None  # (monotonic time, "ok" | "unreachable")
        self.http_port: int | None = None
        self.discord: Any = None  # the discord.py client, once started
        self.surfaces: list[str] = []
        self._cleanups: list[Cleanup] = []

    async def start(self, *, http: bool = True) -> None:
        """Every configured surface; the HTTP server (Slack events in HTTP mode, ``/healthz``,
        ``/metrics``, ``/api/ask``) unless ``http`` is false."""
        slack_http: web.Application | None = None
        if self.settings.slack_enabled:
            slack_http = await self._start_slack()
        if self.settings.discord_enabled:
            await self._start_discord()
        if self.digests.senders:
            await self._start_digests()
        await self._start_feeds()
        if http or slack_http is not None:
            await self._start_http(slack_http or web.Application())

    async def _start_digests(self) -> None:
        listed = set(self.settings.digest_channels)
        for sub in await self.store.digest_subscriptions():
            if sub.origin == "settings" and sub.channel not in listed:  # taken out of the settings
                await self.store.unsubscribe_digest(sub.channel, actor="settings")
        for channel in self.settings.digest_channels:
            if channel.partition(":")[0] not in self.digests.senders:
                log.warning("digest channel %s: its platform is not configured; skipped", channel)
                continue
            await self.digests.subscribe(
                channel,
                self.settings.digest_schedule,
                self.settings.digest_timezone,
                origin="settings",
                actor="settings",
            )
        if self.run_digests:
            self._in_background("digests", self.digests.run)

    def _in_background(
        self, name: str, run: Callable[[asyncio.Event], Awaitable[None]], *, listed: bool = True
    ) -> None:
        """``run(stop)`` as a task until the services stop (its stop event is set, then awaited);
        ``listed``: named among the surfaces serving."""
        stop = asyncio.Event()
        task = asyncio.create_task(run(stop), name=f"factdesk-{name}")

        async def close() -> None:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

        self._cleanups.append(close)
        if listed:
            self.surfaces.append(name)

    async def _start_feeds(self) -> None:
        """Follow ``FACTDESK_FEEDS`` and the feeds added with ``factdesk feed add`` (also while
        serving): each polled when due, checked every minute."""
        listed = set(self.settings.feeds)
        for feed in await self.store.feeds():
            if feed.origin == "settings" and feed.url not in listed:  # taken out of the settings
                await self.store.remove_feed(feed.url)
        now = feed_time(self.feeds.clock())
        for url in self.settings.feeds:
            try:
                await self.store.add_feed(url, origin="settings", added_by="settings", now=now)
            except FactdeskError as exc:
                log.warning("FACTDESK_FEEDS: %s; skipped", exc)
        if self.run_feeds:  # also with no feed yet: `factdesk feed add` may add one while serving
            self._in_background("feeds", self.feeds.run, listed=bool(await self.store.feeds()))

    async def _start_discord(self) -> None:
        from bot.surfaces.discord.discordpy_shim import point_at
        from bot.surfaces.discord.sharding import discord_client, shards_shown, stop_orphan_heartbeats

        assert self.settings.discord_token is not None
        point_at(self.settings)
        client = discord_client(self.settings, self.desk, limiter=self.limiter)
        self.discord = client
        self.digests.senders["discord"] = client.send_digest
        self.posted.editors["discord"] = client.edit_posted
        await client.login(self.settings.discord_token.get_secret_value())  # a bad token fails here
        # Only one process on a store need hold the gateway (commands, mentions, buttons), or one
        # per range of shards (FACTDESK_DISCORD_SHARD_IDS); the others post digests and edit
        # posted answers over REST (FACTDESK_DISCORD_GATEWAY=false).
        gateway = self.settings.discord_gateway
        task = asyncio.create_task(client.connect(), name="factdesk-discord") if gateway else None

        async def close() -> None:
            await client.close()
            if task is not None:
                # Closed while shards are still being launched, discord.py's AutoShardedClient
                # would go on retrying to launch them every five seconds, for ever.
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            stop_orphan_heartbeats(asyncio.get_running_loop())

        self._cleanups.append(close)
        shards = shards_shown(self.settings)
        if not gateway:
            self.surfaces.append("discord (REST only)")
        else:
            self.surfaces.append(f"discord ({shards})" if shards else "discord")

    async def _start_slack(self) -> web.Application | None:
        from bot.surfaces.slack.app import (
            build_slack_app,
            slack_client,
            slack_editor,
            slack_sender,
            slack_web_app,
            start_socket_mode,
        )

        app = build_slack_app(self.settings, self.desk, limiter=self.limiter)
        self.digests.senders["slack"] = slack_sender(slack_client(self.settings, wait_out_rate_limits=False))
        self.posted.editors["slack"] = slack_editor(slack_client(self.settings))
        if self.settings.slack_socket_mode:
            assert self.settings.slack_app_token is not None
            close = await start_socket_mode(app, self.settings.slack_app_token.get_secret_value())
            self._cleanups.append(close)
            self.surfaces.append("slack (socket mode)")
            return None
        self.surfaces.append("slack (http)")
        return slack_web_app(app, self.settings, self.limiter, path="/slack/events")

    async def _start_http(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/api/ask", self._limited(self._ask))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.http_host, self.settings.http_port)
        try:
            await site.start()
        except OSError as exc:  # the port is taken: the other surfaces still run
            log.error(
                "HTTP server not started on %s:%s: %s", self.settings.http_host, self.settings.http_port, exc
            )
            await runner.cleanup()
            return
        addresses = runner.addresses  # (host, port, ...) of each bound socket; port 0 = any free one
        self.http_port = addresses[0][1] if addresses else self.settings.http_port
        self.surfaces.append(f"http (port {self.http_port})")
        self._cleanups.append(runner.cleanup)
        stopping = asyncio.Event()
        prober = asyncio.create_task(self._probe_store_forever(stopping), name="factdesk-health-probe")

        async def stop_probing() -> None:
            # The event ends the loop even if a cancellation is swallowed on the way (a library
            # that catches it, or a probe finishing at the very moment it is cancelled).
            stopping.set()
            prober.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await prober

        self._cleanups.append(stop_probing)

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=metrics_text(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    def _limited(self, handler: Handler) -> Handler:
        """``handler`` behind the limiter, keyed by the client's address: over it, a 429 with
        ``Retry-After`` and the JSON contract's ``busy`` error, before any store work."""

        async def limited(request: web.Request) -> web.StreamResponse:
            slot = self.limiter.try_acquire(f"http:{request.remote or 'unknown'}")
            if slot is None:
                line = request.query.get("command", "")[:200]
                busy = Answer.failure(line, ErrorCode.BUSY, BUSY).to_json()
                headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
                return web.json_response(busy, status=429, headers=headers)
            with slot:
                return await handler(request)

        return limited

    async def _ask(self, request: web.Request) -> web.Response:
        """``GET /api/ask?command=/timeline 2019``: the JSON answer contract over HTTP (read-only
        commands; changes go through an editor's chat account or the command line)."""
        line = request.query.get("command", "")
        parsed = parse_command_line(line, actor="http:anonymous")
        answer = await handle(parsed, self.store, context=Context(digests=None))
        return web.json_response(
            answer.to_json(), status=400 if answer.error and answer.error.code != ErrorCode.NOT_FOUND else 200
        )

    async def health(self) -> dict[str, Any]:
        """The store reachable and every surface connected."""
        checks: dict[str, str] = {"store": await self._store_check()}
        if self.discord is not None:
            checks["discord"] = (
                "ok" if self.discord.is_ready() and not self.discord.is_closed() else "connecting"
            )
        if self.settings.slack_enabled:
            checks["slack"] = "ok"
        return {"ok": all(v == "ok" for v in checks.values()), "checks": checks, "surfaces": self.surfaces}

    async def _store_check(self) -> str:
        """``ok`` or ``unreachable``: the background reading when it is fresh (so ``/healthz``
        answers without waiting on a thread or the store under load), else a reading now."""
        if not self.store.is_open():
            return "unreachable"
        if self._store_probe is not None and time.monotonic() - self._store_probe[0] < PROBE_FRESH_SECONDS:
            return self._store_probe[1]
        return await self._read_store()

    async def _read_store(self) -> str:
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for drops a cancellation that
            # arrives as the probe completes, and serve's shutdown then waited forever.
            async with asyncio.timeout(HEALTH_STORE_TIMEOUT_SECONDS):
                await self._probe_store()
            result = "ok"
        except Exception as exc:  # the reply says what is wrong; the log has the detail
            log.warning("health check: store unreachable: %s", exc)
            result = "unreachable"
        self._store_probe = (time.monotonic(), result)
        return result

    async def _probe_store_forever(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            await self._read_store()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(PROBE_EVERY_SECONDS):
                    await stopping.wait()

    async def _probe_store(self) -> None:
        """One read on a connection of its own (the store's ``probe``): the store's own
        connection serves commands one query at a time, and a health check queued behind them
        would time out exactly when the service is busy, not down."""
        await self.store.probe()

    async def _healthz(self, request: web.Request) -> web.Response:
        report = await self.health()
        return web.json_response(report, status=200 if report["ok"] else 503)

    async def stop(self) -> None:
        await self.posted.settle()  # edits under way finish before their surfaces close
        while self._cleanups:
            cleanup = self._cleanups.pop()
            with contextlib.suppress(Exception):
                await cleanup()


def _console_ended(task: asyncio.Task[bool], stdin: TextIO, services: Services, stop: asyncio.Event) -> None:
    """``/quit``, or the end of a terminal's input (Ctrl-D), stops factdesk. The end of input
    that is not a terminal (``</dev/null`` in a container or under systemd) leaves the HTTP
    server serving until SIGTERM/SIGINT."""
    quit_asked = not task.cancelled() and task.exception() is None and task.result()
    if quit_asked or _is_terminal(stdin) or services.http_port is None:
        stop.set()
    else:
        log.info("no terminal input: serving HTTP until SIGTERM or SIGINT")


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (ValueError, OSError):  # closed
        return False


async def serve(
    settings: Settings,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stop: asyncio.Event | None = None,
    started: Callable[[Services], None] | None = None,
) -> int:
    """Run until SIGINT/SIGTERM (or ``stop`` is set, or the console is left: see
    :func:`_console_ended`)."""
    from bot.surfaces.console import run_console

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    store = await open_store(
        settings.db, bundled_corpus=settings.bundled_corpus, memory_mb=settings.store_memory_mb
    )
    services = Services(settings, store)
    console: asyncio.Task[None] | None = None
    try:
        try:
            await services.start()
        except SetupError as exc:  # a configuration that must not run: one line, exit 2
            print(f"factdesk: {exc}", file=sys.stderr, flush=True)
            return 2
        settle()  # everything loaded: the start-up heap is frozen (bot/runtime/heap.py)
        print(
            f"factdesk serving: {', '.join(services.surfaces) or 'console'}. Ctrl-C stops.",
            file=stdout,
            flush=True,
        )
        if not (settings.slack_enabled or settings.discord_enabled):
            print(HOW_TO_CONFIGURE, file=stdout, flush=True)
            desk = Desk(store, Context(fetch=settings.fetch_policy()))  # the machine's own user: the desk
            console = asyncio.create_task(run_console(desk, stdin, stdout))
            console.add_done_callback(lambda task: _console_ended(task, stdin, services, stop))
        if started:
            started(services)
        await stop.wait()
    finally:
        if console is not None and not console.done():
            console.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await console
        await services.stop()
        await store.close()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
    return 0
