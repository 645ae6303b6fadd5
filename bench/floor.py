"""Floors: the same rows fetched by one raw SQL query, rendered in the same base layout.

No ORM, no forms, no access logic: what the page would cost if it did nothing but show data.
A page that must record its read in the audit log (the participant's file) has its floor write
the same row by one raw INSERT: that write is part of the minimum such a page does.
"""

from django.db import connection
from django.shortcuts import render

LIST_SQL = """
SELECT p.id, p.last_name, p.first_name, p.birth_date, e.status, c.name, e.starts_on,
       e.planned_end_on, s.first_name || ' ' || s.last_name
FROM participants_participant p
LEFT JOIN participants_enrolment e ON e.id = (
    SELECT e2.id FROM participants_enrolment e2 WHERE e2.participant_id = p.id
    ORDER BY e2.starts_on DESC, e2.id DESC LIMIT 1)
LEFT JOIN participants_cohort c ON c.id = e.cohort_id
LEFT JOIN kis_site_staffmember s ON s.id = p.case_manager_id
{where}
ORDER BY p.sort_name, p.id
LIMIT 25
"""

FILE_SQL = """
SELECT 'p', p.first_name, p.last_name, p.pesel, p.city, p.street, NULL
  FROM participants_participant p WHERE p.id = %(pk)s
UNION ALL
SELECT 'e', e.status, e.starts_on, e.planned_end_on, c.name, e.exit_outcome, NULL
  FROM participants_enrolment e LEFT JOIN participants_cohort c ON c.id = e.cohort_id
  WHERE e.participant_id = %(pk)s
UNION ALL
SELECT 'a', a.received_on, a.decision, a.decided_on, a.reason, NULL, NULL
  FROM participants_application a WHERE a.participant_id = %(pk)s
UNION ALL
SELECT 'f', f.first_name, f.relation, f.birth_year, NULL, NULL, NULL
  FROM participants_familymember f WHERE f.participant_id = %(pk)s
UNION ALL
SELECT 'n', n.kind, n.happened_on, n.text, s.first_name || ' ' || s.last_name, n.section, NULL
  FROM participants_casenote n JOIN kis_site_staffmember s ON s.id = n.author_id
  WHERE n.participant_id = %(pk)s
UNION ALL
SELECT 'r', g."group", g.since, NULL, NULL, NULL, NULL
  FROM participants_participantriskgroup g WHERE g.participant_id = %(pk)s AND g.ended_on IS NULL
UNION ALL
SELECT 's', c.to_status, c.changed_on, c.reason, NULL, NULL, NULL
  FROM participants_enrolmentstatuschange c
  JOIN participants_enrolment e ON e.id = c.enrolment_id WHERE e.participant_id = %(pk)s
UNION ALL
SELECT 'k', k.number, k.valid_from, k.valid_until, k.state, NULL, NULL
  FROM participants_socialcontract k WHERE k.participant_id = %(pk)s
UNION ALL
SELECT 'o', i.name, o.referred_on, o.status, NULL, NULL, NULL
  FROM participants_outgoingreferral o JOIN partners_institution i ON i.id = o.institution_id
  WHERE o.participant_id = %(pk)s
UNION ALL
SELECT 'd', d.kind, d.started_on, d.state,
       sl.rating || ' ' || h.rating || ' ' || so.rating, ps.rating, v.rating
  FROM diagnosis_diagnosticreport d
  JOIN diagnosis_sociolivingsphere sl ON sl.report_id = d.id
  JOIN diagnosis_healthsphere h ON h.report_id = d.id
  JOIN diagnosis_socialsphere so ON so.report_id = d.id
  JOIN diagnosis_psychologicalsphere ps ON ps.report_id = d.id
  JOIN diagnosis_vocationalsphere v ON v.report_id = d.id
  WHERE d.participant_id = %(pk)s
UNION ALL
SELECT 'g', g.sphere, g.description, g.status, pl.review_on, SUM(a.planned_hours), pl.state
  FROM ipd_goal g JOIN ipd_actionplan pl ON pl.id = g.plan_id
  LEFT JOIN ipd_planaction a ON a.goal_id = g.id AND NOT a.removed
  WHERE pl.participant_id = %(pk)s AND NOT g.removed GROUP BY g.id
UNION ALL
SELECT 'h', s.module_id, SUM(t.hours), NULL, NULL, NULL, NULL
  FROM activities_attendance t JOIN activities_session s ON s.id = t.session_id
  WHERE t.participant_id = %(pk)s GROUP BY s.module_id
"""


def participant_list(request):
    """The list's floor: the same rows (with ?status=, of that status; with ?q=, found by name)."""
    # The files in processing, as the list shows (none restricted or anonymised).
    where, params = "WHERE p.restricted_on IS NULL AND p.anonymised_on IS NULL", []
    if status := request.GET.get("status"):
        where, params = f"{where} AND e.status = %s", [*params, status]
    if text := request.GET.get("q"):  # the search by name: the words the list looks for
        where, params = f"{where} AND p.search_text LIKE %s", [*params, f"%{text}%"]
    with connection.cursor() as cursor:
        cursor.execute(LIST_SQL.format(where=where), params)
        rows = cursor.fetchall()
    return render(request, "bench/floor_list.html", {"rows": rows, "title": "Floor"})


ACCESS_SQL = """
INSERT INTO auditlog_logentry (content_type_id, object_pk, object_id, object_repr, action,
  changes_text, actor_id, timestamp, additional_data)
VALUES (%(type)s, %(pk)s, %(pk)s, 'floor', 3, '', %(actor)s, CURRENT_TIMESTAMP, '{}')
"""


def participant_file(request, pk):
    from django.contrib.contenttypes.models import ContentType

    from participants.models import Participant

    content_type = ContentType.objects.get_for_model(Participant).pk  # cached after the first
    with connection.cursor() as cursor:
        cursor.execute(FILE_SQL, {"pk": pk})
        rows = cursor.fetchall()
        cursor.execute(ACCESS_SQL, {"type": content_type, "pk": pk, "actor": request.user.pk})
    return render(request, "bench/floor_file.html", {"rows": rows, "title": "Floor"})


HOURS_SQL = """
SELECT 'p', s.module_id, SUM(s.planned_hours), COUNT(*)
  FROM activities_rosterentry r JOIN activities_session s ON s.id = r.session_id
  WHERE r.participant_id = %(pk)s AND NOT s.cancelled GROUP BY s.module_id
UNION ALL
SELECT 'd', s.module_id, SUM(a.hours), COUNT(*)
  FROM activities_attendance a JOIN activities_session s ON s.id = a.session_id
  WHERE a.participant_id = %(pk)s GROUP BY s.module_id
UNION ALL
SELECT 'w', strftime('%%Y-%%W', s.date), SUM(s.planned_hours), SUM(a.hours)
  FROM activities_rosterentry r JOIN activities_session s ON s.id = r.session_id
  LEFT JOIN activities_attendance a ON a.session_id = s.id AND a.participant_id = r.participant_id
  WHERE r.participant_id = %(pk)s AND NOT s.cancelled GROUP BY strftime('%%Y-%%W', s.date)
"""


def hour_card(request, pk):
    """The hour card's rows (per module, per week) by one raw query, plus the audit row."""
    from django.contrib.contenttypes.models import ContentType

    from participants.models import Participant

    content_type = ContentType.objects.get_for_model(Participant).pk
    with connection.cursor() as cursor:
        cursor.execute(HOURS_SQL, {"pk": pk})
        rows = cursor.fetchall()
        cursor.execute(ACCESS_SQL, {"type": content_type, "pk": pk, "actor": request.user.pk})
    return render(request, "bench/floor_file.html", {"rows": rows, "title": "Floor"})


COHORT_HOURS_SQL = """
SELECT 'p', r.participant_id, m.category, SUM(s.planned_hours)
  FROM activities_rosterentry r JOIN activities_session s ON s.id = r.session_id
  JOIN activities_programmemodule m ON m.id = s.module_id
  JOIN activities_programme p ON p.id = m.programme_id
  WHERE p.cohort_id = %(pk)s AND NOT s.cancelled AND s.date <= date('now')
  GROUP BY r.participant_id, m.category
UNION ALL
SELECT 'd', a.participant_id, m.category, SUM(a.hours)
  FROM activities_attendance a JOIN activities_session s ON s.id = a.session_id
  JOIN activities_programmemodule m ON m.id = s.module_id
  JOIN activities_programme p ON p.id = m.programme_id
  WHERE p.cohort_id = %(pk)s GROUP BY a.participant_id, m.category
"""


def cohort_hours(request, pk):
    """The group ledger's rows by one raw query (names are in the ledger's rows too)."""
    with connection.cursor() as cursor:
        cursor.execute(COHORT_HOURS_SQL, {"pk": pk})
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT id, first_name, last_name FROM participants_participant WHERE id IN "
            "(SELECT participant_id FROM participants_enrolment WHERE cohort_id = %s)",
            [pk],
        )
        rows += cursor.fetchall()
    return render(request, "bench/floor_file.html", {"rows": rows, "title": "Floor"})
