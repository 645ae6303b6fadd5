"""make bench: measure the pages on a large dataset, through the full middleware stack.

Each page is compared, in the same run, with its floor (the same rows by one raw SQL query in the
same layout) and, where there is one, its peer (the Django admin changelist). Results are printed
as a table and written to bench/results.json; later issues append their own rows.
"""

import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import dataset  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results.json"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))  # the whole run within 10 minutes
WARMUP = 5


def measure(client, *urls, rounds=ROUNDS, warmup=WARMUP):
    """Time the URLs interleaved (page, floor, peer, page, ...) so that a busy moment of the
    machine falls on all of them alike; returns one result per URL."""
    for url in urls:
        for _ in range(warmup):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    times = {url: [] for url in urls}
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            client.get(url)
            times[url].append((time.perf_counter() - started) * 1000)
    results = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        samples = sorted(times[url])
        results.append(
            {
                "p50_ms": round(statistics.median(samples), 2),
                "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
                "queries": len(queries),
            }
        )
    return results if len(results) > 1 else results[0]


def save_times(client, sessions):
    """POST the whole roster of each (unmarked) session once: one save of 30 marks each."""
    from activities.models import RosterEntry

    times = []
    for session in sessions:
        people = RosterEntry.objects.filter(session_id=session).values_list(
            "participant_id", flat=True
        )
        data = {f"mark-{pk}": "present" for pk in people}
        started = time.perf_counter()
        response = client.post(f"/activities/sessions/{session}/", data)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.post(f"/activities/sessions/{sessions[0]}/", data)
    samples = sorted(times)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "queries": len(queries),
    }


def login(username):
    """A client past both steps of the login, as in production: its session holds the verified
    two-factor device, which django-otp reads on every request (kis_site/two_factor.py)."""
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def captured(client, url):
    """The queries of one (warm) request of ``url``."""
    client.get(url)  # caches (content types, the session) warm, as in measure()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return list(queries.captured_queries)


def explain_slow(client, url, top=6):
    """Where a slow page spends its time: its slowest queries, and the project's functions with
    the most cumulative time (the Python side: rows turned into objects, loops)."""
    import cProfile
    import io
    import pstats

    queries = captured(client, url)
    print(
        f"    {len(queries)} queries, {sum(float(q['time']) for q in queries) * 1000:.0f} ms "
        "in the database; the slowest:"
    )
    for query in sorted(queries, key=lambda q: -float(q["time"]))[:top]:
        print(f"      {float(query['time']) * 1000:7.1f} ms  {query['sql'][:400]}")
    profile = cProfile.Profile()
    profile.enable()
    client.get(url)
    profile.disable()
    out = io.StringIO()
    root = str(Path(__file__).resolve().parent.parent)
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    stats.print_stats(rf"^{root}/(?!\.venv|bench)", top * 2)
    print("    the project's functions by cumulative time (profiled, so slower):")
    for line in out.getvalue().splitlines():
        if root in line and "middleware.py" not in line and "List reduced" not in line:
            print("      " + line.replace(root + "/", "").strip())


def measure_htmx(client, url, rounds):
    """measure() of a fragment the page loads with htmx (the HX-Request header)."""
    headers = {"HTTP_HX_REQUEST": "true"}
    client.get(url, **headers)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    samples = sorted(times)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(int(len(samples) * 0.95) - 1, 0)], 2),
        "queries": len(queries),
    }


def measure_within(client, url, budget_ms=15000):
    """measure() with as many rounds as fit ``budget_ms`` (at least 5, at most ROUNDS): a page
    that misses its target by seconds must not hold the bench up for an hour."""
    client.get(url)
    started = time.perf_counter()
    client.get(url)
    once = (time.perf_counter() - started) * 1000
    rounds = max(5, min(ROUNDS, int(budget_ms / max(once, 1))))
    if rounds < ROUNDS:
        print(f"  {url}: {once:.0f} ms a request, {rounds} rounds", flush=True)
    return measure(client, url, rounds=rounds, warmup=1 if once > 500 else WARMUP)


# The targets of the performance issue, checked after the run (never as timed assertions).
MAX_QUERIES = 15  # every HTML page
LIST_FLOOR = 2  # list pages: within 2× their raw-SQL floor
FILE_FLOOR, FILE_PEER = 3, 0.8  # the participant's file: 3× its floor, 0.8× the admin page
TAIL = 2  # p95 within 2× p50 where a row asks (the IPD page)


def row(name, size, page, floor=None, peer=None, target=None, **limits):
    """One line of the table. ``limits``: ``max_floor`` (at most this many times the floor),
    ``max_peer`` (this many times the peer), ``tail`` (p95 within this many times p50) and
    ``html=False`` for what is not an HTML page (a PDF, a save), exempt from MAX_QUERIES."""
    return {
        "name": name,
        "size": size,
        "p50_ms": page["p50_ms"],
        "p95_ms": page["p95_ms"],
        "floor_p95_ms": floor["p95_ms"] if floor else None,
        "ratio": round(page["p95_ms"] / floor["p95_ms"], 2) if floor else None,
        "peer_p95_ms": peer["p95_ms"] if peer else None,
        "peer_ratio": round(page["p95_ms"] / peer["p95_ms"], 2) if peer else None,
        "queries": page["queries"],
        "target_p95_ms": target,
        "max_floor_ratio": limits.get("max_floor"),
        "max_peer_ratio": limits.get("max_peer", 1 if peer else None),
        "max_tail": limits.get("tail"),
        "max_queries": MAX_QUERIES if limits.get("html", True) else None,
    }


def file_row(client, person, name, size):
    """The participant's file against its floor and the admin change page of the same person,
    with the file's limits (100 ms, 3× the floor, 0.8× the admin)."""
    page, floor, peer = measure(
        client,
        f"/participants/{person}/",
        f"/bench/floor/participants/{person}/",
        f"/admin/participants/participant/{person}/change/",
    )
    return row(name, size, page, floor, peer, 100, max_floor=FILE_FLOOR, max_peer=FILE_PEER)


def change_report_rows(client, info, constant):
    """Change reports on every participation with a signed initial diagnosis (one a calendar
    month): the report page, the file with its trajectory, and the start pages with their two
    change-report tiles (due this month, overdue), whose queries must not grow with the people."""
    print("Adding earlier rounds, signing the initial diagnoses, adding change reports ...")
    started = time.perf_counter()
    earlier = dataset.earlier_rounds()
    made = dataset.change_reports(sample=info["sample"])
    print(
        f"  {made['reports']} change reports ({made['signed']} signed, {made['drafts']} drafts), "
        f"{made['spheres']} spheres, on {made['diagnoses_signed']} participations with a signed "
        f"diagnosis ({earlier} of them earlier, completed rounds) in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    reports, person, rows = made["reports"], made["participant"], []
    page = measure(client, f"/reports/change-reports/{made['report']}/", rounds=ROUNDS // 3)
    rows.append(row("change report page (signed)", reports, page, None, None, 150))
    page = measure(client, f"/reports/change-reports/{made['draft']}/", rounds=ROUNDS // 3)
    rows.append(row("change report page (draft)", reports, page, None, None, 150))
    rows.append(file_row(client, person, "participant file, reports + trajectory", reports))

    few = dataset.case_manager_with_few(count=3)
    users = [
        ("case manager", info["case_manager"]),
        ("3-person case mgr", few),
        ("manager", info["manager"]),
        ("social worker", info.get("social_worker")),
        ("psychologist", info.get("psychologist")),
    ]
    clients = {}
    for label, username in users:
        if username is None:
            continue
        clients[label] = login(username)
        page = measure_within(clients[label], "/")
        rows.append(row(f"start page + reports ({label})", reports, page, None, None, 150))
        if page["p95_ms"] > 150:
            print(f"  start page ({label}): p95 {page['p95_ms']} ms, above 150 ms:", flush=True)
            explain_slow(clients[label], "/")

    # The start page's queries must not grow with the people a case manager follows.
    small = captured(clients["3-person case mgr"], "/")
    large = captured(clients["case manager"], "/")
    people = f"with {dataset.people_of(info['case_manager'])} people"
    constant.append(("start page (case manager)", len(small), len(large), "with 3 people", people))
    print(
        f"  start page (case manager): {len(small)} queries with 3 people, {len(large)} {people}",
        flush=True,
    )
    if len(small) != len(large):
        print("  WARNING: the start page's queries grow with the people; the queries that differ:")
        import difflib
        import re

        def shape(query):  # the SQL without its values, so only a different query shows
            sql = re.sub(r"IN \([^()]*\)", "IN (…)", query["sql"])
            return re.sub(r"'[^']*'|\b\d+\b", "?", sql)[:300]

        for line in difflib.unified_diff(
            [shape(q) for q in small], [shape(q) for q in large], lineterm="", n=0
        ):
            print("    " + line)
    return rows


def reporting_rows(client):
    """The manager's reports on the whole dataset: the participation-and-outcomes report of a
    cohort and of the whole year, and the yearly report to the voivode as a PDF."""
    from participants.models import Cohort, Enrolment

    cohort = Cohort.objects.annotate(people=Count("enrolments")).order_by("-people", "pk").first()
    enrolments = Enrolment.objects.count()
    year = Enrolment.objects.order_by("starts_on")[enrolments // 2].starts_on.year
    rows = []
    page = measure(
        client,
        f"/reports/outcomes/?start={year}-01-01&end={year}-12-31&cohort={cohort.pk}",
        rounds=ROUNDS // 5,
    )
    rows.append(row("outcomes report (one cohort)", enrolments, page, None, None, 1000))
    page = measure(
        client, f"/reports/outcomes/?start={year}-01-01&end={year}-12-31", rounds=10, warmup=1
    )
    rows.append(row("outcomes report (whole KIS, a year)", enrolments, page, None, None, 1000))
    page = measure_htmx(
        client, f"/reports/outcomes/?start={year}-01-01&end={year}-12-31&part=hours", rounds=10
    )
    rows.append(row("  its hours per activity (on view)", enrolments, page, None, None, 1000))
    page = measure(client, f"/reports/yearly/?year={year}&format=pdf", rounds=5, warmup=1)
    rows.append(
        row("yearly report PDF (whole KIS)", enrolments, page, None, None, 1500, html=False)
    )
    return rows


def working_lists_rows(client, info, sample):
    """The lists behind the start page's tiles and the heavy pages the earlier rows lack: the
    change reports due, the letters due to referrers, the hour card of a person with
    placements, the yearly report page, a person's audit trail of 10,000 entries, and the search
    by name over 50,000 people (the last, because it adds the people)."""
    from activities.models import Placement
    from participants.models import Enrolment

    rows = []
    cm_client = login(info["case_manager"])
    page = measure(cm_client, "/reports/change-reports/due/", rounds=ROUNDS // 3)
    rows.append(row("change reports due (case manager)", 5000, page, None, None, 150))
    for label, url in (
        ("2/3 rule list", "/activities/two-thirds/"),
        ("diagnoses not signed", "/diagnosis/unsigned/"),
        ("plans not signed", "/ipd/unsigned/"),
        ("documents without a scan", "/documents/without-scan/"),
    ):
        page = measure(cm_client, url, rounds=ROUNDS // 3)
        rows.append(row(f"{label} (case manager)", 5000, page, None, None, 150))
    page = measure(client, "/activities/", rounds=ROUNDS // 3)
    rows.append(row("timetable week, all groups", 5000, page, None, None, 150))
    page = measure(cm_client, "/reports/monitoring/", rounds=ROUNDS // 3)
    rows.append(row("falling out of monitoring (case manager)", 5000, page, None, None, 150))
    page = measure(cm_client, "/reports/exits/", rounds=ROUNDS // 3)
    rows.append(row("exits without effects (case manager)", 5000, page, None, None, 150))
    page = measure(cm_client, "/reports/letters/due/", rounds=ROUNDS // 3)
    rows.append(row("letters due to referrers (case manager)", 5000, page, None, None, 150))
    placed = (
        Placement.objects.values("participant_id")
        .annotate(n=Count("id"))
        .order_by("-n", "participant_id")
        .first()["participant_id"]
    )
    page = measure(client, f"/activities/participants/{placed}/hours/", rounds=ROUNDS // 3)
    rows.append(row("hour card, person with placements", 5000, page, None, None, 150))
    enrolments = Enrolment.objects.count()
    year = Enrolment.objects.order_by("starts_on")[enrolments // 2].starts_on.year
    page = measure(client, f"/reports/yearly/?year={year}", rounds=10, warmup=1)
    rows.append(row("yearly report page (whole KIS)", enrolments, page, None, None, 1000))

    print("Adding 10,000 audit entries about one person ...", flush=True)
    entries = dataset.audit_trail(sample)
    page = measure(client, f"/participants/{sample}/audit/", rounds=ROUNDS // 3)
    rows.append(row("audit trail (10,000 entries)", entries, page, None, None, 150))

    print("Adding people up to 50,000 ...", flush=True)
    people = dataset.crowd(total=50000)
    client.post("/participants/", {"q": "kowal"})
    page = measure(client, "/participants/", rounds=ROUNDS // 3)
    rows.append(row("participant list searched (50,000 people)", people, page, None, None, 150))
    client.post("/participants/", {"clear": "1"})
    page = measure(client, "/participants/", rounds=ROUNDS // 3)
    rows.append(row("participant list (50,000 people)", people, page, None, None, 150))
    return rows


def main():
    database = Path(settings.DATABASES["default"]["NAME"])
    if database.exists():
        database.unlink()
    print(f"Building the dataset in {database} ...", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    info = dataset.build()
    dataset.diagnoses(sample=info["sample"])
    print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)

    # As a production worker after kis_site/wsgi.py: what is loaded stays out of the collector.
    gc.collect()
    gc.freeze()
    client = login(info["manager"])
    size = 5000
    sample = info["sample"]
    rows = []

    floor_list, peer_list = "/bench/floor/participants/", "/admin/participants/participant/"
    page, floor, peer = measure(client, "/participants/", floor_list, peer_list)
    rows.append(row("participant list", size, page, floor, peer, 150, max_floor=LIST_FLOOR))

    page, floor, peer = measure(
        client,
        "/participants/?status=active",
        floor_list + "?status=active",
        peer_list,
    )
    rows.append(
        row(
            "participant list, filtered by status",
            size,
            page,
            floor,
            peer,
            150,
            max_floor=LIST_FLOOR,
        )
    )

    client.post("/participants/", {"q": "kowal"})
    page, floor, peer = measure(client, "/participants/", floor_list + "?q=kowal", peer_list)
    rows.append(
        row(
            "participant list, searched by name", size, page, floor, peer, 150, max_floor=LIST_FLOOR
        )
    )
    client.post("/participants/", {"clear": "1"})

    rows.append(file_row(client, sample, "participant file", size))

    contract = dataset.contract_for(sample)
    page = measure(client, f"/participants/contracts/{contract}/", rounds=ROUNDS // 3)
    rows.append(row("contract page (document panel)", size, page, None, None, 150))
    page = measure(client, f"/documents/contract/{contract}/pdf/", rounds=10)
    rows.append(row("contract PDF, rendered (draft)", size, page, None, None, 1000, html=False))

    report = dataset.diagnosis_for(sample)
    page = measure(client, f"/diagnosis/{report}/", rounds=ROUNDS // 3)
    rows.append(row("diagnosis page (five spheres, Holland)", size, page, None, None, 150))
    page = measure(client, f"/documents/diagnosis/{report}/pdf/", rounds=10)
    rows.append(row("diagnosis PDF, rendered (draft)", size, page, None, None, 1000, html=False))

    print("Adding 300 institutions and 20,000 referrals ...", flush=True)
    busiest = dataset.network()
    page = measure(client, "/partners/", rounds=ROUNDS // 3)
    rows.append(row("institution list (300)", 300, page, None, None, 150))
    page = measure(client, f"/partners/{busiest}/", rounds=ROUNDS // 3)
    rows.append(row("institution page (2,000 referrals)", 20000, page, None, None, 150))
    page = measure(client, "/partners/network/", rounds=ROUNDS // 3)
    rows.append(row("network overview (20,000 referrals)", 20000, page, None, None, 150))

    print("Adding the programme, 19,380 sessions and ~550,000 marks ...", flush=True)
    started = time.perf_counter()
    marked = dataset.activities()
    print(f"  {marked['marks']} marks in {time.perf_counter() - started:.1f} s", flush=True)
    person, cohort = marked["participant"], marked["cohort"]
    page, floor = measure(
        client, f"/activities/participants/{person}/hours/", f"/bench/floor/hours/{person}/"
    )
    rows.append(row("hour card (participant ledger)", marked["marks"], page, floor, None, 200))
    page, floor = measure(
        client,
        f"/activities/cohorts/{cohort}/hours/",
        f"/bench/floor/cohort-hours/{cohort}/",
        rounds=ROUNDS // 3,
    )
    rows.append(row("group hours (cohort ledger)", marked["marks"], page, floor, None, 200))
    fresh = dataset.fresh_sessions(cohort, 31)
    page = measure(client, f"/activities/sessions/{fresh[0]}/", rounds=ROUNDS // 3)
    rows.append(row("attendance screen (load, 30 people)", marked["marks"], page, None, None, 150))
    saved = save_times(client, fresh[1:])
    rows.append(
        row("attendance save (30 marks)", marked["marks"], saved, None, None, 150, html=False)
    )

    month = dataset.placements()
    page = measure(client, f"/activities/statements/?kind=psu&month={month}", rounds=ROUNDS // 5)
    rows.append(row("PSU statement (600 people, a month)", 600, page, None, None, 200))

    print("Adding action plans (goals and actions) to the participations ...", flush=True)
    started = time.perf_counter()
    planned = dataset.plans(sample=sample)
    print(
        f"  {planned['plans']} plans, {planned['goals']} goals, {planned['actions']} actions "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    plan = dataset.plan_for(sample)
    goals = dataset.goal_count(plan)
    page = measure(client, f"/ipd/{plan}/", rounds=ROUNDS // 3)
    rows.append(row("IPD page", planned["goals"], page, None, None, 150, tail=TAIL))
    page = measure(client, f"/documents/ipd/{plan}/pdf/", rounds=10)
    rows.append(
        row("IPD PDF, rendered (draft)", planned["goals"], page, None, None, 1000, html=False)
    )
    # The queries must not grow with the goals: the shortest plan that links the same kinds
    # of actions (a group module, a consultation) against the sample's.
    short, short_person = dataset.plan_with_fewest_goals()
    constant = []
    for what, few, many in (
        ("IPD page", f"/ipd/{short}/", f"/ipd/{plan}/"),
        ("participant file", f"/participants/{short_person}/", f"/participants/{sample}/"),
    ):
        counts = []
        for url in (few, many):
            client.get(url)  # caches (content types, settings) warm, as in measure()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts.append(len(queries))
        constant.append((what, *counts))
        print(
            f"  {what}: {counts[0]} queries with {dataset.goal_count(short)} goals, "
            f"{counts[1]} with {goals}",
            flush=True,
        )
    rows.append(file_row(client, sample, f"participant file, plan of {goals} goals", size))

    cm_client = login(info["case_manager"])
    page = measure(cm_client, "/")
    rows.append(row("start page (case manager)", size, page, None, None, 150))

    rows += change_report_rows(client, info, constant)
    rows += reporting_rows(client)
    rows += working_lists_rows(client, info, sample)

    existing = []
    if RESULTS.exists():
        mine = {r["name"] for r in rows}
        existing = [r for r in json.loads(RESULTS.read_text()) if r["name"] not in mine]
    RESULTS.write_text(json.dumps(existing + rows, indent=2, ensure_ascii=False) + "\n")

    header = (
        f"{'page':<40} {'p50':>8} {'p95':>8} {'floor':>8} {'ratio':>6} {'peer':>8} "
        f"{'peer×':>6} {'q':>4} {'target':>7}"
    )
    print(header)
    print("-" * len(header))
    failed = []
    for r in rows:

        def fmt(value, suffix=""):
            return "—" if value is None else f"{value}{suffix}"

        print(
            f"{r['name']:<40} {r['p50_ms']:>8} {r['p95_ms']:>8} {fmt(r['floor_p95_ms']):>8} "
            f"{fmt(r['ratio']):>6} {fmt(r['peer_p95_ms']):>8} {fmt(r['peer_ratio']):>6} "
            f"{r['queries']:>4} {r['target_p95_ms']:>7}"
        )
        if r["p95_ms"] > r["target_p95_ms"]:
            failed.append(f"{r['name']}: p95 above the target")
        if r["ratio"] is not None and r["ratio"] > (r["max_floor_ratio"] or 4):
            failed.append(f"{r['name']}: more than {r['max_floor_ratio'] or 4}× the floor")
        if r["peer_ratio"] is not None and r["peer_ratio"] > r["max_peer_ratio"]:
            failed.append(f"{r['name']}: more than {r['max_peer_ratio']}× the admin page")
        if r["max_tail"] and r["p95_ms"] > r["max_tail"] * r["p50_ms"]:
            failed.append(f"{r['name']}: p95 more than {r['max_tail']}× p50")
        if r["max_queries"] and r["queries"] > r["max_queries"]:
            failed.append(f"{r['name']}: {r['queries']} queries, more than {r['max_queries']}")
    for what, few, many, *labels in constant:
        if few != many:
            few_label, many_label = labels or ("with the shortest plan", "with the longest")
            failed.append(f"{what}: {few} queries {few_label}, {many} {many_label}")
    print(f"\nWritten to {RESULTS}")
    if failed:
        print("Targets missed:\n  " + "\n  ".join(failed))
    if os.environ.get("BENCH_KEEP"):
        print(f"Kept the database for a closer look: {database}")
    else:
        database.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
