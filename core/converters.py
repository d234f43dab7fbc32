"""URL converters shared by every app."""

from django.urls import register_converter


class RecordId:
    """A record's id in a URL: 1 to 18 digits, so a number beyond the database's integer range is a
    404 like any other unknown id rather than a database error."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(RecordId, "id")
