"""Many counts in one query: a page that shows a dozen numbers (the start page's tiles) asks
the database once, whatever the number of tiles."""

from django.db import connections
from django.db.models import QuerySet


def count_all(querysets: list[QuerySet]) -> list[int]:
    """The number of rows of each of ``querysets``, in one query (distinct querysets count their
    distinct rows, as ``.count()`` would)."""
    if not querysets:
        return []
    parts, params = [], []
    for index, queryset in enumerate(querysets):
        rows = queryset.order_by().values("pk")
        if queryset.query.distinct:
            rows = rows.distinct()
        sql, sql_params = rows.query.sql_with_params()
        # The ORM compiled ``sql``; every value travels in ``params``.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{index})")  # noqa: S608
        params.extend(sql_params)
    database = querysets[0].db
    with connections[database].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())
