"""The load test's traffic (run by scripts/load-test.sh; docs/performance.md "Load test").

One kind of visitor does everything the issue names, in these proportions (per 100 requests):

    search                36  keywords 14, keywords + category 8, postcode + distance 8,
                              keywords + postcode + age 6
    service page          18
    service with reviews   8  the reviews are read on the service's own page
    shortlist             10  add 5 (a POST with the CSRF token), view 5
    Open Referral UK API  18  services list 8 (50 a page), one service 10
    IG bulk check          2  POST /api/ig/v1/check, LOAD_CHECK_NUMBERS numbers (default 1000)
    home page              8

Each visitor makes one request every LOAD_THINK seconds (default 2), so the offered rate is
the number of visitors divided by that; a visitor waits for each answer before the next, so a
server that falls behind shows as an achieved rate below the offered one. Requests go to
127.0.0.1 only, as a TLS-terminating load balancer would pass them on (X-Forwarded-Proto:
https), so production's settings (HTTPS redirect, secure cookies, CSRF origin checks) apply.

LOAD_PHASE=probe finds the highest rate two workers sustain; LOAD_PHASE=run holds LOAD_RATE for
LOAD_DURATION_SECONDS. Both stop by themselves and write every request's timing to
LOAD_RESULTS for scripts/load/report.py.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, LoadTestShape, events, task
from requests.cookies import RequestsCookieJar

TARGETS = json.loads(Path(os.environ["LOAD_TARGETS"]).read_text())
PHASE = os.environ.get("LOAD_PHASE", "run")
RESULTS = Path(os.environ["LOAD_RESULTS"])
THINK = float(os.environ.get("LOAD_THINK", "2"))
CHECK_NUMBERS = int(os.environ.get("LOAD_CHECK_NUMBERS", "1000"))
SHORTLIST_MAX = 50  # directory.shortlist.MAX_ITEMS: a full list is cleared, as a person would

KEYWORDS = [
    "support group",
    "advice",
    "dementia",
    "carers",
    "lunch club",
    "walking",
    "mental health",
    "debt",
    "befriending",
    "exercise",
    "housing",
    "loneliness",
]
AGES = [8, 16, 25, 40, 67, 70, 82]
DISTANCES = [1, 3, 5, 10]
SEARCH_PREFIX = "search: "

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_ADD_ACTION = re.compile(r'action="([^"]*/shortlist/add/)"')


class LoopbackCookieJar(RequestsCookieJar):
    """Send production's Secure cookies back over the plain-HTTP hop to 127.0.0.1, as the
    browser does over HTTPS to the load balancer in front. (A cookie policy would not do:
    requests copies the jar into a default one for each request.)"""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Pace:
    """Seconds between one visitor's requests; 0 while the probe measures raw capacity."""

    interval = THINK


PACE = Pace()


class Recorder:
    """Every request as (finished at, name, milliseconds, ok, failure message)."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, str, float, bool, str]] = []

    def on_request(self, name: str, response_time: float, exception=None, **_: object) -> None:
        failure = "" if exception is None else str(exception)[:200]
        self.rows.append((time.time(), name, response_time, exception is None, failure))

    def window(self, start: float, end: float) -> list[tuple[float, str, float, bool, str]]:
        return [row for row in self.rows if start <= row[0] < end]


RECORDER = Recorder()
events.request.add_listener(RECORDER.on_request)


class Visitor(HttpUser):
    def wait_time(self) -> float:
        interval = PACE.interval
        now = time.monotonic()
        if interval <= 0:
            self._due = now
            return 0
        # Paced to start times, not gaps: a slow answer eats into the wait, as constant
        # throughput would; a visitor who fell behind starts at once but never bursts.
        due = getattr(self, "_due", None)
        self._due = now + random.uniform(0, interval) if due is None else max(now, due + interval)
        return self._due - now

    def on_start(self) -> None:
        self.client.cookies = LoopbackCookieJar()
        self.client.headers.update({"X-Forwarded-Proto": "https"})
        parts = urlsplit(self.host)
        self.origin = f"https://{parts.netloc}"
        self.listed = 0
        self.csrf_token = ""
        self.add_action = ""
        # A first page, as a visitor arrives: it brings the CSRF cookie and the form's token.
        _, path = random.choice(TARGETS["services"])
        with self.client.get(path, name="service page", catch_response=True) as response:
            self._expect(response, 200)
            if match := _CSRF.search(response.text):
                self.csrf_token = match.group(1)
            if match := _ADD_ACTION.search(response.text):
                self.add_action = match.group(1)

    @staticmethod
    def _expect(response, status: int) -> bool:
        if response.status_code != status:
            response.failure(f"HTTP {response.status_code}, expected {status}")
            return False
        response.success()
        return True

    def _search(self, name: str, params: dict) -> None:
        with self.client.get(
            "/services/", params=params, name=SEARCH_PREFIX + name, catch_response=True
        ) as response:
            self._expect(response, 200)

    @task(14)
    def search_keywords(self) -> None:
        self._search("keywords", {"q": random.choice(KEYWORDS)})

    @task(8)
    def search_keywords_category(self) -> None:
        self._search(
            "keywords + category",
            {"q": random.choice(KEYWORDS), "category": random.choice(TARGETS["categories"])},
        )

    @task(8)
    def search_postcode(self) -> None:
        self._search(
            "postcode + distance",
            {"postcode": random.choice(TARGETS["postcodes"]), "distance": random.choice(DISTANCES)},
        )

    @task(6)
    def search_keywords_postcode_age(self) -> None:
        self._search(
            "keywords + postcode + age",
            {
                "q": random.choice(KEYWORDS),
                "postcode": random.choice(TARGETS["postcodes"]),
                "distance": random.choice(DISTANCES),
                "age": random.choice(AGES),
            },
        )

    @task(18)
    def service_page(self) -> None:
        _, path = random.choice(TARGETS["services"])
        with self.client.get(path, name="service page", catch_response=True) as response:
            self._expect(response, 200)

    @task(8)
    def service_reviews(self) -> None:
        path = random.choice(TARGETS["reviewed"] or [s[1] for s in TARGETS["services"]])
        with self.client.get(
            path, name="service page with reviews", catch_response=True
        ) as response:
            self._expect(response, 200)

    @task(5)
    def shortlist_add(self) -> None:
        if not (self.csrf_token and self.add_action):
            # The first page had no "Add to my list" form: that is a failure to report.
            with self.client.get(
                "/services/shortlist/", name="shortlist: add", catch_response=True
            ) as response:
                response.failure("no 'Add to my list' form on the service page")
            return
        full = self.listed >= SHORTLIST_MAX
        action = self.add_action.replace("/add/", "/clear/") if full else self.add_action
        service_id, path = random.choice(TARGETS["services"])
        with self.client.post(
            action,
            data={"csrfmiddlewaretoken": self.csrf_token, "service": service_id, "next": path},
            headers={"Origin": self.origin, "Referer": self.origin + path},
            name="shortlist: clear" if full else "shortlist: add",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if self._expect(response, 302):
                self.listed = 0 if full else self.listed + 1

    @task(5)
    def shortlist_view(self) -> None:
        with self.client.get(
            "/services/shortlist/", name="shortlist: view", catch_response=True
        ) as response:
            self._expect(response, 200)

    @task(8)
    def oruk_services(self) -> None:
        page = random.randint(1, TARGETS["oruk_pages"])
        with self.client.get(
            "/api/oruk/services",
            params={"page": page, "per_page": 50},
            name="ORUK: services list",
            catch_response=True,
        ) as response:
            if self._expect(response, 200) and not response.json().get("contents"):
                response.failure(f"page {page} of the services list is empty")

    @task(10)
    def oruk_service(self) -> None:
        with self.client.get(
            f"/api/oruk/services/{random.choice(TARGETS['oruk_ids'])}",
            name="ORUK: one service",
            catch_response=True,
        ) as response:
            self._expect(response, 200)

    @task(2)
    def ig_bulk_check(self) -> None:
        numbers = random.sample(
            TARGETS["nhs_numbers"], min(CHECK_NUMBERS, len(TARGETS["nhs_numbers"]))
        )
        with self.client.post(
            "/api/ig/v1/check",
            params={"purpose": random.choice(TARGETS["ig_purposes"])},
            data="\n".join(numbers) + "\n",
            headers={
                "Authorization": f"Bearer {TARGETS['ig_token']}",
                "Content-Type": "text/plain",
                "Accept": "text/plain",
            },
            name="IG: bulk check",
            catch_response=True,
        ) as response:
            # Never the body in a message: it is NHS numbers.
            if self._expect(response, 200):
                allowed = response.content.count(b"\n")
                if allowed > len(numbers):
                    response.failure(f"{allowed} numbers allowed of {len(numbers)} sent")

    @task(8)
    def home_page(self) -> None:
        with self.client.get("/", name="home page", catch_response=True) as response:
            self._expect(response, 200)


# --- phases ----------------------------------------------------------------------------------


def _say(text: str) -> None:
    # scripts/load-test.sh shows these lines (and not locust's own tables) as they come.
    print(f"[load] {text}", file=sys.stderr, flush=True)


def _p95(rows: list) -> float:
    times = sorted(row[2] for row in rows)
    return times[max(0, math.ceil(0.95 * len(times)) - 1)] if times else math.inf


def _p95_search(rows: list) -> float | None:
    searches = [row for row in rows if row[1].startswith(SEARCH_PREFIX)]
    return _p95(searches) if searches else None


def _visitors(rate: float) -> tuple[int, float]:
    """Visitors for `rate` requests a second, and the pace that makes it exact."""
    users = max(1, math.ceil(rate * THINK))
    return users, users / rate


class _Shape(LoadTestShape):
    abstract = True

    def __init__(self) -> None:
        super().__init__()
        self.started_wall: float | None = None

    def _write(self, payload: dict) -> None:
        RESULTS.write_text(json.dumps(payload))


if PHASE == "probe":
    CAPACITY_USERS = int(os.environ.get("LOAD_PROBE_USERS", "6"))
    CAPACITY_SECONDS = float(os.environ.get("LOAD_PROBE_CAPACITY_SECONDS", "20"))
    STEP_SECONDS = float(os.environ.get("LOAD_PROBE_STEP_SECONDS", "12"))
    SETTLE_SECONDS = 3.0  # each stage's first seconds are ramp-up, not measured
    FRACTIONS = [
        float(f)
        for f in os.environ.get("LOAD_PROBE_FRACTIONS", "0.4,0.55,0.7,0.8,0.9,1.0").split(",")
    ]
    # Sustained: at least 95% of the offered rate achieved, no error, and the p95 of all
    # requests under LOAD_PROBE_P95_MS. Without that bound a visitor who waits 2 s between
    # requests "keeps up" while every answer queues for nearly 2 s.
    KEEP_UP = 0.95
    P95_BOUND_MS = float(os.environ.get("LOAD_PROBE_P95_MS", "1000"))

    class FindSustainedRate(_Shape):
        """First the raw capacity (a few visitors with no think time), then steps at fractions
        of it, stopping at the first not sustained; the highest sustained step is the rate the
        workers sustain."""

        def __init__(self) -> None:
            super().__init__()
            self.capacity: float | None = None
            self.steps: list[dict] = []
            self.stage_start = 0.0
            self.done = False

        def tick(self):
            now = time.time()
            if self.started_wall is None:
                self.started_wall = self.stage_start = now
            if self.done:
                return None
            if self.capacity is None:
                if now - self.stage_start < CAPACITY_SECONDS:
                    PACE.interval = 0
                    return CAPACITY_USERS, CAPACITY_USERS
                rows = RECORDER.window(self.stage_start + SETTLE_SECONDS, now)
                self.capacity = len(rows) / (now - self.stage_start - SETTLE_SECONDS)
                p95 = _p95_search(rows)
                _say(
                    f"capacity with {CAPACITY_USERS} visitors and no think time: "
                    f"{self.capacity:.1f} requests/s (search p95 {p95 or 0:.0f} ms)"
                )
                self.stage_start = now
                return self._start_step(0)
            step = self.steps[-1]
            if now - self.stage_start < STEP_SECONDS:
                return step["users"], step["users"]
            rows = RECORDER.window(self.stage_start + SETTLE_SECONDS, now)
            step["achieved"] = len(rows) / (now - self.stage_start - SETTLE_SECONDS)
            step["errors"] = sum(1 for row in rows if not row[3])
            step["search_p95_ms"] = _p95_search(rows)
            step["p95_ms"] = _p95(rows)
            step["kept_up"] = (
                step["achieved"] >= KEEP_UP * step["rate"]
                and not step["errors"]
                and step["p95_ms"] < P95_BOUND_MS
            )
            _say(
                f"offered {step['rate']:6.1f}/s  achieved {step['achieved']:6.1f}/s  "
                f"errors {step['errors']}  p95 {step['p95_ms']:.0f} ms (search "
                f"{step['search_p95_ms'] or 0:.0f} ms)  "
                f"{'sustained' if step['kept_up'] else 'NOT SUSTAINED'}"
            )
            if step["kept_up"] and len(self.steps) < len(FRACTIONS):
                self.stage_start = now
                return self._start_step(len(self.steps))
            self._finish()
            return None

        def _start_step(self, index: int):
            rate = max(0.5, round(FRACTIONS[index] * self.capacity, 1))
            users, PACE.interval = _visitors(rate)
            self.steps.append({"rate": rate, "users": users})
            return users, users

        def _finish(self) -> None:
            self.done = True
            kept = [step["rate"] for step in self.steps if step["kept_up"]]
            sustained = max(kept) if kept else self.steps[0]["rate"]
            self._write(
                {
                    "capacity": self.capacity,
                    "steps": self.steps,
                    "sustained": sustained,
                    "none_kept_up": not kept,
                    "think_seconds": THINK,
                }
            )
            _say(f"highest rate sustained: {sustained:.1f} requests/s")

else:
    RATE = float(os.environ["LOAD_RATE"])
    DURATION = float(os.environ.get("LOAD_DURATION_SECONDS", "180"))

    class HoldRate(_Shape):
        """LOAD_RATE requests a second for LOAD_DURATION_SECONDS, then stop."""

        def __init__(self) -> None:
            super().__init__()
            self.users, PACE.interval = _visitors(RATE)
            self.last_report = 0.0

        def tick(self):
            now = time.time()
            if self.started_wall is None:
                self.started_wall = self.last_report = now
            elapsed = now - self.started_wall
            if elapsed >= DURATION:
                return None
            if now - self.last_report >= 15:
                self.last_report = now
                rows = RECORDER.window(now - 15, now)
                errors = sum(1 for row in RECORDER.rows if not row[3])
                _say(
                    f"{elapsed:4.0f}s of {DURATION:.0f}s  {len(rows) / 15:6.1f} requests/s  "
                    f"search p95 {_p95_search(rows) or 0:.0f} ms  errors so far {errors}"
                )
            return self.users, max(1.0, self.users / 5)  # all visitors in within 5 seconds


@events.quitting.add_listener
def _write_results(environment, **_: object) -> None:
    if PHASE != "run":
        return
    shape = environment.shape_class
    RESULTS.write_text(
        json.dumps(
            {
                "rate": RATE,
                "users": shape.users if shape else None,
                "think_seconds": THINK,
                "check_numbers": CHECK_NUMBERS,
                "started": shape.started_wall if shape else None,
                "stopped": time.time(),
                "rows": RECORDER.rows,
            }
        )
    )
