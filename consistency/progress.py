"""Progress bars for the slow stages: on a terminal they show, anywhere else they stay silent."""

from __future__ import annotations

import sys
from typing import IO

from tqdm import tqdm

__all__ = ["bar", "wanted"]


def wanted(enabled: bool | None, stream: IO[str] | None = None) -> bool:
    """Whether to draw bars: ``enabled`` when given, else whether ``stream`` is a terminal.

    Logs, pipes, CI and notebooks are not terminals, so they get no carriage-return noise.

    >>> import io
    >>> wanted(None, io.StringIO()), wanted(True, io.StringIO()), wanted(False)
    (False, True, False)
    """
    if enabled is not None:
        return enabled
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def bar(
    total: int,
    desc: str,
    *,
    unit: str = "sentences",
    enabled: bool,
    stream: IO[str] | None = None,
) -> tqdm[None]:
    """A bar counting ``total`` units, with rate and ETA; a no-op object when disabled."""
    return tqdm(
        total=total,
        desc=desc,
        unit=f" {unit}",
        file=stream if stream is not None else sys.stderr,
        disable=not enabled,
        leave=False,  # the CLI's summary follows; finished bars would only push it down
        dynamic_ncols=True,
        mininterval=0.2,
    )
