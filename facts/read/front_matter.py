"""Front matter read with limits: a size cap, no YAML aliases or anchors, bounded nesting.

A 466-byte YAML "billion laughs" (an anchor expanded through nested aliases) once took
minutes and gigabytes; a deeply nested list overflowed the stack. Metadata needs none of that,
so the YAML loader refuses aliases and anchors outright and stops at a nesting depth, and
TOML or YAML is only parsed once its text is known to be small.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml

from facts.read.limits import DEFAULT_LIMITS, ReadLimits

__all__ = ["FrontMatterError", "load_toml", "load_yaml", "split_front_matter"]

_FENCE = re.compile(r"^(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n(---|\+\+\+)[ \t]*(?:\r?\n|$)(.*)$", re.S)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class FrontMatterError(ValueError):
    """Front matter that cannot or may not be read; the message says why, in one line."""


class _LimitedLoader(yaml.SafeLoader):
    """Safe YAML without aliases, anchors or deep nesting, and without implicit timestamps:
    dates stay text, so the publication date is read as written (its zone included), by
    :mod:`facts.read.published`."""

    max_depth = 20

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise FrontMatterError("YAML aliases (*name) are not allowed in front matter")
        if getattr(event, "anchor", None) is not None:
            raise FrontMatterError("YAML anchors (&name) are not allowed in front matter")
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise FrontMatterError(f"nested more than {self.max_depth} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_LimitedLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, *, max_depth: int = 20) -> Any:
    """``text`` as YAML under the limits above."""
    loader = _LimitedLoader(text)
    loader.max_depth = max_depth
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FrontMatterError(first) from None
    finally:
        loader.dispose()


def load_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrontMatterError(str(exc)) from None
    except RecursionError:
        raise FrontMatterError("nested too deeply") from None


def split_front_matter(raw: str, limits: ReadLimits = DEFAULT_LIMITS) -> tuple[Any, str]:
    """``---``-fenced YAML or ``+++``-fenced TOML, and the body byte for byte after it."""
    m = _FENCE.match(raw)
    if not m or m.group(1) != m.group(3):
        raise FrontMatterError(f"no closing {raw[:3]} line")
    header = m.group(2)
    size = len(header.encode("utf-8"))
    if size > limits.max_front_matter_bytes:
        raise FrontMatterError(f"{size:,} bytes, over the {limits.max_front_matter_bytes:,}-byte limit")
    if m.group(1) == "+++":
        return load_toml(header), m.group(4)
    return load_yaml(header, max_depth=limits.max_depth), m.group(4)
