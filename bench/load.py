"""`make load`: the synthetic council (the benchmark's database) served by gunicorn on loopback, under
200 simulated advisers and 10 managers for two minutes. Prints requests per second, p50/p95/p99 and
errors per kind of request and overall. Target: p95 under 300 ms and no errors.

Each adviser repeats: open the caseload, open a young person from it, search for another by name,
and every third round log a contact (form, then POST); each manager opens the dashboard, whose figures
are kept as production keeps them (DASHBOARD_CACHE_SECONDS, five minutes), starting from none: the
benchmark's own setting, which times every dashboard uncached, is not passed on to the server. Between
requests a user thinks for 1-5 seconds (uniform), as people reading a page do. Users sign in by
sessions made server-side with a verified two-factor device (the sign-in pages are not the load).

Environment: BENCH_DATABASE_URL (as make bench), LOAD_SECONDS (120), LOAD_ADVISERS (200),
LOAD_MANAGERS (10), LOAD_WORKERS and LOAD_THREADS (gunicorn's processes and threads in each; by
default production's, youthservice/gunicorn.py),
LOAD_CACHE_URL (the Redis cache the workers share, emptied at the start: redis://127.0.0.1:6379/3).
"""

import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import redis
import requests

# isort: off
from bench import ensure_council, signed_in  # bench/bench.py sets up Django on the benchmark database first

# isort: on
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from cases import access
from core.roles import Role
from youthservice import gunicorn as gunicorn_settings

SECONDS = int(os.environ.get("LOAD_SECONDS", "120"))
RAMP_UP = int(os.environ.get("LOAD_RAMP_UP", "20"))
ADVISERS = int(os.environ.get("LOAD_ADVISERS", "200"))
MANAGERS = int(os.environ.get("LOAD_MANAGERS", "10"))
WORKERS = os.environ.get("LOAD_WORKERS", str(gunicorn_settings.workers))  # production's, unless asked
THREADS = os.environ.get("LOAD_THREADS", str(gunicorn_settings.threads))
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
TARGET_P95_MS = 300
User = get_user_model()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in_session(user) -> str:
    """The session key of a sign-in that passed two-factor (made by the benchmark's own helper)."""
    return signed_in(user).cookies[settings.SESSION_COOKIE_NAME].value


def participants() -> list[dict]:
    advisers = list(User.objects.filter(groups__name=Role.PERSONAL_ADVISER.value).order_by("pk")[:ADVISERS])
    managers = list(User.objects.filter(groups__name=Role.TEAM_MANAGER.value).order_by("pk")[: MANAGERS - 1])
    service, _ = User.objects.get_or_create(username="load-service-manager", defaults={"first_name": "Load"})
    service.groups.add(Group.objects.get(name=Role.SERVICE_MANAGER.value))
    managers.append(service)
    people = []
    for adviser in advisers:
        caseload = list(access.young_people_for(adviser).values("pk", "legal_family_name")[:200])
        people.append({"role": "adviser", "session": signed_in_session(adviser), "caseload": caseload})
    people += [{"role": "manager", "session": signed_in_session(m), "caseload": []} for m in managers]
    return people


class VirtualUser(threading.Thread):
    def __init__(self, person: dict, deadline: float, results: dict, seed: int, start_after: float):
        super().__init__(daemon=True)
        self.person, self.deadline, self.results = person, deadline, results
        self.start_after = start_after
        self.random = random.Random(seed)
        self.http = requests.Session()
        self.http.cookies.set(settings.SESSION_COOKIE_NAME, person["session"])

    def request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.http.request(method, BASE + path, allow_redirects=False, timeout=30, **kwargs)
        except requests.RequestException as error:
            self.results["errors"].append((kind, f"{type(error).__name__}: {str(error)[-90:]}"))
            self.results[kind].append((1000 * (time.perf_counter() - started), False))
            return None
        elapsed_ms = 1000 * (time.perf_counter() - started)
        ok = response.status_code in (200, 302)
        self.results[kind].append((elapsed_ms, ok))
        if not ok:
            self.results["errors"].append((kind, response.status_code))
        return response

    def think(self) -> None:
        time.sleep(self.random.uniform(1, 5))

    def post_form(self, kind: str, path: str, data: dict) -> None:
        page = self.request(f"{kind} (form)", "GET", path)
        token = CSRF.search(page.text) if page is not None else None
        if token is None:
            self.results[kind].append((0.0, False))
            return
        self.think()
        self.request(
            kind,
            "POST",
            path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers={"Referer": BASE + path},
        )

    def run(self) -> None:
        time.sleep(self.start_after)  # users arrive one by one over the ramp-up
        rounds = 0
        while time.time() < self.deadline:
            if self.person["role"] == "manager":
                self.request("dashboard", "GET", "/dashboard/")
            else:
                rounds += 1
                self.adviser_round(rounds)
            self.think()

    def adviser_round(self, rounds: int) -> None:
        person = self.random.choice(self.person["caseload"])
        self.request("caseload", "GET", "/caseload/")
        self.think()
        self.request("record", "GET", f"/young-people/{person['pk']}/")
        self.think()
        other = self.random.choice(self.person["caseload"])
        self.post_form("search", "/search/", {"query": other["legal_family_name"]})
        if rounds % 3 == 0:
            self.think()
            self.post_form("log a contact", f"/young-people/{person['pk']}/contacts/new/", contact_form())


def contact_form() -> dict:
    when = timezone.localtime() - timedelta(hours=1)
    return {
        "occurred_on_0": when.day,
        "occurred_on_1": when.month,
        "occurred_on_2": when.year,
        "occurred_time": f"{when:%H:%M}",
        "method": "phone",
        "purpose": "tracking",
        "staff_role": "personal_adviser",
        "notes": "Load test: checked current activity",
    }


def serve() -> subprocess.Popen:
    try:
        requests.get(f"{BASE}/healthz", timeout=1)
    except requests.RequestException:
        pass  # the port is free
    else:
        sys.exit(f"Something already answers on {BASE} (another load test?): stop it first")
    cache_url = os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/3")
    redis.Redis.from_url(cache_url).flushdb()  # every run starts with the dashboards uncached
    env = {
        **{name: value for name, value in os.environ.items() if name != "DASHBOARD_CACHE_SECONDS"},
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_COOKIES": "0",  # plain HTTP on loopback: cookies without the Secure flag
        "CACHE_URL": cache_url,  # one cache for every worker, as in production
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": WORKERS,
        "GUNICORN_THREADS": THREADS,
    }
    server = subprocess.Popen(  # this environment's gunicorn, with production's settings
        [sys.executable, "-m", "gunicorn", "-c", "python:youthservice.gunicorn"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,  # the access log, written as in production
    )
    for _ in range(60):
        try:
            if requests.get(f"{BASE}/healthz", timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer on /healthz")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(results: dict, seconds: float) -> bool:
    print(
        f"\n{'request':<24} {'count':>6} {'per s':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    everything = []
    errors_seen = results.pop("errors", [])
    for kind in sorted(results):
        rows = results[kind]
        everything += rows
        times = [ms for ms, _ in rows]
        errors = sum(not ok for _, ok in rows)
        print(
            f"{kind:<24} {len(rows):>6} {len(rows) / seconds:>6.1f} {statistics.median(times):>8.0f} "
            f"{percentile(times, 0.95):>8.0f} {percentile(times, 0.99):>8.0f} {errors:>7}"
        )
    times = [ms for ms, _ in everything]
    errors = sum(not ok for _, ok in everything)
    p95 = percentile(times, 0.95)
    print(
        f"{'all':<24} {len(times):>6} {len(times) / seconds:>6.1f} {statistics.median(times):>8.0f} "
        f"{p95:>8.0f} {percentile(times, 0.99):>8.0f} {errors:>7}"
    )
    if errors_seen:
        print("errors:", dict(Counter(f"{kind} {status}" for kind, status in errors_seen)))
    passed = p95 < TARGET_P95_MS and errors == 0
    print(f"\nTarget p95 < {TARGET_P95_MS} ms and no errors: {'met' if passed else 'MISSED'}")
    return passed


def main() -> None:
    ensure_council()
    people = participants()
    print(
        f"{len(people) - MANAGERS} advisers and {MANAGERS} managers for {SECONDS} s against gunicorn "
        f"({WORKERS} workers x {THREADS} threads) on PostgreSQL, 1-5 s think time"
    )
    server = serve()
    results = defaultdict(list)
    deadline = time.time() + SECONDS
    users = [
        VirtualUser(p, deadline, results, seed, start_after=seed * RAMP_UP / len(people))
        for seed, p in enumerate(people)
    ]
    started = time.time()
    try:
        for user in users:
            user.start()
        for user in users:
            user.join(timeout=SECONDS + 60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    sys.exit(0 if report(results, time.time() - started) else 1)


if __name__ == "__main__":
    main()
