"""Many counts in one query: a page that shows a dozen numbers (the start page's tiles) asks
the database once, whatever the number of tiles."""

from django.db import connections
from django.db.models import Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce


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


def count_of(queryset: QuerySet):
    """An annotation: the rows of ``queryset`` (filtered on an ``OuterRef``) counted by a
    subquery per row. Counting two relations with ``Count(..., distinct=True)`` joins both and
    multiplies the rows (a session's 30 roster entries times its 30 marks)."""
    counted = queryset.order_by().annotate(_count=Func("pk", function="COUNT")).values("_count")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)
