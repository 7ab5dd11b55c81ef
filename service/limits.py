"""What keeps one client, or everyone at 9 am, from taking the service down.

- `RateLimiter`: a token bucket per client address. A client may send `burst`
  requests at once and `rate` a second after that; beyond it gets 429 with
  Retry-After. It runs on the event loop only, so it needs no lock.
- `HeavyGate`: searches and answers (the requests that run the model) go
  through a fixed number of slots. Others wait their turn, up to a queue
  time, then get 503 with Retry-After; a request whose work outlasts its time
  limit gets 504. Work that overran keeps its slot until it really ends, so
  the cap counts what the machine is doing, not what clients still wait for.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from .errors import ApiError

T = TypeVar("T")


class RateLimiter:
    def __init__(self, rate: float, burst: int, max_clients: int = 10_000) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client → (tokens, when)

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def wait(self, client: str, now: float | None = None) -> float:
        """0 when `client` may go ahead now (and takes a token), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        tokens, when = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        if len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)  # the client seen longest ago; memory stays bounded
        return wait


def retry_after(seconds: float) -> str:
    """A Retry-After value: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))


class HeavyGate:
    def __init__(self, slots: int, queue_timeout: float, timeout: float) -> None:
        self.slots = slots
        self.queue_timeout = queue_timeout
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="govqa-heavy")
        self._free = asyncio.Semaphore(slots)  # made in the app's lifespan, on the loop that serves

    async def run(self, func: Callable[..., T], *args, **kwargs) -> T:
        free = self._free
        if free.locked():  # every slot taken, or others already waiting: queue behind them, for a while
            try:
                await asyncio.wait_for(free.acquire(), self.queue_timeout)
            except TimeoutError:
                raise ApiError(503, "服务繁忙，请稍后再试", code="busy", headers={"Retry-After": retry_after(1)}) from None
        else:
            await free.acquire()  # a free slot is taken at once, without wait_for's extra task and loop turn
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._pool, partial(func, *args, **kwargs))
        except BaseException:
            free.release()
            raise
        future.add_done_callback(lambda f: (free.release(), f.cancelled() or f.exception()))  # an overrun's error is read, not left
        try:
            async with asyncio.timeout(self.timeout):
                return await asyncio.shield(future)
        except TimeoutError:
            raise ApiError(504, f"请求处理超时（超过 {self.timeout:g} 秒），请稍后再试", code="timeout") from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
