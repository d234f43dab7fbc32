from django import template

from cases import extensions, restrictions

register = template.Library()


@register.inclusion_tag("includes/record_notices.html")
def record_notices(young_person):
    """Restrictions first (the DPO's alone to change), then what the apps above add."""
    return {"notices": restrictions.restriction_notices(young_person) + extensions.notices_for(young_person)}
