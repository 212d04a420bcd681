"""A console on the same command core: type ``/agreement el-salvador``, read the answer."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import TextIO

from bot.desk import Desk
from bot.render_text import render_text
from bot.requests import parse_command_line

__all__ = ["BANNER", "run_console"]

BANNER = """factdesk console — cited answers from the documents in the store.
Type a command such as /agreement el-salvador, /timeline 2019, /search asylum, /ask who signed?,
/source 1 or /factdesk help. Ctrl-D (or /quit) leaves.
No Slack or Discord token is set: this console is the only surface running."""


async def run_console(desk: Desk, stdin: TextIO, stdout: TextIO, *, prompt: str = "factdesk> ") -> bool:
    """Read commands line by line until end of input (``False``) or ``/quit`` (``True``); each
    answer is printed as text."""
    stdout.write(BANNER + "\n")
    lines = _reader(stdin)
    while True:
        stdout.write(prompt)
        stdout.flush()
        line = await lines.get()
        if not line:
            stdout.write("\n")
            return False
        line = line.strip()
        if not line:
            continue
        if line in {"/quit", "/exit", "quit", "exit"}:
            return True
        if not line.startswith("/"):
            line = "/ask " + line
        request = parse_command_line(line, actor="console:local")
        answer = await desk.handle(request)
        stdout.write(render_text(answer) + "\n\n")


def _reader(stdin: TextIO) -> asyncio.Queue[str]:
    """Lines of ``stdin`` read by a daemon thread ("" at the end): a blocked read never keeps the
    process from stopping on a signal, as a worker thread of the event loop would."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def put(line: str) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody is listening
            loop.call_soon_threadsafe(queue.put_nowait, line)

    def pump() -> None:
        for line in iter(stdin.readline, ""):
            put(line)
        put("")

    threading.Thread(target=pump, name="factdesk-console", daemon=True).start()
    return queue
