from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def bundle_value(value, third_parties):
    """A value from the bundle, marked when it is a third party's name (for redaction review)."""
    if isinstance(value, str) and value in third_parties:
        return format_html('<mark title="Third party: review before release">{}</mark>', value)
    return "" if value is None else value
