from django import template
from django.template.defaultfilters import linebreaksbr, truncatechars
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

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


def _cells(person) -> SafeString:
    return format_html_join(
        "",
        '<td class="govuk-table__cell">{}{}</td>',
        (
            (
                format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong> ', cell.colour, cell.tag)
                if cell.tag
                else "",
                cell.text,
            )
            for cell in person_cells(person)
        ),
    )


_PEOPLE_ROW = (
    '<tr class="govuk-table__row">\n'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}, {}</a><br>'
    '<span class="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">Born {}</span></td>{}'
    '<td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td>\n</tr>'
)


def _people_row(person) -> tuple:
    """One row's values. Dates as the date filter's "j M Y" would give them, by strftime (English
    month names, as the service's only language): the filter was a third of the rows' time."""
    action: str = "None"
    if person.next_action:
        action = format_html(
            '{}<br><span class="govuk-!-font-size-16">due {}</span>',
            truncatechars(person.next_action, 60),
            f"{person.next_action_due:%-d %b %Y}",
        )
    return (
        reverse("cases:young-person-detail", args=[person.pk]),
        person.legal_family_name,
        person.legal_given_name,
        f"{person.date_of_birth:%-d %b %Y}",
        _cells(person),
        action,
        f"{localtime(person.last_contact_at):%-d %b %Y}" if person.last_contact_at else "None",
        person.get_support_level_display(),
        person.lead_adviser.get_full_name() if person.lead_adviser else "Unassigned",
        person.team.name,
    )


@register.simple_tag
def people_rows(people) -> SafeString:
    """The people table's body rows (annotated by cases.selectors.with_table_columns). A tag, not a
    loop in the template: a caseload page has 25 rows of ten cells, and the template engine took a
    quarter of the page's time over them."""
    return format_html_join("\n", _PEOPLE_ROW, (_people_row(person) for person in people))


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
