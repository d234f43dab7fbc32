"""Logging that cannot carry personal data: one JSON object a line, identifiers and contact details
redacted from every message, and exceptions logged by type and stack only (an exception's message
can quote the data that caused it, such as a database error naming a duplicate UPN)."""

import json
import logging
import re
import traceback
from datetime import UTC, datetime

REDACTIONS = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")),
    ("upn", re.compile(r"\b[A-Z]\d{11}[0-9A-Z]\b")),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE)),
    ("phone", re.compile(r"(?<![\w-])(?:\+44\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b")),
    ("uln", re.compile(r"(?<![\w-])\d{10}(?![\w-])")),
]


# Paths that carry a secret: a self-update link's token, a set-password link's id and token.
SECRET_PATHS = [
    (re.compile(r"/update/[^/?#\s]+"), "/update/[token]"),
    (re.compile(r"/set-password/[^/?#\s]+/[^/?#\s]+"), "/set-password/[link]"),
]


def redact_path(path: str) -> str:
    """A request path as a log may keep it: no query string (searches, filters), no link's secret."""
    path = path.split("?", 1)[0]
    for pattern, replacement in SECRET_PATHS:
        path = pattern.sub(replacement, path)
    return path


def redact(text: str) -> str:
    """Identifiers and contact details, and any link's secret in a path (Django logs "Gone: /update/...")."""
    for pattern, replacement in SECRET_PATHS:
        text = pattern.sub(replacement, text)
    for kind, pattern in REDACTIONS:
        text = pattern.sub(f"[{kind}]", text)
    return text


class PersonalDataFilter(logging.Filter):
    """Redacts identifiers and contact details from the finished message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, trace = record.exc_info
            entry["exception"] = f"{kind.__module__}.{kind.__qualname__}"
            entry["stack"] = "".join(traceback.format_tb(trace))
        return json.dumps(entry)
