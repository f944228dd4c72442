"""The project's exceptions: each message names the file (and row) and says how to fix it."""

from __future__ import annotations

__all__ = ["ConsistencyError", "InputError", "ModelError"]


class ConsistencyError(Exception):
    """Base of every error the checker raises on purpose; the CLI maps it to exit code 2."""


class InputError(ConsistencyError):
    """An input path or file the checker cannot read as articles."""


class ModelError(ConsistencyError):
    """The embedding model or a learned head named in ``models/`` is missing or corrupt."""
