"""A console on the same command core: type ``/agreement el-salvador``, read the answer."""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.handler import handle
from bot.render_text import render_text
from bot.requests import parse_command_line
from facts.store import FactStore

__all__ = ["BANNER", "run_console"]

BANNER = """factdesk console — cited answers from the documents in the store.
Type a command such as /agreement el-salvador, /timeline 2019, /search asylum, /ask who signed?,
/source 1 or /factdesk help. Ctrl-D (or /quit) leaves.
No Slack or Discord token is set: this console is the only surface running."""


async def run_console(store: FactStore, stdin: TextIO, stdout: TextIO, *, prompt: str = "factdesk> ") -> None:
    """Read commands line by line until end of input; each answer is printed as text."""
    stdout.write(BANNER + "\n")
    while True:
        stdout.write(prompt)
        stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            stdout.write("\n")
            return
        line = line.strip()
        if not line:
            continue
        if line in {"/quit", "/exit", "quit", "exit"}:
            return
        if not line.startswith("/"):
            line = "/ask " + line
        answer = await handle(parse_command_line(line, actor="console:local"), store)
        stdout.write(render_text(answer) + "\n\n")
