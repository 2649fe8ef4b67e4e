"""The receipt's fonts: DejaVu Sans for most scripts, WenQuanYi Micro Hei for Chinese, Japanese
and Korean, chosen per run of characters.

ReportLab's built-in Type 1 fonts (Helvetica...) know only Latin-1: "Łukasz Żółć" would print
with holes and "山田太郎" as nothing. Embedded TrueType fonts carry their own glyphs, so the PDF
looks the same in every viewer. No single free TrueType font covers both Latin and CJK well,
hence two fonts and a split of each text into runs by which font has the glyph.
"""

from __future__ import annotations

import functools
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "ReceiptSans"
BOLD = "ReceiptSans-Bold"
CJK = "ReceiptCJK"


@functools.cache
def register_fonts() -> None:
    """Load the fonts into ReportLab's registry once per process (about 0.1 s)."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(CJK, str(FONT_DIR / "wqy-microhei.ttc"), subfontIndex=0))
    for name, bold_face in ((REGULAR, BOLD), (CJK, CJK)):
        addMapping(name, 0, 0, name)
        addMapping(name, 1, 0, bold_face)
        addMapping(name, 0, 1, name)
        addMapping(name, 1, 1, bold_face)


@functools.cache
def _coverage(font_name: str) -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    assert isinstance(font, TTFont), "register_fonts registers TrueType fonts only"
    return frozenset(font.face.charToGlyph)


def runs(text: str, *, bold: bool = False) -> list[tuple[str, str]]:
    """Split text into (font name, text) runs: DejaVu where it has the glyph, else the CJK font
    where that has it, else DejaVu (which then shows its missing-glyph box)."""
    primary = BOLD if bold else REGULAR
    primary_chars, fallback_chars = _coverage(primary), _coverage(CJK)
    result: list[tuple[str, str]] = []
    for char in text:
        code = ord(char)
        font = CJK if code not in primary_chars and code in fallback_chars else primary
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + char)
        else:
            result.append((font, char))
    return result


def markup(text: str, *, bold: bool = False) -> str:
    """Paragraph markup for `text`, escaped, with the fallback font around the runs needing it."""
    return "".join(
        escape(part) if font != CJK else f'<font face="{CJK}">{escape(part)}</font>'
        for font, part in runs(text, bold=bold)
    )
