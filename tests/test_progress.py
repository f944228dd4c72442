"""Progress bars: drawn on a terminal, silent in pipes, logs and notebooks."""

from __future__ import annotations

import io

from consistency.progress import bar, wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bars_show_on_a_terminal_and_nowhere_else() -> None:
    assert wanted(None, Terminal()) and not wanted(None, io.StringIO())
    assert wanted(True, io.StringIO()) and not wanted(False, Terminal())
    for stream, shown in ((Terminal(), True), (io.StringIO(), False)):
        with bar(3, "embedding sentences", enabled=wanted(None, stream), stream=stream) as b:
            b.update(3)
        assert ("embedding sentences" in stream.getvalue()) is shown
