"""Domain errors of the knowledge layer; the bot turns each into a one-line reply."""

from __future__ import annotations

__all__ = ["CorpusError", "FactdeskError", "NotFound", "UsageError"]


class FactdeskError(Exception):
    """Base of every error factdesk reports to a person rather than logs as a crash."""

    code = "error"


class UsageError(FactdeskError):
    """The request itself is wrong (bad argument, unknown country, not a year)."""

    code = "bad_input"


class NotFound(FactdeskError):
    """The thing asked for (a source, a fact) does not exist in the store."""

    code = "not_found"


class CorpusError(FactdeskError):
    """A file offered for ingestion is unusable; ``path`` and ``field`` name what is wrong."""

    code = "bad_document"

    def __init__(self, path: str, field: str, message: str) -> None:
        super().__init__(f"{path}: {field}: {message}")
        self.path = path
        self.field = field
