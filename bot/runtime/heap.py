"""Start-up objects out of the garbage collector's way.

A full collection walks every object the process tracks, and a running factdesk holds many that
live as long as it does: the country tables, the date and entity patterns, the word vectors'
tokenizer. Measured on a 200,000-article store, one full collection cost about 20 ms, and one
fell inside a few in every hundred `/agreement` answers (p50 13.3 ms, the worst 37.5); with the
start-up heap frozen the p50 was 9.6 ms and the worst 12.1. So once everything every command uses
is loaded, :func:`settle` collects once and freezes what is left (``gc.freeze``): those objects are
never scanned again, and later garbage is collected as before.
"""

from __future__ import annotations

import gc

from facts.countries import all_countries
from facts.extract import embedding

__all__ = ["settle"]


def settle() -> None:
    """Load what commands share (the word vectors, the country tables), then freeze the heap."""
    embedding.embed(["factdesk"])
    all_countries()
    gc.collect()
    gc.freeze()
