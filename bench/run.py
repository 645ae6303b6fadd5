"""make bench: measure the pages on a large dataset, through the full middleware stack.

Each page is compared, in the same run, with its floor (the same rows by one raw SQL query in the
same layout) and, where there is one, its peer (the Django admin changelist). Results are printed
as a table and written to bench/results.json; later issues append their own rows.
"""

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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import dataset  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results.json"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "150"))
WARMUP = 5


def measure(client, *urls, rounds=ROUNDS):
    """Time the URLs interleaved (page, floor, peer, page, ...) so that a busy moment of the
    machine falls on all of them alike; returns one result per URL."""
    for url in urls:
        for _ in range(WARMUP):
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


def row(name, size, page, floor=None, peer=None, target=None):
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
    }


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

    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=info["manager"]))
    size = 5000
    sample = info["sample"]
    rows = []

    floor_list, peer_list = "/bench/floor/participants/", "/admin/participants/participant/"
    page, floor, peer = measure(client, "/participants/", floor_list, peer_list)
    rows.append(row("participant list", size, page, floor, peer, 150))

    page, floor, peer = measure(client, "/participants/?status=active", floor_list, peer_list)
    rows.append(row("participant list, filtered by status", size, page, floor, peer, 150))

    client.post("/participants/", {"q": "kowal"})
    page, floor, peer = measure(client, "/participants/", floor_list, peer_list)
    rows.append(row("participant list, searched by name", size, page, floor, peer, 150))
    client.post("/participants/", {"clear": "1"})

    page, floor, peer = measure(
        client,
        f"/participants/{sample}/",
        f"/bench/floor/participants/{sample}/",
        f"/admin/participants/participant/{sample}/change/",
    )
    rows.append(row("participant file", size, page, floor, peer, 150))

    contract = dataset.contract_for(sample)
    page = measure(client, f"/participants/contracts/{contract}/", rounds=ROUNDS // 3)
    rows.append(row("contract page (document panel)", size, page, None, None, 150))
    page = measure(client, f"/documents/contract/{contract}/pdf/", rounds=10)
    rows.append(row("contract PDF, rendered (draft)", size, page, None, None, 1000))

    report = dataset.diagnosis_for(sample)
    page = measure(client, f"/diagnosis/{report}/", rounds=ROUNDS // 3)
    rows.append(row("diagnosis page (five spheres, Holland)", size, page, None, None, 150))
    page = measure(client, f"/documents/diagnosis/{report}/pdf/", rounds=10)
    rows.append(row("diagnosis PDF, rendered (draft)", size, page, None, None, 1500))

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
    rows.append(row("attendance save (30 marks)", marked["marks"], saved, None, None, 150))

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
    rows.append(row("IPD page", planned["goals"], page, None, None, 150))
    page = measure(client, f"/documents/ipd/{plan}/pdf/", rounds=10)
    rows.append(row("IPD PDF, rendered (draft)", planned["goals"], page, None, None, 1000))
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
    page, floor, peer = measure(
        client,
        f"/participants/{sample}/",
        f"/bench/floor/participants/{sample}/",
        f"/admin/participants/participant/{sample}/change/",
    )
    rows.append(row(f"participant file, plan of {goals} goals", size, page, floor, peer, 150))

    cm_client = Client()
    cm_client.force_login(get_user_model().objects.get(username=info["case_manager"]))
    page = measure(cm_client, "/")
    rows.append(row("start page (case manager)", size, page, None, None, 200))

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
        if r["ratio"] is not None and r["ratio"] > 4:
            failed.append(f"{r['name']}: more than 4× the floor")
        if r["peer_ratio"] is not None and r["peer_ratio"] >= 1:
            failed.append(f"{r['name']}: not faster than the admin")
    for what, few, many in constant:
        if few != many:
            failed.append(f"{what}: {few} queries with the shortest plan, {many} with the longest")
    print(f"\nWritten to {RESULTS}")
    if failed:
        print("Targets missed:\n  " + "\n  ".join(failed))
    database.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
