"""Manual payments, receipts behind signed links, refunds and receipt numbers, with no Stripe
keys configured (the default test settings)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tortoise.transactions import in_transaction

import seed
from models.accounts import Account
from models.payments import Payment
from models.scheduling import SessionStatus
from resolvers.core import signed_links
from resolvers.payments import payment_queries, receipt_links, receipt_numbers
from tests.payment_steps import (
    CHARGE,
    MY_CARD,
    NODE,
    PAYMENTS,
    REFUND,
    REMOVE_CARD,
    START_CARD_SETUP,
    book,
    codes,
    download,
    engaged_practice,
    pdf_text,
    record_manual,
    register_client,
    session_id,
)
from tests.sql_count import counting_statements, sign_ins_seen_now


async def test_manual_payment_without_stripe_keys_is_paid_and_numbered(api):
    practice = await engaged_practice(api, price={"amount": 15000, "currency": "ISK"})
    first, second = await book(practice, day=0), await book(practice, day=7)

    cash = await record_manual(api, practice.professional, first, "CASH")
    transfer = await record_manual(api, practice.professional, second, "BANK_TRANSFER")

    assert cash["userErrors"] == []
    payment = cash["payment"]
    assert payment["status"] == "PAID"
    assert payment["method"] == "CASH"
    assert payment["amount"] == {"amount": 15000, "currency": "ISK"}
    assert payment["refunded"] == {"amount": 0, "currency": "ISK"}
    assert payment["receiptNumber"] == 1
    assert payment["receiptUrl"].startswith("http://127.0.0.1:8000/receipts/")
    assert payment["card"] is None
    assert transfer["payment"]["receiptNumber"] == 2
    seen = (await api.data(PAYMENTS, {"id": session_id(first)}, token=practice.client))
    assert [p["id"] for p in seen["payments"]] == [payment["id"]]
    assert seen["payments"][0]["receiptUrl"]


async def test_amounts_come_formatted_as_the_viewers_receipts_write_them(api):
    practice = await engaged_practice(api, price={"amount": 15000, "currency": "ISK"})
    session = await book(practice)
    await record_manual(api, practice.professional, session, "CASH")
    query = """query($id: ID!) { payments(sessionId: $id) { amount { formatted } }
      node(id: $id) { ... on Session { price { formatted } } } }"""

    by_client = await api.data(query, {"id": session_id(session)}, token=practice.client)
    by_professional = await api.data(query, {"id": session_id(session)},
                                     token=practice.professional)

    assert by_client["payments"][0]["amount"]["formatted"] == "15.000\u00a0kr."
    assert by_client["node"]["price"]["formatted"] == "15.000\u00a0kr."
    assert by_professional["payments"][0]["amount"]["formatted"] == "ISK\u00a015,000"


async def test_card_features_without_stripe_keys_answer_card_payments_disabled(api):
    practice = await engaged_practice(api)
    session = await book(practice)

    setup = (await api.data(START_CARD_SETUP, token=practice.client))["startCardSetup"]
    charge = (await api.data(CHARGE, {"input": {"sessionId": session_id(session)}},
                             token=practice.professional))["chargeSession"]
    card = await api.data(MY_CARD, token=practice.client)
    removed = (await api.data(REMOVE_CARD, token=practice.client))["removeCard"]

    assert codes(setup) == ["CARD_PAYMENTS_DISABLED"]
    assert setup["userErrors"][0]["message"].startswith("Card payments are not enabled")
    assert setup["clientSecret"] is None
    assert codes(charge) == ["CARD_PAYMENTS_DISABLED"]
    assert card == {"myCard": None, "cardPaymentsEnabled": False}
    assert codes(removed) == ["CARD_PAYMENTS_DISABLED"]
    assert await Payment.all().count() == 0
    manual = await record_manual(api, practice.professional, session, "INSURER")
    assert manual["payment"]["status"] == "PAID"


async def test_a_paid_session_cannot_be_paid_again(api):
    practice = await engaged_practice(api)
    session = await book(practice)
    await record_manual(api, practice.professional, session)

    again = await record_manual(api, practice.professional, session, "BANK_TRANSFER")

    assert codes(again) == ["ALREADY_PAID"]
    assert again["payment"] is None
    assert await Payment.all().count() == 1


async def test_only_the_sessions_professional_records_payments(api):
    practice = await engaged_practice(api)
    session = await book(practice)
    by_client = await api(
        "mutation($input: RecordManualPaymentInput!) { recordManualPayment(input: $input) "
        "{ userErrors { code } } }",
        {"input": {"sessionId": session_id(session), "method": "CASH"}}, token=practice.client)

    assert by_client["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    bad_amount = await record_manual(api, practice.professional, session, amount=0)
    assert codes(bad_amount) == ["INVALID_INPUT"]
    assert bad_amount["userErrors"][0]["field"] == "amount"


async def test_receipt_pdf_through_the_signed_link_shows_names_number_amounts_and_vat(api):
    practice = await engaged_practice(api, price={"amount": 15000, "currency": "ISK"},
                                      vatRateBasisPoints=2400)
    session = await book(practice)
    payment = (await record_manual(api, practice.professional, session,
                                   "BANK_TRANSFER"))["payment"]

    response = await download(api, payment["receiptUrl"])

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="receipt-1.pdf"'
    text = pdf_text(response.content)
    for expected in ("Sálfræðistofa Sigrúnar", "550199-1239 / IS 123456", "stofa@example.is",
                     "Þórunn Ólafsdóttir", "Psychological counselling", "Kvittun nr. 1",
                     "2. mars 2026 kl. 10:00", "Upphæð án VSK 12.097 kr.",
                     "VSK 24% 2.903 kr.", "Samtals greitt 15.000 kr.",
                     "Greiðslumáti: Millifærsla"):
        assert expected in text, (expected, text)


async def test_receipt_without_vat_shows_no_vat_lines_in_english(api):
    practice = await engaged_practice(api, client_email="lukasz@example.com",
                                      client_name="Łukasz Żółć", locale="en",
                                      price={"amount": 8000, "currency": "EUR"})
    session = await book(practice)
    payment = (await record_manual(api, practice.professional, session))["payment"]

    text = pdf_text((await download(api, payment["receiptUrl"])).content)

    assert "Łukasz Żółć" in text
    assert "Receipt no. 1" in text
    assert "€80.00" in text
    assert "VAT" not in text.replace("Registration / VAT no.", "")
    assert "Payment method: Cash" in text


async def test_only_the_client_and_professional_can_open_a_receipt(api, settings):
    practice = await engaged_practice(api)
    payment = (await record_manual(api, practice.professional, await book(practice)))["payment"]
    stranger = await register_client(api, "stranger@example.com", "Jón Jónsson")
    professional_view = (await api.data(NODE, {"id": payment["id"]},
                                        token=practice.professional))["node"]

    stranger_view = (await api.data(NODE, {"id": payment["id"]}, token=stranger))["node"]
    stranger_list = (await api.data(PAYMENTS, {"id": payment["session"]["id"]},
                                    token=stranger))["payments"]
    link = urlsplit(payment["receiptUrl"])
    query = parse_qs(link.query)
    stranger_id = (await _account_id("stranger@example.com"))
    swapped = payment["receiptUrl"].replace(query["for"][0], stranger_id)
    tampered = payment["receiptUrl"][:-1] + ("0" if payment["receiptUrl"][-1] != "0" else "1")
    longer = payment["receiptUrl"].replace(f"expires={query['expires'][0]}",
                                           f"expires={int(query['expires'][0]) + 3600}")
    row = await Payment.get()
    client = await _account("thorunn@example.is")
    expired = receipt_links.receipt_url(settings, row, client,
                                        now=datetime.now(UTC) - timedelta(hours=1))
    other_payment = receipt_links.receipt_url(settings, row, client).replace(
        str(row.id), "00000000-0000-0000-0000-000000000000")

    assert stranger_view is None
    assert stranger_list == []
    assert (await download(api, professional_view["receiptUrl"])).status_code == 200
    for url, status in ((swapped, 403), (tampered, 403), (longer, 403), (expired, 403),
                        (other_payment, 403)):
        response = await download(api, url)
        assert response.status_code == status, url
        assert response.headers["content-type"].startswith("text/html")
        assert "This receipt link has expired" in response.text
        assert "open the receipt again" in response.text
    forged = signed_links.signature(settings, receipt_links.PURPOSE, str(row.id), stranger_id,
                                    "9999999999")
    response = await download(api, f"/receipts/{row.id}.pdf?for={stranger_id}"
                                   f"&expires=9999999999&signature={forged}")
    assert response.status_code == 404
    assert "This receipt is not available" in response.text


async def test_refunds_in_part_then_in_full_show_on_the_payment_and_receipt(api):
    practice = await engaged_practice(api, price={"amount": 15000, "currency": "ISK"})
    payment = (await record_manual(api, practice.professional, await book(practice)))["payment"]

    partial = (await api.data(REFUND, {"input": {"paymentId": payment["id"], "amount": 5000}},
                              token=practice.professional))["refundPayment"]
    too_much = (await api.data(REFUND, {"input": {"paymentId": payment["id"],
                                                  "amount": 10001}},
                               token=practice.professional))["refundPayment"]
    by_client = await api(REFUND, {"input": {"paymentId": payment["id"]}},
                          token=practice.client)
    rest = (await api.data(REFUND, {"input": {"paymentId": payment["id"]}},
                           token=practice.professional))["refundPayment"]

    assert by_client["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
    assert partial["userErrors"] == []
    assert partial["payment"]["status"] == "PAID"
    assert partial["payment"]["refunded"] == {"amount": 5000, "currency": "ISK"}
    assert codes(too_much) == ["INVALID_INPUT"]
    assert "between 1 and 10000" in too_much["userErrors"][0]["message"]
    assert rest["payment"]["status"] == "REFUNDED"
    assert rest["payment"]["refunded"] == {"amount": 15000, "currency": "ISK"}
    assert [r["amount"]["amount"] for r in rest["payment"]["refunds"]] == [5000, 10000]
    text = pdf_text((await download(api, rest["payment"]["receiptUrl"])).content)
    assert "-5.000 kr." in text
    assert "-10.000 kr." in text


async def test_receipt_numbers_have_no_gaps_under_concurrent_payments(api):
    practice = await engaged_practice(api)
    sessions = [await book(practice, day=day) for day in range(8)]

    # Every session paid at once, each twice: one of each pair is refused (already paid)
    # and rolls back, which must not leave a gap in the numbers.
    results = await asyncio.gather(*[
        record_manual(api, practice.professional, session, method)
        for session in sessions for method in ("CASH", "BANK_TRANSFER")
    ])

    paid = [r["payment"] for r in results if r["payment"]]
    refused = [r for r in results if not r["payment"]]
    assert len(paid) == 8
    assert all(codes(r) == ["ALREADY_PAID"] for r in refused)
    assert sorted(p["receiptNumber"] for p in paid) == list(range(1, 9))
    after = await record_manual(api, practice.professional, await book(practice, day=30))
    assert after["payment"]["receiptNumber"] == 9


async def _account(email: str) -> Account:
    return await Account.get(email=email)


async def _account_id(email: str) -> str:
    return str((await _account(email)).id)


async def test_the_demo_client_has_paid_sessions_with_receipts(api, settings):
    await seed.seed(settings)
    await seed.seed(settings)

    thorunn = await Account.get(email="thorunn@demo.therapyhub.test")
    paid = await Payment.filter(client_id=thorunn.id).order_by("paid_at")
    assert [(p.method.value, p.receipt_number) for p in paid] == [
        ("bank_transfer", 1), ("cash", 2)]
    url = receipt_links.receipt_url(settings, paid[0], thorunn)
    assert url is not None
    text = pdf_text((await download(api, url)).content)
    assert "Sálfræðistofa Sigrúnar" in text
    assert "Þórunn Ólafsdóttir" in text
    assert " kr." in text  # an Icelandic client reads ISK as Icelanders write it


MY_PAYMENTS = """
query($after: String) {
  myPayments(first: 2, after: $after) {
    edges { node { receiptNumber amount { amount currency } } }
    pageInfo { hasNextPage endCursor }
  }
  myPaymentTotals { paid { amount currency } refunded { amount currency } count }
}"""


async def test_a_client_lists_their_payments_newest_first_with_totals_per_currency(api):
    practice = await engaged_practice(api, price={"amount": 15000, "currency": "ISK"})
    payments = [(await record_manual(api, practice.professional,
                                     await book(practice, day=day)))["payment"]
                for day in range(3)]
    await api.data(REFUND, {"input": {"paymentId": payments[0]["id"], "amount": 1000}},
                   token=practice.professional)

    first = (await api.data(MY_PAYMENTS, token=practice.client))
    rest = (await api.data(MY_PAYMENTS, {"after": first["myPayments"]["pageInfo"]["endCursor"]},
                           token=practice.client))

    numbers = [e["node"]["receiptNumber"] for page in (first, rest)
               for e in page["myPayments"]["edges"]]
    assert numbers == [3, 2, 1]
    assert first["myPayments"]["pageInfo"]["hasNextPage"] is True
    assert first["myPaymentTotals"] == [{"paid": {"amount": 44000, "currency": "ISK"},
                                         "refunded": {"amount": 1000, "currency": "ISK"},
                                         "count": 3}]
    professional_view = await api.data(MY_PAYMENTS, token=practice.professional)
    assert professional_view["myPayments"]["edges"] == []


class _Abandoned(Exception):
    pass


async def test_receipt_counter_gives_consecutive_numbers_when_transactions_race_and_roll_back(
        api):
    practice = await engaged_practice(api)

    async def pay(index: int) -> int | None:
        try:
            async with in_transaction():
                number = await receipt_numbers.next_number(practice.professional_id)
                await asyncio.sleep(0.01)  # hold the counter while the others wait
                if index % 3 == 0:
                    raise _Abandoned  # a payment that fails after taking a number
                return number
        except _Abandoned:
            return None

    numbers = await asyncio.gather(*[pay(i) for i in range(12)])

    kept = sorted(n for n in numbers if n is not None)
    assert kept == list(range(1, 9))


LIST_WITH_SESSIONS = """
{ myPayments(first: 20) { edges { node {
    status receiptUrl session { startsAt service { title } professional { practiceName } }
} } } }"""


async def test_listing_payments_with_their_sessions_costs_the_same_for_more_rows(api):
    practice = await engaged_practice(api)
    for day in range(2):
        await record_manual(api, practice.professional, await book(practice, day=day))
    await sign_ins_seen_now()
    with counting_statements() as few:
        await api.data(LIST_WITH_SESSIONS, token=practice.client)
    for day in range(2, 6):
        await record_manual(api, practice.professional, await book(practice, day=day))

    await sign_ins_seen_now()

    with counting_statements() as more:
        listed = await api.data(LIST_WITH_SESSIONS, token=practice.client)

    assert len(listed["myPayments"]["edges"]) == 6
    assert len(more) == len(few)


async def test_a_session_cancelled_in_time_is_not_paid_for(api):
    practice = await engaged_practice(api)
    cancelled = await book(practice, status=SessionStatus.CANCELLED)

    refused = await record_manual(api, practice.professional, cancelled)

    assert codes(refused) == ["WRONG_STATUS"]
    assert refused["userErrors"][0]["field"] == "sessionId"


async def test_a_professional_sees_one_clients_payments_and_totals_only_their_own(api):
    practice = await engaged_practice(api, price={"amount": 15000, "currency": "ISK"})
    for day in range(2):
        await record_manual(api, practice.professional, await book(practice, day=day))
    sigrun = await Account.get(id=practice.professional_id)
    client = await Account.get(id=practice.client_id)

    page = await payment_queries.client_payments(sigrun, client.id)
    as_client = await payment_queries.client_payments(client, client.id)
    totals = await payment_queries.totals_paid(professional_id=sigrun.id, client_id=client.id)

    assert [p.receipt_number for p in page.items] == [2, 1]
    assert as_client.items == []  # a client is no one's professional here
    assert [(t.currency, t.paid, t.count) for t in totals] == [("ISK", 30000, 2)]
