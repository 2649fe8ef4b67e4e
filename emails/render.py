"""Turning a template and its values into an email's subject, text body and HTML body."""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from dataclasses import dataclass

from emails.templates import TEMPLATES, Template

_FORMATTER = string.Formatter()


class TemplateError(KeyError):
    """A template name or a value it needs is missing: a programming error, not a user one."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def language_of(locale: str) -> str:
    """The template language for a locale tag (`is-IS` -> `is`); English when we have none."""
    language = locale.split("-", 1)[0].lower()
    return language if language in TEMPLATES else "en"


def render(name: str, locale: str, values: Mapping[str, str]) -> Rendered:
    templates = TEMPLATES[language_of(locale)]
    if name not in templates:
        raise TemplateError(f"no email template named {name!r}")
    template = templates[name]
    paragraphs = [p for p in template.paragraphs if _all_given(p, values)]
    after = [p for p in template.after if _all_given(p, values)]
    subject = _fill(template.subject, values)
    return Rendered(
        subject=subject,
        text=_text(template, paragraphs, after, values),
        html=_html(template, subject, paragraphs, after, values),
    )


def _fields(text: str) -> list[str]:
    return [name for _, name, _, _ in _FORMATTER.parse(text) if name]


def _all_given(text: str, values: Mapping[str, str]) -> bool:
    """Optional paragraphs (a personal message, a reason) are left out when their value is empty."""
    return all(values.get(name, "").strip() for name in _fields(text))


def _fill(text: str, values: Mapping[str, str], escape: bool = False) -> str:
    missing = [name for name in _fields(text) if name not in values]
    if missing:
        raise TemplateError(f"missing values for {missing}")
    if escape:
        values = {key: html.escape(value).replace("\n", "<br>") for key, value in values.items()}
    return text.format_map(values)


def _text(template: Template, paragraphs: list[str], after: list[str],
          values: Mapping[str, str]) -> str:
    parts = [_fill(template.greeting, values)]
    parts += [_fill(p, values) for p in paragraphs]
    if template.action:
        parts.append(f"{template.action}:\n{_fill('{link}', values)}")
    parts += [_fill(p, values) for p in after]
    parts.append(template.signature)
    return "\n\n".join(parts) + "\n"


def _html(template: Template, subject: str, paragraphs: list[str], after: list[str],
          values: Mapping[str, str]) -> str:
    body = [f"<p>{_fill(template.greeting, values, escape=True)}</p>"]
    body += [f"<p>{_fill(p, values, escape=True)}</p>" for p in paragraphs]
    if template.action:
        link = html.escape(values["link"], quote=True)
        body.append(
            f'<p><a href="{link}" style="display:inline-block;padding:10px 18px;'
            f'background:#2f5d62;color:#ffffff;border-radius:6px;text-decoration:none">'
            f"{html.escape(template.action)}</a></p>"
            f'<p style="font-size:13px;color:#555">{html.escape(template.link_hint)}<br>'
            f'<a href="{link}">{link}</a></p>'
        )
    body += [f'<p style="font-size:13px;color:#555">{_fill(p, values, escape=True)}</p>'
             for p in after]
    body.append(f"<p>{html.escape(template.signature)}</p>")
    return (
        f'<!doctype html><html lang="{template.language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>"
        '<body style="font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;'
        'color:#222;max-width:560px;margin:0 auto;padding:16px">'
        + "".join(body) + "</body></html>\n"
    )
