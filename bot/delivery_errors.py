"""One mapping from a platform's failures to :class:`DeliveryError`, shared by Slack and Discord
(the idea of httpx's ``map_exceptions``): a context manager around the platform call.

Example::

    with map_delivery_errors("Slack", SlackApiError, slack_status):
        await client.chat_postMessage(...)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import aiohttp

from bot.digest_scheduler import DeliveryError

__all__ = ["map_delivery_errors"]

E = TypeVar("E", bound=BaseException)


@contextmanager
def map_delivery_errors(
    platform: str, api_error: type[E], describe: Callable[[E], tuple[int, str]]
) -> Iterator[None]:
    """Turn what the block raises into :class:`DeliveryError`. ``describe`` gives an API error's
    HTTP status and its words: transient (safe to retry) when rate limited or a server error.
    No connection at all is transient; a connection lost midway leaves the outcome unknown, so
    it is not (a retry could post twice)."""
    try:
        yield
    except api_error as exc:
        status, detail = describe(exc)
        transient = status == 429 or status >= 500
        raise DeliveryError(f"{platform}: {detail}", transient=transient) from exc
    except (aiohttp.ClientConnectorError, ConnectionRefusedError) as exc:
        raise DeliveryError(f"{platform} unreachable: {exc}", transient=True) from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DeliveryError(f"{platform}: outcome unknown: {type(exc).__name__}", transient=False) from exc
