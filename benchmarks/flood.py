"""``python -m benchmarks.flood``: flood a running ``factdesk serve`` on loopback and measure it.

Sends ``--commands`` commands spread evenly over ``--seconds`` (half ``GET /api/ask``, half
signed Slack slash commands from ``--users`` users when ``FACTDESK_SLACK_SIGNING_SECRET`` is
set), at most ``--connections`` at once, while polling ``GET /healthz`` every 100 ms on a
connection of its own (in a thread). It plays Slack's side too: a small server on ``--receiver-port`` takes
the answers posted to each command's ``response_url`` and answers the Web API calls the app
makes (start ``serve`` with ``FACTDESK_SLACK_API_URL=http://127.0.0.1:<port>/api/``). The
report: commands accepted, refused as busy, answered and failed, ``/healthz`` latency (max,
p99) and the server's own count of refusals from ``/metrics``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import http.client
import itertools
import json
import math
import re
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit

import aiohttp
from aiohttp import web

__all__ = ["FloodReport", "Receiver", "flood", "main"]

ASK_COMMANDS = ("/timeline 2019", "/agreement el-salvador", "/search asylum", "/source 1")
SLACK_COMMANDS = (("/timeline", "2019"), ("/agreement", "guatemala"), ("/search", "agreement"))
HEALTH_EVERY_SECONDS = 0.1
HEALTH_TIMEOUT_SECONDS = 5.0
REQUEST_TIMEOUT_SECONDS = 30.0


class Receiver:
    """Slack's side of the conversation: ``response_url`` posts and Web API calls, on loopback."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.answers: dict[str, int] = {}  # response id -> posts received
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)
        self.changed = asyncio.Event()

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/respond/{rid}", self._respond)
        app.router.add_route("*", "/api/{method}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def new_response_url(self) -> tuple[str, str]:
        rid = str(next(self._ids))
        return rid, f"http://127.0.0.1:{self.port}/respond/{rid}"

    async def _respond(self, request: web.Request) -> web.Response:
        rid = request.match_info["rid"]
        await request.read()
        self.answers[rid] = self.answers.get(rid, 0) + 1
        self.changed.set()
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        await request.read()
        body = {"ok": True, "team_id": "T0FLOOD", "user_id": "U0BOT", "bot_id": "B0BOT", "team": "flood"}
        return web.json_response(body)


@dataclass
class FloodReport:
    commands: int = 0
    seconds: float = 0.0
    accepted: int = 0  # started by the server (an /api/ask answer, or a Slack ack without "busy")
    rejected: int = 0  # refused as busy: a 429, or a Slack ack saying busy
    answered: int = 0  # accepted commands whose answer arrived (/api/ask body, Slack response_url)
    failed: int = 0  # anything else: an error status, a timeout, a refused connection
    failures: list[str] = field(default_factory=list)
    health_latencies: list[float] = field(default_factory=list)
    health_failures: int = 0
    rejected_metric: float | None = None

    @property
    def health_max(self) -> float:
        return max(self.health_latencies, default=math.inf)

    @property
    def health_p99(self) -> float:
        ordered = sorted(self.health_latencies)
        if not ordered:
            return math.inf
        return ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]

    def lines(self) -> list[str]:
        return [
            f"commands sent: {self.commands} in {self.seconds:.1f} s ({self.commands / self.seconds:,.0f}/s)",
            f"accepted: {self.accepted}, answered: {self.answered}, rejected as busy: {self.rejected},"
            f" failed: {self.failed}",
            f"server's count of rejections (factdesk_commands_rejected_total): {self.rejected_metric}",
            f"/healthz: {len(self.health_latencies)} polls, max {self.health_max * 1000:.0f} ms,"
            f" p99 {self.health_p99 * 1000:.0f} ms, failed {self.health_failures}",
        ]


def _sign(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def _poll_health(base: str, stop: threading.Event, report: FloodReport) -> None:
    """``GET /healthz`` every 100 ms on a new connection (as a container health check does), in
    a thread of its own: the flood's event loop must not delay the measurement."""
    url = urlsplit(base)
    while not stop.is_set():
        started = time.perf_counter()
        conn = http.client.HTTPConnection(
            url.hostname or "127.0.0.1", url.port or 80, timeout=HEALTH_TIMEOUT_SECONDS
        )
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        report.health_latencies.append(elapsed)
        report.health_failures += 0 if ok else 1
        stop.wait(max(0.0, HEALTH_EVERY_SECONDS - elapsed))


async def _rejected_metric(session: aiohttp.ClientSession, base: str) -> float:
    async with session.get(f"{base}/metrics") as resp:
        text = await resp.text()
    found = re.findall(r"^factdesk_commands_rejected_total\{[^}]*\} ([0-9.e+]+)$", text, re.M)
    return sum(float(v) for v in found)


async def flood(
    base: str,
    receiver: Receiver,
    *,
    commands: int,
    seconds: float,
    slack_secret: str | None,
    users: int = 50,
    connections: int = 500,
    drain_seconds: float = 30.0,
) -> FloodReport:
    """Flood ``base`` (``http://127.0.0.1:PORT``) and report; see the module docstring."""
    report = FloodReport(commands=commands)
    slack_answers: list[str] = []  # response ids of Slack commands the server accepted
    stop_health = threading.Event()
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)

    def fail(what: str) -> None:
        report.failed += 1
        if len(report.failures) < 20:
            report.failures.append(what)

    async def ask(session: aiohttp.ClientSession, i: int) -> None:
        line = ASK_COMMANDS[i % len(ASK_COMMANDS)]
        async with session.get(f"{base}/api/ask?command={quote(line)}") as resp:
            body = await resp.read()
            if resp.status == 429 and resp.headers.get("Retry-After"):
                report.rejected += 1
            elif resp.status in (200, 400) and json.loads(body).get("command"):
                report.accepted += 1
                report.answered += 1
            else:
                fail(f"/api/ask {resp.status}")

    async def slash(session: aiohttp.ClientSession, i: int, secret: str) -> None:
        command, text = SLACK_COMMANDS[i % len(SLACK_COMMANDS)]
        rid, response_url = receiver.new_response_url()
        user = f"U{i % users:04d}"
        body = urlencode(
            {
                "command": command,
                "text": text,
                "user_id": user,
                "user_name": user.lower(),
                "channel_id": "C0FLOOD",
                "team_id": "T0FLOOD",
                "trigger_id": f"flood-{time.time_ns()}-{i}",
                "response_url": response_url,
            }
        )
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": _sign(secret, timestamp, body),
        }
        async with session.post(f"{base}/slack/events", data=body, headers=headers) as resp:
            text_body = await resp.text()
            if resp.status != 200:
                fail(f"/slack/events {resp.status}")
            elif "busy" in text_body:
                report.rejected += 1
            else:
                report.accepted += 1
                slack_answers.append(rid)

    async def one(session: aiohttp.ClientSession, i: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        try:
            if slack_secret and i % 2:
                await slash(session, i, slack_secret)
            else:
                await ask(session, i)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            fail(type(exc).__name__)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        health = threading.Thread(target=_poll_health, args=(base, stop_health, report), daemon=True)
        health.start()
        started = time.perf_counter()
        step = seconds / max(commands, 1)
        await asyncio.gather(*(one(session, i, started + i * step) for i in range(commands)))
        report.seconds = time.perf_counter() - started
        deadline = time.perf_counter() + drain_seconds
        while time.perf_counter() < deadline and any(rid not in receiver.answers for rid in slack_answers):
            receiver.changed.clear()
            try:
                await asyncio.wait_for(receiver.changed.wait(), max(0.0, deadline - time.perf_counter()))
            except TimeoutError:
                break
        stop_health.set()
        await asyncio.to_thread(health.join)
        report.answered += sum(1 for rid in slack_answers if rid in receiver.answers)
        report.rejected_metric = await _rejected_metric(session, base)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: prints the report; exits 1 if a command failed or ``/healthz`` took over 1 s."""
    from bot.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m benchmarks.flood", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:3000", help="the running serve (loopback)")
    parser.add_argument("--commands", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--users", type=int, default=50, help="distinct Slack users sending")
    parser.add_argument("--connections", type=int, default=500, help="connections open at once at most")
    parser.add_argument("--receiver-port", type=int, default=3999, help="where Slack's side listens")
    args = parser.parse_args(argv)
    settings = Settings()
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None

    async def run() -> FloodReport:
        receiver = await Receiver(args.receiver_port).start()
        try:
            return await flood(
                args.url.rstrip("/"),
                receiver,
                commands=args.commands,
                seconds=args.seconds,
                slack_secret=secret,
                users=args.users,
                connections=args.connections,
            )
        finally:
            await receiver.stop()

    report = asyncio.run(run())
    print("\n".join(report.lines()))
    for failure in report.failures:
        print(f"  failure: {failure}", file=sys.stderr)
    ok = report.failed == 0 and report.health_failures == 0 and report.health_max < 1.0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
