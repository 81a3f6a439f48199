"""Fixed-window rate limits counted in the cache (shared across workers in production)."""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Rate:
    limit: int
    period_seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """'60/m', '5/h', '10/30s' style."""
        count, _, period = text.partition("/")
        units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
        number = period[:-1] or "1"
        return cls(limit=int(count), period_seconds=int(number) * units[period[-1]])


def client_key(request: HttpRequest) -> str:
    """The client's address. Behind a proxy, REMOTE_ADDR is set from the trusted header."""
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limit_hit(*, scope: str, key: str, rate: str) -> bool:
    """Count one use; True when the caller is over the limit and must be refused."""
    parsed = Rate.parse(rate)
    window = int(time.time() // parsed.period_seconds)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=parsed.period_seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=parsed.period_seconds + 1)
        count = 1
    return count > parsed.limit
