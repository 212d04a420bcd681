"""``/digest``: this channel's scheduled digest (preview; editors subscribe, unsubscribe, post now)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.invocation import Invocation, Options
from facts.answers.contract import Answer
from facts.errors import UsageError

__all__ = [
    "DIGEST_ACTIONS",
    "DIGEST_ADMIN_ACTIONS",
    "DIGEST_USAGE",
    "DigestArgs",
    "digest_options",
    "parse_digest",
    "run_digest",
]

DIGEST_ACTIONS = ("preview", "subscribe", "unsubscribe", "now")
DIGEST_ADMIN_ACTIONS = frozenset({"subscribe", "unsubscribe", "now"})
DIGEST_USAGE = "/digest preview | subscribe [cron] [timezone] | unsubscribe | now"
DEFAULT_SCHEDULE = "0 9 * * 1-5"
DEFAULT_ZONE = "UTC"


@dataclass(frozen=True)
class DigestArgs:
    """A ``/digest`` command; ``action`` is what authorisation checks. ``schedule`` and
    ``timezone`` (for ``subscribe``) are None when not given: weekdays at 09:00, UTC."""

    action: str
    schedule: str | None = None
    timezone: str | None = None

    def text(self) -> str:
        return " ".join(filter(None, (self.action, self.schedule, self.timezone)))


def _digest_args(action: str, words: list[str]) -> DigestArgs:
    """``0 9 * * 1-5 Europe/Madrid`` -> (cron, zone); the zone is the word with a ``/`` (or UTC)."""
    action = action.lower()
    if action not in DIGEST_ACTIONS:
        raise UsageError(f"'{action[:30]}' is not a /digest action.")
    zone = None
    if words and ("/" in words[-1] or words[-1].upper() in {"UTC", "GMT"}):
        zone = words.pop()
    return DigestArgs(action, " ".join(words) or None, zone)


def parse_digest(text: str) -> DigestArgs:
    words = text.split()
    return _digest_args(words[0] if words else "preview", words[1:])


def digest_options(values: Options) -> DigestArgs:
    words = [w for name in ("schedule", "timezone") for w in str(values.get(name) or "").split()]
    return _digest_args(str(values.get("action") or "preview"), words)


async def run_digest(args: DigestArgs, invocation: Invocation) -> Answer:
    request, digests = invocation.request, invocation.digests
    action = args.action
    channel = request.channel
    if not channel or channel.partition(":")[0] not in {"slack", "discord"}:
        raise UsageError("Digests go to Slack or Discord channels: use /digest there.")
    if digests is None:
        raise UsageError("Digests are not running here; start factdesk serve with Slack or Discord.")
    if action == "preview":
        return await digests.preview(channel)
    if action == "subscribe":
        schedule, zone = args.schedule or DEFAULT_SCHEDULE, args.timezone or DEFAULT_ZONE
        await digests.subscribe(channel, schedule, zone, origin="command", actor=request.actor)
        return Answer(
            title="Digest subscribed",
            notes=[f"This channel gets a digest on '{schedule}' ({zone}); /digest unsubscribe stops it."],
        )
    if action == "unsubscribe":
        stopped = await invocation.store.unsubscribe_digest(channel, actor=request.actor)
        note = "This channel gets no more digests." if stopped else "This channel had no digest."
        return Answer(title="Digest unsubscribed" if stopped else "No digest", notes=[note])
    outcome = await digests.send_now(channel)
    title = "Digest posted" if outcome.endswith("sent") else "Digest"
    return Answer(title=title, notes=[outcome])
