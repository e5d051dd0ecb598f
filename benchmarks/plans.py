"""The slowest queries of a request, with their PostgreSQL plans.

Used by the dashboard and HTTP load benchmarks: a request is made in-process under
``CaptureQueriesContext``, and its slowest SELECT statements get ``EXPLAIN (ANALYZE, BUFFERS)``
(read-only). On another database the plans are left out.
"""

from typing import Any


def explain_slowest(connection: Any, queries: list[dict], count: int = 3) -> list[dict]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the ``count`` slowest SELECTs among ``queries`` (as
    ``CaptureQueriesContext.captured_queries`` holds them), slowest first."""
    if connection.vendor != "postgresql":
        return []
    selects = [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    top = sorted(selects, key=lambda q: float(q["time"]), reverse=True)[:count]
    plans = []
    with connection.cursor() as cursor:
        for query in top:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plans.append(
                {
                    "seconds": float(query["time"]),
                    "sql": query["sql"],
                    "plan": "\n".join(row[0] for row in cursor.fetchall()),
                }
            )
    return plans


def print_plans(plans: list[dict], title: str = "") -> None:
    for plan in plans:
        print(f"\n-- {title}{plan['seconds'] * 1000:.1f} ms: {plan['sql'][:300]}\n{plan['plan']}")
