from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from cases import extensions, restrictions

register = template.Library()


@register.inclusion_tag("includes/record_notices.html")
def record_notices(young_person):
    """Restrictions first (the DPO's alone to change), then what the apps above add."""
    return {"notices": restrictions.restriction_notices(young_person) + extensions.notices_for(young_person)}


@register.simple_tag
def person_cells(person) -> list:
    """The registered columns' cells for one row of a people table."""
    return [column.cell(getattr(person, column.key, None)) for column in extensions.columns()]


@register.simple_tag
def column_labels() -> list[str]:
    return [column.label for column in extensions.columns()]


@register.simple_tag
def people_headers(sort: str = "", sortable: bool = False) -> list[dict]:
    """The people table's column headers, in order. With ``sortable``, each carries the sort its link
    asks for (the reverse of the current one on the sorted column) and its ``aria-sort``."""
    headers = [("name", "Name"), *((c.key, c.label) for c in extensions.columns())]
    headers += [("next_action", "Next action"), ("last_contact", "Last contact"), ("support", "Support")]
    headers += [("adviser", "Lead adviser"), ("team", "Team")]
    current = sort or "name"
    found = []
    for key, label in headers:
        state = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
        found.append(
            {
                "label": label,
                "sort": f"-{key}" if state == "ascending" else key,
                "aria_sort": state if sortable else "",
            }
        )
    return found


NOT_RECORDED = mark_safe('<span class="govuk-hint govuk-!-margin-0">Not recorded</span>')  # nosec B308 B703 - a constant


@register.simple_tag
def summary_row(key, value, multiline=False):
    """One row of a GOV.UK summary list; an empty value says "Not recorded". A tag, not an include:
    a record page has a hundred of them."""
    if value:
        shown = linebreaksbr(value, autoescape=True) if multiline else conditional_escape(value)
    else:
        shown = NOT_RECORDED
    return format_html(
        '<div class="govuk-summary-list__row">\n  <dt class="govuk-summary-list__key">{}</dt>\n'
        '  <dd class="govuk-summary-list__value">{}</dd>\n</div>',
        key,
        shown,
    )
