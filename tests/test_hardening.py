"""Browser-facing hardening: a strict Content Security Policy on every page, which our templates can
keep (no inline script, event handler or style), and a CSRF token in every form that posts."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
BASE = Path(settings.BASE_DIR)
TEMPLATES = sorted([*(BASE / "templates").rglob("*.html"), *BASE.glob("*/jinja2/**/*.html")])  # pages, forms


def test_pages_carry_a_strict_content_security_policy(world, client_for):
    for client, url in (
        (client_for(None), reverse("login")),
        (client_for(world.adviser), reverse("cases:caseload")),
    ):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in policy


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(BASE)))
def test_templates_hold_no_inline_script_handler_or_style(template):
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"<style|\sstyle\s*=", text), "inline style"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(BASE)))
def test_every_form_that_posts_carries_a_csrf_token(template):
    text = template.read_text()
    for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", text, flags=re.S | re.I):
        assert "{% csrf_token %}" in form
