"""Receipt PDFs, read back the way a person or their accountant reads them."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from receipts import CardPayment, ManualPayment, ReceiptData, Refund, render_receipt
from receipts.money import format_money, format_percent, vat_breakdown

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("Þórunn Ólafsdóttir", "Łukasz Żółć", "山田太郎")


def icelandic_receipt(**changes: object) -> ReceiptData:
    data = ReceiptData(
        practice_name="Sálfræðistofa Þórunnar",
        registration_number="540312-1230",
        contact_lines=("Laugavegur 12, 101 Reykjavík", "stofa@salfraedi.is · +354 555 1234"),
        client_name="Þórunn Ólafsdóttir",
        service_title="Hugræn atferlismeðferð (50 mín.)",
        session_start=datetime(2026, 3, 14, 10, 0, tzinfo=UTC),
        time_zone="Atlantic/Reykjavik",
        amount_minor=15000,
        currency="ISK",
        vat_rate_bp=2400,
        payment=CardPayment(brand="visa", last4="4242"),
        refunds=(Refund(amount_minor=5000, refunded_on=date(2026, 3, 20)),),
        receipt_number="2026-0042",
        issued_on=date(2026, 3, 14),
        locale="is-IS",
    )
    return replace(data, **changes)


def english_receipt(**changes: object) -> ReceiptData:
    data = ReceiptData(
        practice_name="Northside Physio",
        registration_number="VAT GB 123 4567 89",
        contact_lines=("hello@northside.example",),
        client_name="Łukasz Żółć",
        service_title="Physiotherapy assessment",
        session_start=datetime(2026, 7, 1, 15, 30, tzinfo=UTC),
        time_zone="Europe/Warsaw",
        amount_minor=8000,
        currency="EUR",
        payment=ManualPayment(method="bank_transfer"),
        receipt_number="17",
        issued_on=date(2026, 7, 2),
        locale="en-GB",
    )
    return replace(data, **changes)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_icelandic_receipt_shows_every_field():
    text = pdf_text(render_receipt(icelandic_receipt()))

    for expected in (
        "Sálfræðistofa Þórunnar", "Kennitala / VSK-númer: 540312-1230",
        "Laugavegur 12, 101 Reykjavík", "stofa@salfraedi.is · +354 555 1234",
        "Kvittun nr. 2026-0042", "Útgáfudagur: 14. mars 2026",
        "Viðskiptavinur Þórunn Ólafsdóttir",
        "Hugræn atferlismeðferð (50 mín.)", "14. mars 2026 kl. 10:00", "Atlantic/Reykjavik",
        "Upphæð án VSK 12.097 kr.", "VSK 24% 2.903 kr.", "Samtals greitt 15.000 kr.",
        "Greiðslumáti: Visa sem endar á 4242",
        "Endurgreitt 20. mars 2026 -5.000 kr.",
        "Greitt að frádregnum endurgreiðslum 10.000 kr.",
    ):
        assert expected in text, f"{expected!r} missing from: {text}"


def test_english_receipt_shows_the_session_in_the_clients_zone_and_no_vat_at_zero_rate():
    text = pdf_text(render_receipt(english_receipt()))

    assert "Registration / VAT no.: VAT GB 123 4567 89" in text
    assert "Client Łukasz Żółć" in text
    assert "1 July 2026, 17:30 Europe/Warsaw" in text  # 15:30 UTC is 17:30 in Warsaw in summer
    assert "Total paid €80.00" in text
    assert "Payment method: Bank transfer" in text
    assert "Receipt no. 17" in text
    assert "Issued: 2 July 2026" in text
    assert "VAT " not in text.replace("VAT no.", "").replace("VAT GB", "")
    assert "Net amount" not in text
    assert "Refund" not in text


@pytest.mark.parametrize(("payment", "shown"), [
    (ManualPayment(method="cash"), "Payment method: Cash"),
    (ManualPayment(method="insurer"), "Payment method: Paid by insurer"),
    (CardPayment(brand="amex", last4="0005"), "Payment method: American Express ending in 0005"),
])
def test_receipt_names_the_payment_method(payment, shown):
    assert shown in pdf_text(render_receipt(english_receipt(payment=payment)))


def test_names_in_any_script_print_in_embedded_fonts_that_have_their_glyphs():
    client = " ".join(NAMES) + " 김민준 Γιώργος Ольга"
    pdf = render_receipt(icelandic_receipt(client_name=client))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    drawn: list[tuple[str, str]] = []
    page.extract_text(visitor_text=lambda text, _cm, _tm, font, _size: drawn.append(
        (text, str(font["/BaseFont"]) if font else "")))

    def font_of(fragment: str) -> str:
        return next(font for text, font in drawn if fragment in text)

    assert "DejaVuSans" in font_of("Þórunn Ólafsdóttir")
    assert "DejaVuSans" in font_of("Łukasz Żółć")
    assert "DejaVuSans" in font_of("Γιώργος Ольга")
    assert "WenQuanYi" in font_of("山田太郎")
    assert "WenQuanYi" in font_of("김민준")
    fonts = page["/Resources"]["/Font"]
    for font in (fonts[name].get_object() for name in fonts):
        assert font["/Subtype"] == "/TrueType", f"{font['/BaseFont']} is not a TrueType font"
        assert "/FontFile2" in font["/FontDescriptor"], f"{font['/BaseFont']} is not embedded"


def test_the_same_receipt_renders_to_the_same_bytes():
    assert render_receipt(icelandic_receipt()) == render_receipt(icelandic_receipt())


def test_page_one_renders_to_an_image_a_person_can_look_at():
    """PDFium (Chrome's PDF engine, from a wheel) renders it, so this runs on every machine."""
    client = " / ".join(NAMES)
    document = pdfium.PdfDocument(render_receipt(icelandic_receipt(client_name=client)))
    assert len(document) == 1
    image = document[0].render(scale=100 / 72).to_pil()

    width, height = image.size
    assert round(height / width, 2) == round(297 / 210, 2)  # one A4 page
    header = image.convert("L").crop((0, 0, width, height // 5))
    assert header.getextrema()[0] < 80, "the header has no dark text"
    preview = ROOT / "var" / "receipt-page1.png"
    preview.parent.mkdir(exist_ok=True)
    image.save(preview)


def test_receipt_data_refuses_a_receipt_that_contradicts_itself():
    with pytest.raises(ValueError, match="refunds add up to more"):
        icelandic_receipt(refunds=(Refund(amount_minor=15001, refunded_on=date(2026, 3, 20)),))
    with pytest.raises(ValueError, match="timezone-aware"):
        icelandic_receipt(session_start=datetime(2026, 3, 14, 10, 0))
    with pytest.raises(ValueError, match="IANA"):
        icelandic_receipt(time_zone="Reykjavik")
    with pytest.raises(ValueError, match="last four"):
        CardPayment(brand="visa", last4="4242424242424242")


@pytest.mark.parametrize(("amount", "currency", "locale", "written"), [
    (15000, "ISK", "is", "15.000\u00a0kr."),
    (15000, "ISK", "en", "ISK\u00a015,000"),
    (123450, "EUR", "en", "€1,234.50"),
    (123450, "EUR", "is-IS", "1.234,50\u00a0€"),
    (123450, "EUR", "de", "1.234,50\u00a0€"),
    (123450, "EUR", "fr", "1\u202f234,50\u00a0€"),
    (123450, "GBP", "en-GB", "£1,234.50"),
    (123450, "USD", "en-US", "$1,234.50"),
    (123450, "USD", "en-GB", "US$1,234.50"),
    (123450, "DKK", "da", "1.234,50\u00a0kr."),
    (123450, "NOK", "nb", "1\u00a0234,50\u00a0kr"),
    (123450, "SEK", "sv-SE", "1\u00a0234,50\u00a0kr"),
    (123450, "PLN", "pl", "1234,50\u00a0zł"),
    (5000, "JPY", "ja", "￥5,000"),
    (5000, "JPY", "en", "¥5,000"),
    (1500000, "HUF", "en", "HUF\u00a015,000"),
    (1500050, "HUF", "en", "HUF\u00a015,000.50"),
    (12345, "KWD", "en", "KWD\u00a012.345"),
    (5, "EUR", "en", "€0.05"),
    (-5000, "ISK", "is", "-5.000\u00a0kr."),
    (999, "ISK", "is", "999\u00a0kr."),
    (123450, "EUR", "xx", "€1,234.50"),
])
def test_money_is_written_as_people_there_write_it(amount, currency, locale, written):
    assert format_money(amount, currency, locale) == written


def test_vat_is_split_out_of_the_price_and_the_parts_add_up():
    assert vat_breakdown(12400, 2400) == (10000, 2400)
    assert vat_breakdown(15000, 2400) == (12097, 2903)
    assert vat_breakdown(15000, 0) == (15000, 0)
    for total in range(0, 5000, 7):
        net, vat = vat_breakdown(total, 1100)
        assert net + vat == total
    assert format_percent(2400, "is") == "24%"
    assert format_percent(1150, "is") == "11,5%"
    assert format_percent(2550, "de") == "25,5\u00a0%"
