"""Lay a receipt out on one A4 page with ReportLab: plain data in, PDF bytes out."""

from __future__ import annotations

import io
import threading
from typing import Any, Literal

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from receipts.data import CardPayment, ReceiptData
from receipts.labels import Labels, card_brand, format_date, format_datetime, labels_for
from receipts.money import format_money, format_percent, vat_breakdown
from receipts.typefaces import BOLD, REGULAR, markup, register_fonts

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
SHADE = colors.HexColor("#f0f4f8")
MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN

_TEXT = ParagraphStyle("text", fontName=REGULAR, fontSize=10, leading=14, textColor=INK)
_SMALL = ParagraphStyle("small", _TEXT, fontSize=8.5, leading=12, textColor=MUTED)
_STRONG = ParagraphStyle("strong", _TEXT, fontName=BOLD)
_PRACTICE = ParagraphStyle("practice", _STRONG, fontSize=15, leading=20)
_TITLE = ParagraphStyle("title", _STRONG, fontSize=20, leading=24, alignment=TA_RIGHT)
_RIGHT = ParagraphStyle("right", _TEXT, alignment=TA_RIGHT)
_RIGHT_SMALL = ParagraphStyle("right-small", _SMALL, alignment=TA_RIGHT)
_RIGHT_STRONG = ParagraphStyle("right-strong", _STRONG, alignment=TA_RIGHT)

# ReportLab keeps per-document font subsets in shared TTFont objects; one build at a time keeps
# that state consistent when the web app renders receipts from worker threads.
_BUILD_LOCK = threading.Lock()


def render_receipt(data: ReceiptData) -> bytes:
    """The receipt as PDF bytes. The same data always gives the same bytes (ReportLab's
    invariant mode), so a receipt can be cached or compared."""
    register_fonts()
    labels = labels_for(data.locale)
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer, pagesize=A4, title=f"{labels.receipt} {data.receipt_number}",
        author=data.practice_name, creator="Therapy hub", invariant=True, initialFontName=REGULAR,
    )
    story = [
        _header(data, labels), Spacer(1, 12 * mm),
        _p(labels.client, _SMALL), _p(data.client_name, _STRONG), Spacer(1, 8 * mm),
        _line_items(data, labels), Spacer(1, 2 * mm),
        _totals(data, labels), Spacer(1, 8 * mm),
        _payment_method(data, labels),
    ]
    if data.refunds:
        story += [Spacer(1, 6 * mm), _refunds(data, labels)]

    def footer(canvas: Canvas, _document: Any) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.line(MARGIN, 14 * mm, A4[0] - MARGIN, 14 * mm)
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 10 * mm, f"{labels.receipt_number} {data.receipt_number}")
        canvas.restoreState()

    frame = Frame(MARGIN, 20 * mm, WIDTH, A4[1] - 38 * mm, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate("receipt", [frame], onPage=footer)])
    with _BUILD_LOCK:
        document.build(story)
    return buffer.getvalue()


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup(text, bold=style.fontName == BOLD), style)


def _header(data: ReceiptData, labels: Labels) -> Table:
    practice = [_p(data.practice_name, _PRACTICE)]
    if data.registration_number:
        practice.append(_p(f"{labels.registration}: {data.registration_number}", _SMALL))
    practice += [_p(line, _SMALL) for line in data.contact_lines if line.strip()]
    receipt = [
        _p(labels.receipt, _TITLE),
        _p(f"{labels.receipt_number} {data.receipt_number}", _RIGHT),
        _p(f"{labels.issued}: {format_date(data.issued_on, labels)}", _RIGHT_SMALL),
    ]
    return _table([[practice, receipt]], [0.6, 0.4], [
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ])


def _line_items(data: ReceiptData, labels: Labels) -> Table:
    when = format_datetime(data.local_session_start, labels)
    rows: list[list[Any]] = [
        [_p(labels.service, _STRONG), _p(labels.session, _STRONG),
         _p(labels.amount, _RIGHT_STRONG)],
        [_p(data.service_title, _TEXT), [_p(when, _TEXT), _p(data.time_zone, _SMALL)],
         _p(_money(data, data.amount_minor), _RIGHT)],
    ]
    return _table(rows, [0.42, 0.36, 0.22], [
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ])


def _totals(data: ReceiptData, labels: Labels) -> Table:
    rows = []
    if data.vat_rate_bp:
        net, vat = vat_breakdown(data.amount_minor, data.vat_rate_bp)
        rate = format_percent(data.vat_rate_bp, data.locale)
        rows += [[_p(labels.net, _RIGHT), _p(_money(data, net), _RIGHT)],
                 [_p(labels.vat.format(rate=rate), _RIGHT), _p(_money(data, vat), _RIGHT)]]
    rows.append([_p(labels.total, _RIGHT_STRONG),
                 _p(_money(data, data.amount_minor), _RIGHT_STRONG)])
    return _table(rows, [0.5, 0.22], [
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ], align="RIGHT")


def _payment_method(data: ReceiptData, labels: Labels) -> Paragraph:
    if isinstance(data.payment, CardPayment):
        method = labels.card.format(brand=card_brand(data.payment.brand),
                                    last4=data.payment.last4)
    else:
        method = labels.manual[data.payment.method]
    return _p(f"{labels.payment_method}: {method}", _TEXT)


def _refunds(data: ReceiptData, labels: Labels) -> Table:
    rows = [[_p(labels.refunds, _STRONG), ""]]
    rows += [[_p(labels.refunded_on.format(date=format_date(refund.refunded_on, labels)), _TEXT),
              _p(_money(data, -refund.amount_minor), _RIGHT)]
             for refund in data.refunds]
    rows.append([_p(labels.paid_after_refunds, _STRONG),
                 _p(_money(data, data.amount_minor - data.refunded_minor), _RIGHT_STRONG)])
    return _table(rows, [0.6, 0.4], [
        ("LINEABOVE", (0, -1), (-1, -1), 0.6, RULE), ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ])


def _table(rows: list[list[Any]], fractions: list[float], commands: list[tuple[Any, ...]], *,
           align: Literal["LEFT", "RIGHT"] = "LEFT") -> Table:
    """A table in the receipt's font (empty cells included: ReportLab would use Helvetica)."""
    table = Table(rows, colWidths=[WIDTH * f for f in fractions], hAlign=align)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"), *commands]))
    return table


def _money(data: ReceiptData, amount_minor: int) -> str:
    return format_money(amount_minor, data.currency, data.locale)
