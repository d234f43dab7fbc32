from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def figure(context, measure: str, count, label: str, dimension: str = "", value="") -> SafeString:
    """A dashboard figure linking to who it counts (in ``dimension``'s ``value``, in the team chosen).
    A tag, not an include: a dashboard has three hundred of them, and the includes were a fifth of an
    uncached dashboard's time."""
    if (people := context.render_context.get("figure_people_url")) is None:
        people = context.render_context["figure_people_url"] = reverse("tracking:dashboard-people")
    query = f"?measure={measure}"
    if dimension:
        query += f"&dimension={dimension}&value={quote(str(value), safe='/')}"
    if team := context.get("team"):
        query += f"&team={team}"
    return format_html(
        '<a class="govuk-link" href="{}{}">{}<span class="govuk-visually-hidden"> {}: see who</span></a>',
        people,
        query,
        count,
        label,
    )


@register.simple_tag(takes_context=True)
def bar_chart(context, rows) -> SafeString:
    """A bar per row on the page's common scale (``scale`` in the context: tracking.dashboards.Scale),
    rows with label, combined_rate and bar (its length, %). The figures are also in the table beside
    it, so the chart is hidden from screen readers. A tag: a template loop drew the scale's grid lines
    afresh in every bar, a seventh of an uncached dashboard's time."""
    marks = context["scale"].marks
    grid = format_html_join(
        "",
        '<line class="app-bar-chart__grid" x1="{}%" x2="{}%" y1="0" y2="100%"></line>',
        ((at, at) for _, at in marks),
    )
    bars = format_html_join(
        "\n",
        '<div class="app-bar-chart__row">\n<span class="app-bar-chart__label">{}</span>\n'
        '<svg class="app-bar-chart__bar" focusable="false">{}'
        '<rect x="0" y="20%" height="60%" width="{}%"></rect></svg>\n'
        '<span class="app-bar-chart__value">{}%</span>\n</div>',
        (
            (row["label"], grid, row["bar"], "-" if row["combined_rate"] is None else row["combined_rate"])
            for row in rows
        ),
    )
    anchors = ["start", *["middle"] * (len(marks) - 2), "end"] if len(marks) > 1 else ["start"]
    axis = format_html_join(
        "",
        '<text x="{}%" y="75%" text-anchor="{}">{}%</text>',
        ((at, anchor, tick) for (tick, at), anchor in zip(marks, anchors, strict=True)),
    )
    return format_html(
        '<div class="app-bar-chart" aria-hidden="true">\n{}\n<div class="app-bar-chart__row">\n'
        '<span class="app-bar-chart__label app-bar-chart__axis-title">NEET and not known</span>\n'
        '<svg class="app-bar-chart__axis" focusable="false">{}</svg>\n<span></span>\n</div>\n</div>',
        bars,
        axis,
    )
