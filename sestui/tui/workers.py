"""Thread workers that never keep the process alive: quitting does not wait for long work."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class DaemonExecutor(ThreadPoolExecutor):
    """Runs each task on its own daemon thread; `shutdown` does not wait for them.

    Textual runs `@work(thread=True)` workers in the event loop's default executor, and
    `asyncio.run` joins that executor's threads before `App.run` returns: a live read stuck on
    the network (or any work that does not poll its cancellation) would keep `q` from quitting.
    Cancelled work is never painted, so abandoning its thread at exit loses nothing.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the awaiting worker, which reports it
                future.set_exception(exc)

        threading.Thread(target=run, name="sestui-worker", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None
