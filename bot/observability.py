"""Metrics (Prometheus text on ``GET /metrics``) and the one log line per command.

The registry is factdesk's own, not prometheus-client's process-global default, so what
``/metrics`` shows is exactly what factdesk counts.
"""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = [
    "REGISTRY",
    "command_done",
    "command_rejected",
    "digest_done",
    "error_seen",
    "metrics_text",
    "setup_logging",
]

REGISTRY = CollectorRegistry(auto_describe=True)
COMMANDS = Counter(
    "factdesk_commands",
    "Commands answered, by command, outcome and platform.",
    ["command", "outcome", "platform"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "factdesk_command_seconds",
    "Time to answer a command, by command.",
    ["command"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
DIGESTS = Counter(
    "factdesk_digests",
    "Digest runs, by platform and outcome (sent, empty, failed, unknown).",
    ["platform", "outcome"],
    registry=REGISTRY,
)
REJECTED = Counter(
    "factdesk_commands_rejected",
    "Commands refused as busy (too many in flight), by platform and by which bound: process or user.",
    ["platform", "scope"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "factdesk_errors", "Unexpected errors, by where they happened.", ["where"], registry=REGISTRY
)

log = logging.getLogger("factdesk.commands")


FEED_ITEMS = Counter(
    "factdesk_feed_items",
    "Feed items handled by the poller, by outcome (added, new_version, unchanged, failed).",
    ["outcome"],
    registry=REGISTRY,
)
FEEDS_FAILING = Gauge(
    "factdesk_feeds_failing", "Feeds whose last poll failed (they back off).", registry=REGISTRY
)


def feed_item_done(outcome: str) -> None:
    FEED_ITEMS.labels(outcome=outcome).inc()


def feeds_failing(count: int) -> None:
    FEEDS_FAILING.set(count)


def command_done(command: str, outcome: str, platform: str, seconds: float) -> None:
    COMMANDS.labels(command=command, outcome=outcome, platform=platform).inc()
    LATENCY.labels(command=command).observe(seconds)
    log.info(
        "command %s on %s: %s in %.1f ms",
        command,
        platform,
        outcome,
        seconds * 1000,
        extra={
            "command": command,
            "platform": platform,
            "outcome": outcome,
            "duration_ms": round(seconds * 1000, 1),
        },
    )


def command_rejected(platform: str, scope: str) -> None:
    REJECTED.labels(platform=platform, scope=scope).inc()


def digest_done(platform: str, outcome: str) -> None:
    DIGESTS.labels(platform=platform, outcome=outcome).inc()


def error_seen(where: str) -> None:
    ERRORS.labels(where=where).inc()


def metrics_text() -> bytes:
    return generate_latest(REGISTRY)


def setup_logging(level: str, fmt: str) -> None:
    """factdesk's own loggers at ``level`` (the libraries' at WARNING), as text or JSON lines."""
    handler = logging.StreamHandler()
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        formatter: Any = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    else:
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("factdesk").setLevel(level.upper())
