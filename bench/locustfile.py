"""make load: staff clicking through the app at once (locust, headless; bench/load.py runs it).

Each simulated member of staff logs in with their own bench account (bench/load.py makes them)
and then, with a pause of LOAD_WAIT_MIN to LOAD_WAIT_MAX (3 to 10) seconds between steps, opens
the start page, the participant list (a page of it, filtered, or searched by name), a
participant's file with the parts it loads as they come into view, an hour card, and takes a
session's attendance (the screen, the save, the screen again with its message). Every twentieth
request is a PDF (an hour card or an attendance list), named "PDF: …" so that it is reported on
its own.

Attendance saves go to fresh sessions of yesterday, two saves per session (two tablets, the
second a few seconds after the first, with the same marks), each mark known in advance from the
session and the person (``planned_mark``), so bench/load.py can count afterwards that every
reported save left exactly its marks: none lost, none twice.

Input: LOAD_PLAN (a JSON file bench/load.py writes: the accounts, the people, the sessions).
Output: LOAD_RESULT (JSON: the figures per request name, the saves that succeeded).
"""

import itertools
import json
import os
import random
import re
import sys
from html import unescape
from pathlib import Path

from locust import HttpUser, between, events, task
from locust.stats import StatsEntry

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.marks import planned_mark

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
PDF_EVERY = 20
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEFERRED = re.compile(r'hx-get="([^"]+)"')
# "Attendance saved (%(created)s new, %(changed)s changed)." in Polish.
SAVED = re.compile(r"Zapisano obecność \(nowe wpisy: (\d+), zmienione: (\d+)\)")
# Pages the staff reach by clicking, and what is not a page: a PDF, the login's password check
# (PBKDF2 with Django's iterations is meant to take a while, once a day per person).
LOGIN_CHECK = "login (password check)"

_accounts = itertools.cycle(PLAN["accounts"])
_saves = itertools.count()
# Kept over the whole run, also while the staff arrive (the figures are reset when all are in):
saves: list[dict] = []  # every save answered 302, with what its message said
logins: list[float] = []  # the password checks, in ms
failures: list[dict] = []  # every failed request
requests = [0]  # every request


@events.request.add_listener
def _keep(name, response_time, exception, **_kwargs):
    requests[0] += 1
    if name == LOGIN_CHECK:
        logins.append(response_time)
    if exception is not None:
        failures.append({"name": name, "error": str(exception)})


class Staff(HttpUser):
    # A brisk member of staff: a click every 3 to 10 seconds (real work is slower: a file is
    # read, a note typed). LOAD_WAIT_MIN=1 LOAD_WAIT_MAX=3 clicks as fast as the pages come.
    wait_time = between(
        float(os.environ.get("LOAD_WAIT_MIN", "3")), float(os.environ.get("LOAD_WAIT_MAX", "10"))
    )

    def on_start(self):
        self.requests = 0
        self.username = next(_accounts)
        self.rng = random.Random(self.username)
        page = self.client.get("/login/", name="login page")
        with self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": PLAN["password"],
                "csrfmiddlewaretoken": self._token(page.text),
            },
            name=LOGIN_CHECK,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused ({response.status_code})")
                self.stop()
        self.page("start page", "/")

    # --- requests: a PDF before every twentieth ---------------------------------------------

    def _count(self):
        self.requests += 1
        if self.requests % PDF_EVERY == 0:
            self.requests += 1
            if self.rng.random() < 0.5:
                person = self.rng.choice(PLAN["hour_cards"])
                self.client.get(
                    f"/activities/participants/{person}/hours.pdf", name="PDF: hour card"
                )
            else:
                session = self.rng.choice(PLAN["sessions"])["id"]
                self.client.get(
                    f"/activities/sessions/{session}/list.pdf", name="PDF: attendance list"
                )

    def page(self, name, url, **kwargs):
        self._count()
        return self.client.get(url, name=name, **kwargs)

    def post(self, name, url, data, **kwargs):
        self._count()
        return self.client.post(url, data=data, name=name, **kwargs)

    def _token(self, html):
        found = CSRF.search(html)
        return found.group(1) if found else self.client.cookies.get("csrftoken", "")

    # --- what the staff do ------------------------------------------------------------------

    @task(2)
    def start_page(self):
        self.page("start page", "/")

    @task(3)
    def participant_list(self):
        # The first pages, as people browse; further on they search or filter instead.
        page = self.rng.choice([1, 1, 1, 2, 2, 3, 4, 5])
        if self.rng.random() < 0.3:
            self.page("participant list", f"/participants/?status=active&page={page}")
        else:
            self.page("participant list", f"/participants/?page={page}")

    @task(2)
    def search(self):
        self.post(
            "participant list: search (POST)",
            "/participants/",
            {"q": self.rng.choice(PLAN["surnames"]), "csrfmiddlewaretoken": self._token("")},
            allow_redirects=False,
        )
        self.page("participant list, searched", "/participants/")
        self.post(
            "participant list: search (POST)",
            "/participants/",
            {"clear": "1", "csrfmiddlewaretoken": self._token("")},
            allow_redirects=False,
        )

    @task(4)
    def participant_file(self):
        person = self.rng.choice(PLAN["files"])
        response = self.page("participant file", f"/participants/{person}/")
        for url in DEFERRED.findall(response.text or ""):
            self.page(
                "participant file: part loaded in view",
                unescape(url),
                headers={"HX-Request": "true"},
            )

    @task(3)
    def hour_card(self):
        person = self.rng.choice(PLAN["hour_cards"])
        self.page("hour card", f"/activities/participants/{person}/hours/")

    @task(2)
    def take_attendance(self):
        number = next(_saves) // 2  # two saves for each session, one after the other
        if number >= len(PLAN["sessions"]):
            return
        session = PLAN["sessions"][number]
        url = f"/activities/sessions/{session['id']}/"
        screen = self.page("attendance screen", url)
        data = {"csrfmiddlewaretoken": self._token(screen.text)}
        for person in session["roster"]:
            mark, late = planned_mark(session["id"], person)
            data[f"mark-{person}"] = mark
            if late:
                data[f"late-{person}"] = late
        with self.post(
            "attendance save", url, data, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"attendance not saved ({response.status_code})")
                return
        after = self.page("attendance screen", url)
        said = SAVED.search(unescape(after.text or ""))
        saves.append(
            {
                "session": session["id"],
                "by": self.username,
                "created": int(said.group(1)) if said else None,
                "changed": int(said.group(2)) if said else None,
            }
        )


def _figures(entry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "p50_ms": entry.get_response_time_percentile(0.5),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "max_ms": round(entry.max_response_time or 0, 1),
    }


@events.test_stop.add_listener
def write_result(environment, **_kwargs):
    stats = environment.stats
    groups = {}
    for (name, _method), entry in sorted(stats.entries.items()):
        group = groups.get(name)
        if group is None:
            groups[name] = group = StatsEntry(stats, name, "")
        group.extend(entry)  # a name can have a GET and a POST
    pages = StatsEntry(stats, "pages", "")
    pdfs = StatsEntry(stats, "PDFs", "")
    for name, entry in groups.items():
        if name.startswith("PDF"):
            pdfs.extend(entry)
        elif name != LOGIN_CHECK:
            pages.extend(entry)
    ordered = sorted(logins)
    result = {
        "logins": {
            "requests": len(ordered),
            "p50_ms": round(ordered[len(ordered) // 2]) if ordered else 0,
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)]) if ordered else 0,
        },
        "failures": failures,
        "requests_whole_run": requests[0],
        "names": {name: _figures(entry) for name, entry in groups.items()},
        "pages": _figures(pages),
        "pdfs": _figures(pdfs),
        "total": _figures(stats.total),
        "rps": round(stats.total.total_rps, 1),
        "errors": [
            {"name": error.name, "error": str(error.error), "count": error.occurrences}
            for error in stats.errors.values()
        ],
        "saves": saves,
    }
    with open(os.environ["LOAD_RESULT"], "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1, ensure_ascii=False)
