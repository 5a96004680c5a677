"""TUI targets: selection change → updated checks and policy view (Pilot), and first paint.

    python -m tests.bench.bench_tui [--file LARGE.json] [--moves 60] [--runs 7]

1. Latency from a key press in the principals list to the new verdict, checks and policy view on
   screen, measured with Pilot (median; on the demo, and on a large snapshot when --file is given).
2. Time to the first painted frame of `sestui --demo` vs an empty Textual app (same Textual),
   each in a fresh process, median of --runs, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp

# Both probes timestamp the first frame the compositor hands to the display (headless runs
# skip the terminal write itself), print it, and exit.
FIRST_FRAME = """
import time
from textual.app import App
_display = App._display
def display(self, screen, renderable):
    if renderable is not None and not getattr(App, "_first", None):
        App._first = time.perf_counter()
        print(App._first)
        self.exit()
    return _display(self, screen, renderable)
App._display = display
"""
EMPTY = (
    FIRST_FRAME
    + """
App().run(headless=True)
"""
)
SESTUI = (
    FIRST_FRAME
    + """
from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp
class Probe(SestuiApp):
    def load(self):
        pass  # the first frame is what is measured; do not load the account
Probe(SourceSpec(demo=True)).run(headless=True)
"""
)


def first_paint(code: str) -> float:
    """Seconds from process start to the first painted frame."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    # The child's perf_counter shares the clock with ours on Linux (CLOCK_MONOTONIC).
    painted = float(proc.stdout.strip().splitlines()[-1])
    return painted - t0 if 0 < painted - t0 < wall else wall


class Timed:
    """Times each selection change from the key press until the frame showing its verdict,
    checks and policy has been painted, and counts the screen layouts in between. It hooks
    only what every version of the app has (the verdict bar's `show`, the screen's layout), so
    the same bench measures an older checkout too (`PYTHONPATH=OLD python tests/bench/...`)."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.cpu: list[
            float
        ] = []  # the UI thread's CPU time: steadier than wall time on a busy host
        self.layouts: list[int] = []
        self.started: float | None = None
        self.cpu_started = 0.0
        self.count = 0

    def install(self) -> None:
        from textual.screen import Screen

        from sestui.tui.widgets.bars import VerdictBar

        timed = self
        show, layout = VerdictBar.show, Screen._refresh_layout

        def shown(bar: VerdictBar, verdict: Any, *args: Any, **kw: Any) -> None:
            show(bar, verdict, *args, **kw)
            started, cpu = timed.started, timed.cpu_started
            if verdict is None or started is None:
                return
            timed.started = None

            def painted() -> None:
                timed.samples.append(time.perf_counter() - started)
                timed.cpu.append(time.thread_time() - cpu)
                timed.layouts.append(timed.count)

            bar.call_after_refresh(painted)

        def counted(screen: Screen[Any], *args: Any, **kw: Any) -> None:
            timed.count += 1
            layout(screen, *args, **kw)

        VerdictBar.show = shown  # type: ignore[method-assign,assignment]
        Screen._refresh_layout = counted  # type: ignore[method-assign,assignment]


async def latency(spec: SourceSpec, moves: int) -> Timed:
    timed = Timed()
    timed.install()
    app = SestuiApp(spec)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(6):
            await pilot.pause()
            await app.workers.wait_for_complete()
        await pilot.pause(1.0)
        for i in range(moves):
            timed.count = 0
            timed.cpu_started = time.thread_time()
            timed.started = time.perf_counter()
            await pilot.press("j" if (i // 10) % 2 == 0 else "k")
            await pilot.pause(0.25)  # let the glyph column land, as a reading user would
    return timed


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--file")
    ap.add_argument("--moves", type=int, default=60)
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args(argv)
    specs = [("demo", SourceSpec(demo=True))]
    if a.file:
        specs.append((Path(a.file).name, SourceSpec(snapshot=a.file)))
    for name, spec in specs:
        timed = asyncio.run(latency(spec, a.moves))
        times, layouts = timed.samples, timed.layouts
        print(
            f"1. selection change -> verdict, checks and policy on screen ({name}, "
            f"{len(times)} moves): median {statistics.median(times) * 1e3:.1f} ms "
            f"(target <= 33), max {max(times) * 1e3:.1f} ms; UI thread CPU median "
            f"{statistics.median(timed.cpu) * 1e3:.1f} ms; screen layouts per move: "
            f"mean {statistics.mean(layouts):.2f}, max {max(layouts)}"
        )
    if a.runs < 1:
        return
    empties, ours_all = [], []
    for _ in range(a.runs):  # interleaved, so both see the same machine load
        empties.append(first_paint(EMPTY))
        ours_all.append(first_paint(SESTUI))
    empty, ours = statistics.median(empties), statistics.median(ours_all)
    print(
        f"2. first paint: empty Textual app {empty * 1e3:.0f} ms, sestui --demo "
        f"{ours * 1e3:.0f} ms = {ours / empty:.2f}x (target <= 1.5x), median of {a.runs}"
    )


if __name__ == "__main__":
    main()
