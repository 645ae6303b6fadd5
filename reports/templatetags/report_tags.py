"""The trajectory chart: each sphere's rating (1–5) from the initial diagnosis through the change
reports to the final one, drawn as SVG on the server (the same chart on the page and in the PDF)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kis_site.vocabulary import Sphere

register = template.Library()

COLOURS = {
    "socio_living": "#1d5f86",
    "health": "#b3261e",
    "social": "#2e7d32",
    "psychological": "#7b3fa0",
    "vocational": "#b26a00",
}
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 220, 56, 48, 14, 36


@register.simple_tag
def trajectory_chart(points, spheres):
    if not points:
        return ""
    step = (WIDTH - LEFT - RIGHT) / max(len(points) - 1, 1)

    def x(index):
        return LEFT + index * step if len(points) > 1 else (WIDTH - LEFT - RIGHT) / 2 + LEFT

    def y(rating):
        return TOP + (5 - rating) * (HEIGHT - TOP - BOTTOM) / 4

    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d5dbe1" stroke-width="1"/>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#444">{}</text>',
        (
            (LEFT, f"{y(r):.1f}", WIDTH - RIGHT, f"{y(r):.1f}", LEFT - 8, f"{y(r) + 4:.1f}", r)
            for r in range(1, 6)
        ),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#333">{}</text>',
        ((f"{x(i):.1f}", HEIGHT - BOTTOM + 20, point.label) for i, point in enumerate(points)),
    )
    lines = []
    for offset, sphere in enumerate(spheres):
        colour = COLOURS[sphere]
        coords = [
            (x(i), y(point.ratings[sphere]) + (offset - 2) * 1.5)
            for i, point in enumerate(points)
            if point.ratings.get(sphere)
        ]
        if not coords:
            continue
        lines.append(
            format_html(
                '<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"/>',
                colour,
                " ".join(f"{a:.1f},{b:.1f}" for a, b in coords),
            )
        )
        lines.append(
            format_html_join(
                "",
                '<circle cx="{}" cy="{}" r="3.5" fill="{}"/>',
                ((f"{a:.1f}", f"{b:.1f}", colour) for a, b in coords),
            )
        )
    legend = format_html_join(
        "",
        '<span class="kis-legend-item"><svg width="14" height="10" aria-hidden="true">'
        '<rect width="14" height="10" fill="{}"/></svg> {}</span>',
        ((COLOURS[s], Sphere(s).label) for s in spheres),
    )
    summary = "; ".join(
        f"{Sphere(s).label}: " + " → ".join(str(p.ratings.get(s) or "–") for p in points)
        for s in spheres
    )
    return format_html(
        '<figure class="kis-trajectory"><svg viewBox="0 0 {} {}" role="img" aria-label="{}">'
        "<title>{}</title>{}{}{}</svg><figcaption>{}</figcaption></figure>",
        WIDTH,
        HEIGHT,
        _("Ratings of the spheres over time: %(summary)s") % {"summary": summary},
        _("Trajectory of the ratings"),
        grid,
        mark_safe("".join(str(line) for line in lines)),  # noqa: S308 - each built by format_html
        labels,
        legend,
    )
