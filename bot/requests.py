"""The neutral request every surface (CLI, console, Slack, Discord) turns its input into."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Request", "clean_text", "parse_command_line", "without_surrogates"]

_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)


@dataclass(frozen=True)
class Request:
    """``actor`` is platform-qualified (``slack:U123``, ``discord:42``, ``cli:local``)."""

    command: str
    text: str
    actor: str = "cli:local"
    channel: str | None = None
    roles: tuple[str, ...] = ()  # the actor's role ids where the platform has roles (Discord)

    @property
    def platform(self) -> str:
        return self.actor.partition(":")[0]


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """Lone surrogates (a JSON ``\\ud800``) cannot be encoded anywhere: each becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def clean_text(text: str) -> str:
    """NFKC-normalise, drop control and invisible characters, collapse whitespace."""
    text = unicodedata.normalize("NFKC", without_surrogates(text))
    text = _INVISIBLE.sub(" ", text)
    return " ".join(text.split())


def parse_command_line(line: str, *, actor: str = "cli:local", channel: str | None = None) -> Request:
    """``"/agreement el-salvador"`` -> Request(command="agreement", text="el-salvador")."""
    line = clean_text(line)
    head, _, rest = line.partition(" ")
    return Request(command=head.lstrip("/").lower(), text=rest.strip(), actor=actor, channel=channel)
