"""Where one page spends its time, on the database ``make bench`` kept (``BENCH_KEEP=1``):

    .venv/bin/python -m bench.explain /reports/outcomes/?start=... [--user NAME] [--top N]

prints its queries (the slowest first, the repeated ones counted) and the project's functions by
cumulative time (cProfile). For development only: it reads the bench's database, never the
club's."""

import argparse
import os
import re
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from bench.run import captured, explain_slow, login  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--user", default="bench0", help="who asks (default: the manager)")
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    client = login(args.user)
    queries = captured(client, args.url)
    shapes = Counter(
        re.sub(r"'[^']*'|\b\d+\b", "?", re.sub(r"IN \([^()]*\)", "IN (…)", q["sql"]))[:160]
        for q in queries
    )
    repeated = [(count, sql) for sql, count in shapes.items() if count > 1]
    if repeated:
        print("  repeated queries:")
        for count, sql in sorted(repeated, reverse=True):
            print(f"    {count}×  {sql}")
    explain_slow(client, args.url, top=args.top)


if __name__ == "__main__":
    main()
