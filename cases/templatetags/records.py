from django import template

from cases import extensions

register = template.Library()


@register.inclusion_tag("includes/record_notices.html")
def record_notices(young_person):
    return {"notices": extensions.notices_for(young_person)}
