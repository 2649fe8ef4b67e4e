"""Email templates: plain values in, subject plus text and HTML bodies out (no I/O).

    render("invitation", "is", {"name": ..., "link": ...}) -> Rendered(subject, text, html)

Templates hold no markup: every value is escaped for HTML, so a name or a personal message
cannot inject anything into the HTML body.
"""

from __future__ import annotations

from emails.render import Rendered, TemplateError, language_of, render

__all__ = ["Rendered", "TemplateError", "language_of", "render"]
