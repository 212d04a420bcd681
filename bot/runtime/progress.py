"""Progress of a long run on stderr: done/total, percent, rate and ETA, drawn without flooding.

On a terminal one line is redrawn in place (``\\r``) at most every ``interval`` seconds; given a
``schedule`` (an event loop's ``call_later``), a burst of items that ends between two redraws is
drawn when the interval is up instead of waiting for the next item::

    ingest  12,345/100,000 (12%)  153 articles/s  ETA 9m33s

Elsewhere (a log file, a pipe) the same text is printed as a plain line when ``every`` items
or ``plain_seconds`` seconds have passed since the last one, and once at the end. The rate is
taken over the last ``window`` seconds, so a resumed run's fast "unchanged" start does not make
the ETA of the slow rest optimistic. The clock and the stream are injected: tests drive a fake
clock and read a ``StringIO``.

Example::

    progress = Progress(count_items(paths), stream=sys.stderr, schedule=loop.call_later)
    for result in results:
        progress.echo(f"added {result.origin}", sys.stdout)  # keeps the line below the output
        progress.advance()
    progress.finish()
"""

from __future__ import annotations

import sys
import time
import tomllib
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

__all__ = ["Progress", "count_items", "format_duration", "format_rate", "progress_line"]


def format_duration(seconds: float) -> str:
    """``42s``, ``9m32s``, ``2h03m``: whole seconds under an hour, whole minutes above."""
    s = max(0, int(seconds + 0.5))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def format_rate(rate: float) -> str:
    """Whole numbers from 10 a second on, one decimal below (``153``, ``2.5``)."""
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"


def progress_line(
    label: str,
    done: int,
    total: int | None,
    rate: float | None,
    *,
    unit: str = "articles",
    elapsed: float | None = None,
) -> str:
    """The progress text: the ETA when ``elapsed`` is None (still running), else the time taken.

    >>> progress_line("ingest", 12_345, 100_000, 153.0)
    'ingest  12,345/100,000 (12%)  153 articles/s  ETA 9m33s'
    """
    parts = [label]
    if total is None:
        parts.append(f"{done:,}")
    else:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        parts.append(f"{done:,}/{total:,} ({percent}%)")
    if rate is not None:
        parts.append(f"{format_rate(rate)} {unit}/s")
    if elapsed is not None:
        parts.append(f"in {format_duration(elapsed)}")
    elif total is not None and rate is not None:
        left = max(0, total - done)
        if left == 0:
            parts.append("ETA 0s")
        elif rate > 0:
            parts.append(f"ETA {format_duration(left / rate)}")
        else:
            parts.append("ETA ?")
    return "  ".join(parts)


class Progress:
    """One run's progress on ``stream`` (stderr by default); see the module's docstring."""

    def __init__(
        self,
        total: int | None,
        *,
        stream: TextIO | None = None,
        label: str = "ingest",
        unit: str = "articles",
        now: Callable[[], float] = time.monotonic,
        tty: bool | None = None,
        interval: float = 0.25,
        every: int = 1000,
        plain_seconds: float = 10.0,
        window: float = 30.0,
        schedule: Callable[[float, Callable[[], None]], Any] | None = None,
    ) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.label, self.unit = label, unit
        self.now = now
        self.tty = _isatty(self.stream) if tty is None else tty
        self.interval, self.every, self.plain_seconds, self.window = interval, every, plain_seconds, window
        self.schedule = schedule
        self._catch_up_pending = False  # a redraw is scheduled for the end of the interval
        self.done = 0
        self.started = now()
        self._samples: deque[tuple[float, int]] = deque([(self.started, 0)])
        self._shown: str = ""  # the text on the terminal's progress line, "" when none
        self._last_draw = self.started
        self._last_plain = (self.started, 0)
        self._ended = False
        if self.tty:
            self._draw(self.line())

    # ------------------------------------------------------------------ numbers

    def rate(self) -> float | None:
        """Items a second over the last ``window`` seconds; None before any time has passed."""
        t, d = self._samples[0]
        latest_t, latest_d = self._samples[-1]
        if latest_t - t <= 0:
            return None
        return (latest_d - d) / (latest_t - t)

    def eta(self) -> float | None:
        """Seconds left at the current rate; None when the total or the rate is unknown."""
        rate = self.rate()
        if self.total is None or rate is None:
            return None
        left = max(0, self.total - self.done)
        return 0.0 if left == 0 else (left / rate if rate > 0 else None)

    def line(self) -> str:
        return progress_line(self.label, self.done, self.total, self.rate(), unit=self.unit)

    # ------------------------------------------------------------------ output

    def advance(self, n: int = 1) -> None:
        """``n`` more items done; redraws or prints when the throttle allows."""
        self.done += n
        t = self.now()
        if len(self._samples) > 1 and self._samples[-1][0] == t:  # the first one is the base
            self._samples[-1] = (t, self.done)
        else:
            self._samples.append((t, self.done))
        while len(self._samples) > 2 and self._samples[1][0] <= t - self.window:
            self._samples.popleft()
        if self._ended:
            return
        if self.tty:
            if t - self._last_draw >= self.interval:
                self._last_draw = t
                self._draw(self.line())
            elif self.schedule is not None and not self._catch_up_pending:
                self._catch_up_pending = True
                self.schedule(self.interval - (t - self._last_draw), self._catch_up)
        else:
            last_t, last_done = self._last_plain
            if self.done - last_done >= self.every or (
                t - last_t >= self.plain_seconds and self.done > last_done
            ):
                self._last_plain = (t, self.done)
                self._print(self.line())

    def _catch_up(self) -> None:
        """The scheduled redraw: the items done since the last one, if any."""
        self._catch_up_pending = False
        if self._ended:
            return
        text = self.line()
        if text != self._shown:
            self._last_draw = self.now()
            self._draw(text)

    def echo(self, text: str, file: TextIO | None = None) -> None:
        """Print ``text`` (a line of the run's own output) to ``file`` (default: the progress
        stream) without tearing the progress line: on a terminal it is erased, the text printed,
        and the same progress text written back below it."""
        out = file if file is not None else self.stream
        shares_terminal = self.tty and bool(self._shown) and (out is self.stream or _isatty(out))
        if shares_terminal:
            self._erase()
        print(text, file=out)
        if shares_terminal:
            out.flush()
            self._draw(self._shown)

    def finish(self) -> None:
        """The run is complete: the last line, with the overall rate and the time taken."""
        if self._ended:
            return
        self._ended = True
        elapsed = self.now() - self.started
        overall = self.done / elapsed if elapsed > 0 else None
        text = progress_line(self.label, self.done, self.total, overall, unit=self.unit, elapsed=elapsed)
        if self.tty:
            self._draw(text)
            self._end_line()
        else:
            self._print(text)

    def stop(self) -> None:
        """The run was cut short: leave the terminal's line as it stands (with a newline after
        it), print nothing more elsewhere; the caller says what happened."""
        if self._ended:
            return
        self._ended = True
        if self.tty and self._shown:
            self._draw(self.line())
            self._end_line()

    def _draw(self, text: str) -> None:
        pad = " " * max(0, len(self._shown) - len(text))
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()
        self._shown = text

    def _erase(self) -> None:
        self.stream.write("\r" + " " * len(self._shown) + "\r")
        self.stream.flush()

    def _end_line(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
        self._shown = ""

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def count_items(paths: Iterable[Path], *, max_bytes: int | None = None) -> int:
    """How many items ``facts.read.files.read_paths(paths)`` will yield, without reading an
    article: a folder's ``*.md`` files plus its manifest's ``[[article]]`` entries, one for a
    file, and one for whatever will be refused whole (a missing path, an empty folder, a manifest
    that cannot be read). Cheap enough to run before a large ingest to know its total."""
    total = 0
    for path in paths:
        try:
            total += _count_path(path, max_bytes)
        except Exception:  # read_paths turns the same trouble into one refusal
            total += 1
    return total


def _count_path(path: Path, max_bytes: int | None) -> int:
    if path.is_dir():
        manifest = path / "manifest.toml"
        has_manifest = manifest.exists()
        entries = _manifest_entries(manifest, max_bytes) if has_manifest else 0
        mds = sum(1 for _ in path.glob("*.md"))
        return entries + mds if has_manifest or mds else 1
    if path.name == "manifest.toml":
        return _manifest_entries(path, max_bytes)
    return 1


def _manifest_entries(manifest: Path, max_bytes: int | None) -> int:
    try:
        if max_bytes is not None and manifest.stat().st_size > max_bytes:
            return 1
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except Exception:  # unreadable, not UTF-8, not TOML, nested too deep: one refusal
        return 1
    entries = data.get("article", [])
    return len(entries) if isinstance(entries, list) else 1
