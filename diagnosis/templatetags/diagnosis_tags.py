"""The answers of a diagnosis item as the page and the PDF show them, and the RIASEC hexagon."""

import math

from django import template
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from diagnosis.models import RIASEC

register = template.Library()


def _value(part, name):
    field = part._meta.get_field(name)
    value = getattr(part, name)
    if value is None or value == "":
        return None
    if field.choices:
        return getattr(part, f"get_{name}_display")()
    if field.get_internal_type() == "BooleanField":
        return _("yes") if value else _("no")
    if field.get_internal_type() == "DateField":
        return date_format(value, "SHORT_DATE_FORMAT")
    return value


@register.simple_tag
def answers(part, item):
    """The item's answers: ``[{"label", "value", "text"}]``; a description (free text) has
    ``text`` True and is shown as a paragraph, short answers as "label: value"."""
    result = []
    for name in item.fields:
        field = part._meta.get_field(name)
        result.append(
            {
                "label": field.verbose_name,
                "value": _value(part, name),
                "text": field.get_internal_type() == "TextField",
            }
        )
    return result


@register.simple_tag
def income_rows(part):
    rows = []
    for income in getattr(part, "current_incomes", None) or part.incomes.filter(removed=False):
        amount = (
            _("%(amount)s PLN monthly") % {"amount": number_format(income.amount, 2)}
            if income.amount is not None
            else _("amount not given")
        )
        regularity = _("regular") if income.regular else _("irregular")
        rows.append(f"{income.get_kind_display()}: {amount}, {regularity}")
    return rows


@register.simple_tag
def job_rows(part):
    rows = []
    for job in getattr(part, "current_jobs", None) or part.jobs.filter(removed=False):
        until = date_format(job.ended_on, "SHORT_DATE_FORMAT") if job.ended_on else _("now")
        rows.append(
            {
                "period": f"{date_format(job.started_on, 'SHORT_DATE_FORMAT')} – {until}",
                "employer": job.employer,
                "position": job.position,
            }
        )
    return rows


SIZE = 220
CENTRE = SIZE / 2
RADIUS = 70


def _point(index: int, share: float) -> tuple[float, float]:
    angle = math.radians(-90 + 60 * index)
    return (
        round(CENTRE + RADIUS * share * math.cos(angle), 1),
        round(CENTRE + RADIUS * share * math.sin(angle), 1),
    )


def _points(shares) -> str:
    return " ".join(f"{x},{y}" for x, y in (_point(i, s) for i, s in enumerate(shares)))


@register.simple_tag
def holland_hexagon(result, title=""):
    """The six RIASEC scores on a hexagon (R at the top, clockwise), as inline SVG.

    The same markup is used by the page and by WeasyPrint; it carries its own text alternative.
    """
    scores = result.scores
    maximum = result.max_score or max(scores) or 1
    shares = [min(score / maximum, 1) for score in scores]
    grid = format_html_join(
        "",
        '<polygon points="{}" fill="none" stroke="#bbb" stroke-width="0.7"/>',
        ((_points([level] * 6),) for level in (0.25, 0.5, 0.75, 1)),
    )
    spokes = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ccc" stroke-width="0.7"/>',
        ((CENTRE, CENTRE, *_point(i, 1)) for i in range(6)),
    )
    label_rows = []
    for index, (letter, score) in enumerate(zip(RIASEC, scores, strict=True)):
        x, y = _point(index, 1.27)
        label_rows.append((x, y - 6, letter, x, y + 7, score))
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" dominant-baseline="middle" font-size="12" '
        'font-weight="bold">{}</text><text x="{}" y="{}" text-anchor="middle" '
        'dominant-baseline="middle" font-size="10">{}</text>',
        label_rows,
    )
    description = _("Holland test: %(scores)s (maximum %(max)s per scale); code %(code)s") % {
        "scores": ", ".join(f"{letter} {score}" for _x, _y, letter, _x2, _y2, score in label_rows),
        "max": maximum,
        "code": result.code,
    }
    return format_html(
        '<svg class="kis-hexagon" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        'role="img" aria-label="{description}" xmlns="http://www.w3.org/2000/svg">'
        "<title>{title}</title>{grid}{spokes}"
        '<polygon points="{shape}" fill="rgba(13,94,150,0.25)" stroke="#0d5e96" '
        'stroke-width="1.6"/>{labels}</svg>',
        size=SIZE,
        description=description,
        title=title or description,
        grid=grid,
        spokes=spokes,
        shape=_points(shares),
        labels=labels,
    )


@register.simple_tag
def item_label(item, programme, screen=False):
    """An item's label: as printed (capitals), or in sentence case for the pages."""
    return item.on_screen(programme) if screen else item.printed(programme)
