"""Receipt PDFs per second on one core, and how big they are.

    .venv/bin/python bench/receipts.py [count]

Pins itself to one CPU, renders `count` receipts (default 300) cycling through Latin-only and
CJK client names, with and without VAT and refunds, and prints the rate and the sizes. The
first render is reported apart: it loads the fonts (once per process).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from receipts import CardPayment, ManualPayment, ReceiptData, Refund, render_receipt

BASE = ReceiptData(
    practice_name="Sálfræðistofa Þórunnar", registration_number="540312-1230",
    contact_lines=("Laugavegur 12, 101 Reykjavík", "stofa@salfraedi.is · +354 555 1234"),
    client_name="Þórunn Ólafsdóttir", service_title="Hugræn atferlismeðferð (50 mín.)",
    session_start=datetime(2026, 3, 14, 10, 0, tzinfo=UTC), time_zone="Atlantic/Reykjavik",
    amount_minor=15000, currency="ISK", payment=CardPayment(brand="visa", last4="4242"),
    receipt_number="2026-0001", issued_on=date(2026, 3, 14), locale="is",
)
VARIANTS = [
    {},
    {"client_name": "Łukasz Żółć", "currency": "EUR", "amount_minor": 8000, "locale": "en",
     "payment": ManualPayment(method="bank_transfer")},
    {"client_name": "山田太郎", "vat_rate_bp": 2400,
     "refunds": (Refund(amount_minor=5000, refunded_on=date(2026, 3, 20)),)},
]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    receipts = [replace(BASE, receipt_number=f"2026-{n:04d}", **VARIANTS[n % len(VARIANTS)])
                for n in range(count)]

    started = time.perf_counter()
    render_receipt(receipts[0])
    cold = time.perf_counter() - started

    sizes: dict[bool, list[int]] = {False: [], True: []}
    started = time.perf_counter()
    for data in receipts:
        pdf = render_receipt(data)
        sizes["山" in data.client_name].append(len(pdf))
    elapsed = time.perf_counter() - started

    print(f"receipts rendered:      {count} on one core")
    print(f"first render (fonts):   {cold * 1000:.0f} ms")
    print(f"throughput:             {count / elapsed:.0f} receipts/s "
          f"({elapsed / count * 1000:.1f} ms each)")
    print(f"PDF size, Latin names:  {statistics.median(sizes[False]) / 1024:.1f} KB")
    print(f"PDF size, with CJK:     {statistics.median(sizes[True]) / 1024:.1f} KB")


if __name__ == "__main__":
    main()
