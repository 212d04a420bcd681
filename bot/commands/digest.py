"""``/digest``: this channel's scheduled digest (preview; editors subscribe, unsubscribe, post now)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.requests import Request
from facts.answers.contract import Answer
from facts.errors import UsageError
from facts.store.sqlite_store import FactStore

if TYPE_CHECKING:
    from bot.digest_scheduler import DigestScheduler

__all__ = [
    "DIGEST_ACTIONS",
    "DIGEST_ADMIN_ACTIONS",
    "DIGEST_USAGE",
    "DigestArgs",
    "digest_command",
    "parse_digest",
]

DIGEST_ACTIONS = ("preview", "subscribe", "unsubscribe", "now")
DIGEST_ADMIN_ACTIONS = frozenset({"subscribe", "unsubscribe", "now"})
DIGEST_USAGE = "/digest preview | subscribe [cron] [timezone] | unsubscribe | now"
DEFAULT_SCHEDULE = "0 9 * * 1-5"


def _schedule_and_zone(words: list[str], default_zone: str) -> tuple[str, str]:
    """``0 9 * * 1-5 Europe/Madrid`` -> (cron, zone); the zone is the word with a ``/`` (or UTC)."""
    zone = default_zone
    if words and ("/" in words[-1] or words[-1].upper() in {"UTC", "GMT"}):
        zone = words.pop()
    schedule = " ".join(words) or DEFAULT_SCHEDULE
    return schedule, zone


@dataclass(frozen=True)
class DigestArgs:
    """A ``/digest`` command as its one parser read it; ``action`` is what authorisation checks."""

    action: str
    words: tuple[str, ...]


def parse_digest(text: str) -> DigestArgs:
    words = text.split()
    action = words[0].lower() if words else "preview"
    if action not in DIGEST_ACTIONS:
        raise UsageError(f"'{action[:30]}' is not a /digest action.")
    return DigestArgs(action, tuple(words[1:]))


async def digest_command(
    store: FactStore, args: DigestArgs, command: str, request: Request, digests: DigestScheduler | None
) -> Answer:
    action = args.action
    channel = request.channel
    if not channel or channel.partition(":")[0] not in {"slack", "discord"}:
        raise UsageError("Digests go to Slack or Discord channels: use /digest there.")
    if digests is None:
        raise UsageError("Digests are not running here; start factdesk serve with Slack or Discord.")
    if action == "preview":
        return await digests.preview(channel)
    if action == "subscribe":
        schedule, zone = _schedule_and_zone(list(args.words), "UTC")
        await digests.subscribe(channel, schedule, zone, origin="command", actor=request.actor)
        return Answer(
            command=command,
            title="Digest subscribed",
            notes=[f"This channel gets a digest on '{schedule}' ({zone}); /digest unsubscribe stops it."],
        )
    if action == "unsubscribe":
        stopped = await store.unsubscribe_digest(channel, actor=request.actor)
        note = "This channel gets no more digests." if stopped else "This channel had no digest."
        return Answer(command=command, title="Digest unsubscribed" if stopped else "No digest", notes=[note])
    outcome = await digests.send_now(channel)
    title = "Digest posted" if outcome.endswith("sent") else "Digest"
    return Answer(command=command, title=title, notes=[outcome])
