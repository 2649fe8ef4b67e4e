"""Email templates: both bodies from one template, every value escaped, languages chosen."""

from __future__ import annotations

import pytest

from emails import TemplateError, language_of, render
from emails.templates import TEMPLATES

VALUES = {
    "name": "Anna", "professional": "Sigrún", "service": "Counselling", "client": "Anna",
    "other": "Sigrún", "message": "", "reason": "", "link": "https://hub.test/x#token=abc",
    "days": "14", "minutes": "30", "when": "2026-03-30 09:00 (Europe/London)",
    "before": "2026-03-23 09:00 (Europe/London)", "dates": "2026-03-30 09:00", "skipped": "",
}


@pytest.mark.parametrize("name", sorted(TEMPLATES["en"]))
def test_every_template_exists_in_icelandic_and_renders_both_bodies(name):
    assert name in TEMPLATES["is"]
    for locale in ("en", "is"):
        rendered = render(name, locale, VALUES)
        assert rendered.subject
        assert "{" not in rendered.text
        assert rendered.html.startswith("<!doctype html>")
        if TEMPLATES[language_of(locale)][name].action:
            assert VALUES["link"] in rendered.text
            assert 'href="https://hub.test/x#token=abc"' in rendered.html


def test_an_empty_optional_value_leaves_its_paragraph_out():
    without = render("request_declined", "en", VALUES)
    with_reason = render("request_declined", "en", {**VALUES, "reason": "Fully booked"})
    assert "Their reason" not in without.text
    assert "Their reason: “Fully booked”" in with_reason.text


def test_language_falls_back_to_english():
    assert language_of("is-IS") == "is"
    assert language_of("de") == "en"
    assert render("password_changed", "fr", VALUES).subject == "Your password was changed"


def test_a_missing_value_is_a_programming_error():
    with pytest.raises(TemplateError):
        render("password_reset", "en", {"name": "Anna"})
    with pytest.raises(TemplateError):
        render("no_such_template", "en", VALUES)
