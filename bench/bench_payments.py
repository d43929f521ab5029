"""Benchmark (e): reconciling bank transfers, and the bank-notification webhook.

(a) **Matching** 100,000 transfer memos against 100,000 open invoices of one school, held in
memory (``matching.MemoryCodeIndex``: a dict of codes and a sorted list for prefixes). The
memos are mangled as parents and banks do: 35% clean with words around, 15% lower case,
15% spaced, 10% O for 0 and I for 1, 10% truncated to 8 characters, 5% glued to the next
word, 5% two codes (siblings), 5% no code at all. The **baseline**, in the same run, is an
exact dict lookup of each transfer's true code (what a system that demands a clean code
does). Every memo's result is checked: the run reports how many were placed correctly and
fails if any was placed on a wrong invoice.

(b) **Reconciling in the database**: the same 100,000 open invoices inserted in a
throw-away database; ``--db-payments`` payments (default 2,000) received through
``payment_receive`` and then reconciled through ``reconcile_payment`` (lookup by the unique
code index, allocation, ledger posting, audit entries). Two figures: the code scan alone
(``scan_memo`` with the database index) and the full reconciliation, each against the
baseline of an ORM exact lookup of the true code in the same run.

(c) **Webhook throughput** on loopback: gunicorn (2 workers, 4 threads, persistent
connections) serving the project; ``--clients`` keep-alive clients POST SePay notifications
(API key, a new transaction id each, a memo naming an open invoice) for ``--seconds``: each
is stored raw, verified, received and reconciled. The **baseline** is the bare Django JSON
view under the same gunicorn receiving the same bodies.

Options: ``--transactions``, ``--db-payments``, ``--seconds``, ``--clients``.
``BENCH_DATABASE_URL`` (an empty PostgreSQL database) measures (b) and (c) on PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Result, setup_django

SEPAY_KEY = "bench-sepay-key"
ACCOUNT = "0451000999999"


def _options(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_payments")
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--db-payments", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    return parser.parse_args(args)


# (a) matching in memory ---------------------------------------------------------------------


def fresh_codes(count: int, rng: random.Random) -> list[str]:
    from truongso.payments.codes import ALPHABET, PREFIX, check_char

    codes: set[str] = set()
    while len(codes) < count:
        body = "".join(rng.choice(ALPHABET) for _ in range(7))
        codes.add(PREFIX + body + check_char(body))
    ordered = sorted(codes)  # a set's order changes with the hash seed: sort, then shuffle
    rng.shuffle(ordered)
    return ordered


def mangle(code: str, other: str, rng: random.Random) -> tuple[str, list[str]]:
    """A memo for ``code`` and the codes a correct reading finds in it."""
    roll = rng.random()
    if roll < 0.35:
        return f"MBVCB.{rng.randint(10**9, 10**10)}.{code} nop hoc phi chau", [code]
    if roll < 0.50:
        return f"{code.lower()} hoc phi thang 9", [code]
    if roll < 0.65:
        return f"HP {code[2:6]} {code[6:]} chuyen tien", [code]
    if roll < 0.75:
        return code.replace("0", "O").replace("1", "I") + " NGUYEN VAN A", [code]
    if roll < 0.85:
        return f"hoc phi {code[:8]}", [code]
    if roll < 0.90:
        return f"nop {code}cho chau", [code]
    if roll < 0.95:
        return f"{code} {other} hai chau", [code, other]
    return "chuyen tien hoc phi", []


def bench_matching(options: argparse.Namespace) -> list[Result]:
    from truongso.payments.matching import MemoryCodeIndex, scan_memo

    rng = random.Random(2026)
    codes = fresh_codes(options.transactions, rng)
    index = MemoryCodeIndex(codes, codes)
    exact = {code: code for code in codes}
    cases = [mangle(codes[i], codes[(i + 1) % len(codes)], rng) for i in range(len(codes))]
    started = time.perf_counter()
    found = [[hit for hit, _how in scan_memo(memo, index).found] for memo, _want in cases]
    ours = time.perf_counter() - started
    started = time.perf_counter()
    looked = [exact.get(code) for code in codes]
    baseline = time.perf_counter() - started
    assert all(looked)
    right = sum(got == want for got, (_memo, want) in zip(found, cases, strict=True))
    wrong = sum(bool(set(got) - set(want)) for got, (_memo, want) in zip(found, cases, strict=True))
    print(
        f"(a) {len(cases):,} memos in {ours:.2f} s ({len(cases) / ours:,.0f}/s); "
        f"dict lookup {baseline * 1000:.1f} ms; read correctly {right:,}, wrongly {wrong}",
        flush=True,
    )
    if wrong:
        raise SystemExit(f"{wrong} memos were placed on a wrong invoice")
    n = len(cases)
    return [
        Result.of("reconcile_match_memory_100k", n / ours, "memos/s", n / baseline),
        Result.of("reconcile_match_memory_correct", 100 * right / n, "%", 100.0),
    ]


# (b) reconciling in the database ---------------------------------------------------------------


def _seed(codes: list[str]) -> tuple[Any, Any]:
    import datetime as dt

    from django.utils import timezone

    from truongso.payments.models import Invoice, SchoolBankAccount
    from truongso.testing.world import build_world

    world = build_world()
    school, student = world.school_a, world.students["an"]
    account = SchoolBankAccount.objects.create(
        school=school, bank_bin="970436", bank_name="Vietcombank",
        account_number=ACCOUNT, account_name="TRUONG THCS AN BAI",
    )  # fmt: skip
    now = timezone.now()
    rows = (
        Invoice(
            code=code,
            school=school,
            school_year=world.year,
            student=student,
            period_label="Tháng 9/2025",
            payer_name="Nguyễn Văn Cha",
            beneficiary_name=school.name,
            reason="Học phí",
            issued_at=now,
            due_date=dt.date(2025, 9, 15),
            total=500_000,
        )
        for code in codes
    )
    Invoice.objects.bulk_create(rows, batch_size=5_000)
    return world, account


def bench_database(
    options: argparse.Namespace, codes: list[str], world: Any, account: Any
) -> list[Result]:
    from django.db import connection
    from django.utils import timezone

    from truongso.core.authz import SYSTEM
    from truongso.payments.matching import scan_memo
    from truongso.payments.models import Invoice, PaymentStatus
    from truongso.payments.reconcile import SchoolCodeIndex, reconcile_payment
    from truongso.payments.services import payment_receive

    rng = random.Random(7)
    chosen = codes[: options.db_payments]
    payments = []
    for number, code in enumerate(chosen):
        memo, _want = mangle(code, code, rng)
        memo = memo if _want else f"{code} chuyen tien"
        payment, _created = payment_receive(
            actor=SYSTEM, school=world.school_a, method="bank_transfer", provider="sepay",
            provider_ref=f"db{number}", amount=500_000, paid_at=timezone.now(), memo=memo,
            bank_account=account,
        )  # fmt: skip
        payments.append(payment)
    index = SchoolCodeIndex(world.school_a.pk)
    started = time.perf_counter()
    scanned = [scan_memo(p.memo, index).found for p in payments]
    scan = time.perf_counter() - started
    started = time.perf_counter()
    for payment in payments:
        reconcile_payment(actor=SYSTEM, payment=payment)
    full = time.perf_counter() - started
    started = time.perf_counter()
    for code in chosen:
        Invoice.objects.get(code=code)
    lookup = time.perf_counter() - started
    matched = sum(p.status == PaymentStatus.MATCHED for p in payments)
    n = len(payments)
    print(
        f"(b) {connection.vendor}: {n:,} payments against {len(codes):,} open invoices: "
        f"scan {n / scan:,.0f}/s, full reconciliation {n / full:,.0f}/s, "
        f"ORM lookup {n / lookup:,.0f}/s; {matched:,} matched, "
        f"{sum(bool(s) for s in scanned):,} codes found",
        flush=True,
    )
    vendor = connection.vendor
    return [
        Result.of(f"reconcile_db_scan_{vendor}", n / scan, "payments/s", n / lookup),
        Result.of(f"reconcile_db_full_{vendor}", n / full, "payments/s", n / lookup),
    ]


# (c) webhook throughput ------------------------------------------------------------------------


def _client(port: int, path: str, bodies: list[bytes], until: float, out: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Apikey {SEPAY_KEY}"}
    for body in bodies:
        if time.monotonic() >= until:
            break
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            out.append(response.status)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            out.append(0)
    conn.close()


def _drive(
    port: int, path: str, bodies: list[bytes], clients: int, seconds: float
) -> tuple[float, list[int]]:
    shares = [bodies[i::clients] for i in range(clients)]
    results: list[list[int]] = [[] for _ in range(clients)]
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client, args=(port, path, shares[i], until, results[i]))
        for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return elapsed, [status for part in results for status in part]


def _body(number: int, code: str) -> bytes:
    return json.dumps(
        {
            "id": 10_000_000 + number,
            "gateway": "Vietcombank",
            "transactionDate": time.strftime("%Y-%m-%d %H:%M:%S"),
            "accountNumber": ACCOUNT,
            "code": None,
            "content": f"{code} nop hoc phi",
            "transferType": "in",
            "transferAmount": 500_000,
            "accumulated": 0,
            "referenceCode": f"FT{number}",
        }
    ).encode()


def bench_webhook(options: argparse.Namespace, codes: list[str], var_dir: str) -> list[Result]:
    from django.db import connection

    from bench.bench_api import gunicorn

    env = {
        **os.environ,
        "TRUONGSO_VAR_DIR": var_dir,
        "SECRET_KEY": "bench-not-secret",
        "PAYMENTS_SEPAY_API_KEY": SEPAY_KEY,
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    pool = codes[options.db_payments :]
    bodies = [_body(n, pool[n % len(pool)]) for n in range(200_000)]
    rates: dict[str, float] = {}
    for name, app, settings_module, path in (
        ("bare", "bench.bare.wsgi", "bench.bare.settings", "/api/v1/students/"),
        ("webhook", "truongso.wsgi", "bench.app_settings", "/payments/webhooks/sepay/"),
    ):
        with gunicorn(app, settings_module, env) as port:
            _drive(port, path, bodies[-2_000:], options.clients, 2.0)  # warm-up
            elapsed, statuses = _drive(port, path, bodies, options.clients, options.seconds)
        ok = sum(s == 200 for s in statuses)
        rates[name] = ok / elapsed
        print(f"(c) {name}: {ok:,} in {elapsed:.1f} s = {rates[name]:,.0f}/s, "
              f"{len(statuses) - ok} not 200", flush=True)  # fmt: skip
        if ok < len(statuses):
            raise SystemExit(f"{name}: {len(statuses) - ok} deliveries were not answered 200")
    return [
        Result.of(
            f"webhook_sepay_{connection.vendor}_{options.clients}_clients",
            rates["webhook"],
            "req/s",
            rates["bare"],
        )
    ]


def main(args: list[str]) -> list[Result]:
    options = _options(args)
    results = bench_matching(options)
    var_dir = setup_django()
    try:
        codes = fresh_codes(options.transactions, random.Random(99))
        world, account = _seed(codes)
        results += bench_database(options, codes, world, account)
        results += bench_webhook(options, codes, var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return results


if __name__ == "__main__":
    from bench.common import record

    record(main(sys.argv[1:]))
