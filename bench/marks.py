"""The marks make load saves (bench/locustfile.py) and then counts (bench/load.py): known in
advance from the session and the person, the same for every save of one session. No Django here:
locust imports it."""


def planned_mark(session: int, person: int) -> tuple[str, str]:
    """The mark and minutes late of ``person`` at ``session``: mostly present, some late,
    excused and absent (an absence runs the absence rule)."""
    kind = (session * 7 + person) % 10
    if kind == 0:
        return "absent", ""
    if kind == 1:
        return "late", "15"
    if kind == 2:
        return "excused", ""
    return "present", ""
