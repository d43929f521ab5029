"""Statement imports: two bank presets, CSV in three encodings and .xlsx, cross-check with
the notification feed, re-import changes nothing, wrong files refused with nothing applied."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from truongso.core.authz import SYSTEM
from truongso.payments.models import (
    BankNotification,
    InvoiceStatus,
    JobStatus,
    Payment,
    StatementImport,
    StatementLine,
)
from truongso.payments.services import ledger_check, payment_receive
from truongso.payments.statement_files import money
from truongso.payments.statements import (
    statement_apply,
    statement_cross_check,
    statement_import,
)
from truongso.payments.tests import bankfeed as bf


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def today() -> str:
    return timezone.localtime().strftime("%d/%m/%Y")


@pytest.fixture
def feed(world: Any) -> Any:
    world.account = bf.bank_account(world.school_a)
    world.inv_an = bf.invoice(world, world.students["an"], 1_500_000)
    world.inv_binh = bf.invoice(world, world.students["binh"], 700_000)
    # The notification feed already brought one transfer today, and one the bank never booked.
    world.notified = notified(world, "901", 700_000, f"MBVCB.1.{world.inv_binh.code} chuyen tien")
    world.phantom = notified(world, "902", 55_000, "khong co trong sao ke")
    return world


def notified(world: Any, ref: str, amount: int, memo: str) -> Payment:
    payment, _created = payment_receive(
        actor=SYSTEM,
        school=world.school_a,
        method="bank_transfer",
        provider="sepay",
        provider_ref=ref,
        amount=amount,
        paid_at=timezone.now(),
        memo=memo,
        bank_account=world.account,
    )
    return payment


def vcb_csv(world: Any, *, extra: str = "") -> str:
    day = today()
    return "\n".join(
        [
            "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM",
            f"Số tài khoản:,{bf.ACCOUNT}",
            "",
            "STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả",
            f'1,{day},5213.1,,"1,500,000",{world.inv_an.code} nop hoc phi chau An',
            f'2,{day},5213.2,,"700,000",{world.inv_binh.code} chuyen tien',
            f'3,{day},5213.3,"22,000",,Phi quan ly tai khoan',
            f'4,{day},5213.4,,"350,000",Ung ho quy lop',
            extra,
            ',,,Tổng cộng,"2,550,000",',
        ]
    )


def run(
    world: Any, content: bytes, *, name: str = "saoke.csv", preset: str = "vcb", **kw: Any
) -> StatementImport:
    return statement_import(
        actor=world.accountant,
        bank_account=world.account,
        file_name=name,
        content=content,
        preset=preset,
        **kw,
    )


def test_vcb_statement_cross_checked_with_the_feed(feed: Any) -> None:
    statement = run(feed, vcb_csv(feed).encode("utf-8-sig"))
    assert statement.status == JobStatus.DONE, statement.errors
    assert (statement.rows, statement.created_payments, statement.already_known) == (4, 2, 1)
    lines = list(statement.lines.values_list("row_number", "amount", "outcome"))
    assert lines == [
        (5, 1_500_000, "new"),
        (6, 700_000, "known"),
        (7, -22_000, "debit"),
        (8, 350_000, "new"),
    ]
    assert StatementLine.objects.get(row_number=6).payment == feed.notified
    new = Payment.objects.get(provider="statement", amount=1_500_000)
    assert new.provider_ref == f"{feed.account.pk}:5213.1"
    feed.inv_an.refresh_from_db()
    assert feed.inv_an.status == InvoiceStatus.PAID  # reconciled like a notified payment
    assert Payment.objects.get(provider="statement", amount=350_000).status == "unmatched"
    check = statement_cross_check(statement)
    assert (check.new, check.known, check.debit, check.mismatch) == (2, 1, 1, 0)
    assert check.missing == [feed.phantom]
    assert ledger_check() == []


def test_importing_the_same_statement_again_changes_nothing(feed: Any) -> None:
    run(feed, vcb_csv(feed).encode())
    payments = Payment.objects.count()
    again = run(feed, vcb_csv(feed).encode())
    assert (again.status, again.created_payments, again.already_known) == ("done", 0, 3)
    assert Payment.objects.count() == payments


def test_bidv_xlsx(feed: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["SAO KÊ TÀI KHOẢN", None])
    sheet.append(
        [
            "Số giao dịch",
            "Ngày hiệu lực",
            "Ghi nợ",
            "Ghi có",
            "Nội dung giao dịch",
            "Tên tài khoản đối ứng",
        ]
    )
    when = timezone.localtime().replace(tzinfo=None, microsecond=0)
    sheet.append(["FT001", when, None, 1_500_000, f"{feed.inv_an.code}", "NGUYEN VAN CHA"])
    sheet.append(["FT002", when, 10_000, None, "Phi SMS", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    statement = run(feed, buffer.getvalue(), name="bidv.xlsx", preset="bidv")
    assert statement.status == "done", statement.errors
    assert list(statement.lines.values_list("outcome", flat=True)) == ["new", "debit"]
    payment = Payment.objects.get(provider="statement")
    assert (payment.payer_name, payment.provider_ref) == (
        "NGUYEN VAN CHA",
        f"{feed.account.pk}:FT001",
    )


TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """What Excel on a Vietnamese Windows writes: letters (â, ơ, ư, ...) precomposed, the five
    tone marks as combining characters after them."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        tones = "".join(c for c in decomposed if c in TONES)
        out += base.encode("cp1258") + tones.encode("cp1258")
    return out


def excel_vietnamese(text: str) -> bytes:
    """The VCB sample as Excel on a Vietnamese Windows saves it: semicolons, cp1258."""
    text = text.replace(",", ";")
    for grouped in ("1;500;000", "700;000", "22;000", "350;000", "2;550;000"):
        text = text.replace(f'"{grouped}"', grouped.replace(";", ""))
    return to_cp1258(text)


@pytest.mark.parametrize(
    "encode",
    [lambda text: text.encode("utf-8"), lambda text: text.encode("utf-16"), excel_vietnamese],
    ids=["utf-8", "utf-16", "cp1258-semicolons"],
)
def test_csv_encodings_are_detected(feed: Any, encode: Any) -> None:
    statement = run(feed, encode(vcb_csv(feed)))
    assert statement.status == "done", statement.errors
    assert statement.rows == 4


def test_custom_mapping_with_a_signed_amount(feed: Any) -> None:
    content = (
        f"Date;Amount;Narrative\n{today()};1.500.000;{feed.inv_an.code}\n{today()};-5.000;fee\n"
    )
    mapping = {"booked_at": "date", "amount": "AMOUNT", "memo": "narrative"}
    statement = run(feed, content.encode(), preset="custom", mapping=mapping)
    assert statement.status == "done", statement.errors
    assert list(statement.lines.values_list("amount", "outcome")) == [
        (1_500_000, "new"),
        (-5_000, "debit"),
    ]


def assert_refused(feed: Any, statement: StatementImport, *messages: str) -> None:
    assert statement.status == JobStatus.FAILED
    text = " | ".join(f"{e['row']}:{e['column']}:{e['message']}" for e in statement.errors)
    for message in messages:
        assert message in text
    assert statement.lines.count() == 0
    assert Payment.objects.filter(provider="statement").count() == 0


def test_wrong_columns_are_named(feed: Any) -> None:
    content = "Ngay,So tien,Noi dung\n01/09/2025,100000,abc\n"
    statement = run(feed, content.encode())
    assert_refused(
        feed,
        statement,
        "Columns not found: “Ngày giao dịch”, “Số tham chiếu”, “Số tiền ghi nợ”, "
        "“Số tiền ghi có”, “Mô tả”",
        "Columns in the file: “Ngay”, “So tien”, “Noi dung”",
    )


def test_one_bad_row_applies_nothing(feed: Any) -> None:
    bad = f'5,31/02/2025,5213.5,,"100,000",ngay sai\n6,{today()},5213.6,,"12.5",so tien le'
    statement = run(feed, vcb_csv(feed, extra=bad).encode())
    assert_refused(
        feed,
        statement,
        "9:Ngày giao dịch:“31/02/2025” is not a date.",
        "10:Số tiền ghi có:“12.5” is not an amount in đồng.",
    )
    feed.inv_an.refresh_from_db()
    assert feed.inv_an.status == "open"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", "Old .xls files are not read"),
        ("broken.xlsx", b"PK\x03\x04garbage", "not a readable .xlsx"),
        (
            "empty.csv",
            "STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả\n".encode(),
            "no movements",
        ),
        ("binary.csv", b"\x00\x01\x02", "not a text (CSV) file"),
    ],
)
def test_unreadable_files_are_refused(feed: Any, name: str, content: bytes, message: str) -> None:
    assert_refused(feed, run(feed, content, name=name), message)


def test_absurd_amount_is_refused(feed: Any) -> None:
    header = "STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả"
    content = f'{header}\n1,{today()},X,,"9,000,000,000",x\n'
    assert_refused(feed, run(feed, content.encode()), "implausibly large")


def test_only_the_schools_accountant_imports(feed: Any) -> None:
    with pytest.raises(PermissionDenied):
        statement_import(
            actor=feed.clerk,
            bank_account=feed.account,
            file_name="x.csv",
            content=vcb_csv(feed).encode(),
            preset="vcb",
        )
    assert StatementImport.objects.count() == 0


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (1500000, 1_500_000),
        (1500000.0, 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1,500,000.00", 1_500_000),
        ("1.500.000,00", 1_500_000),
        ("-250.000", -250_000),
        ("(250.000)", -250_000),
        ("350000 VND", 350_000),
        ("", None),
        (None, None),
    ],
)
def test_money_cells(cell: Any, expected: int | None) -> None:
    assert money(cell) == expected


@pytest.mark.parametrize("cell", ["12.5", "abc", "1.50.000", 10.5, True])
def test_money_cells_refused(cell: Any) -> None:
    with pytest.raises(ValueError):
        money(cell)


def test_dates_without_time_are_midnight_in_vietnam(feed: Any) -> None:
    statement = run(feed, vcb_csv(feed).encode())
    line = statement.lines.first()
    assert line is not None
    local = timezone.localtime(line.booked_at)
    assert (local.hour, local.minute, local.utcoffset()) == (0, 0, dt.timedelta(hours=7))


class TestCommand:
    def test_nightly_import_reports_what_the_statement_lacks(
        self, feed: Any, tmp_path: Any
    ) -> None:
        path = tmp_path / "saoke.csv"
        path.write_text(vcb_csv(feed), encoding="utf-8")
        out = io.StringIO()
        with pytest.raises(CommandError, match="differ"):
            call_command("payments_import_statement", str(path), account=bf.ACCOUNT, stdout=out)
        assert "4 rows: 2 new payments, 1 already notified, 1 debits" in out.getvalue()
        assert "NOT ON THE STATEMENT: sepay 902 55000" in out.getvalue()

    def test_refused_file(self, feed: Any, tmp_path: Any) -> None:
        path = tmp_path / "bad.csv"
        path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was applied"):
            call_command("payments_import_statement", str(path), account=bf.ACCOUNT, stderr=err)
        assert "Columns not found" in err.getvalue()
        assert Payment.objects.filter(provider="statement").count() == 0


class TestStatementAndFeedTogether:
    def test_same_amount_same_day_is_told_apart_by_the_memo(self, feed: Any) -> None:
        chi = bf.invoice(feed, feed.students["chi"], 700_000)
        header = "STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả"
        content = "\n".join(
            [
                header,
                f'1,{today()},R1,,"700,000",{chi.code} hoc phi chau Chi',  # not notified
                f'2,{today()},R2,,"700,000",MBVCB.1.{feed.inv_binh.code} chuyen tien',
            ]
        )
        statement = run(feed, content.encode())
        outcomes = dict(statement.lines.values_list("row_number", "outcome"))
        assert outcomes == {2: "new", 3: "known"}
        assert StatementLine.objects.get(row_number=3).payment == feed.notified
        chi.refresh_from_db()
        feed.inv_binh.refresh_from_db()
        assert (chi.paid, chi.status) == (700_000, "paid")
        # Binh's invoice waits for its notified payment's matching, never paid by the statement.
        assert feed.inv_binh.paid == 0
        assert Payment.objects.filter(memo__contains=feed.inv_binh.code).count() == 1
        assert ledger_check() == []

    def test_a_late_notification_of_an_imported_transfer_is_a_duplicate(
        self, feed: Any, settings: Any
    ) -> None:
        from truongso.payments.tests.test_webhooks import post

        bf.configure(settings)
        content = "\n".join(
            [
                "STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả",
                f'1,{today()},R9,,"1,500,000",{feed.inv_an.code} nop hoc phi',
            ]
        )
        run(feed, content.encode())
        imported = Payment.objects.get(provider="statement")
        body = bf.sepay_body(4242, 1_500_000, f"{feed.inv_an.code} nop hoc phi")
        for _attempt in range(3):  # the late delivery and two retries
            assert post("sepay", body, bf.sepay_key_headers()).status_code == 200
        notes = BankNotification.objects.order_by("pk")
        assert [n.status for n in notes] == ["duplicate"] * 3
        assert {n.payment for n in notes} == {imported}
        assert Payment.objects.filter(amount=1_500_000).count() == 1
        feed.inv_an.refresh_from_db()
        assert feed.inv_an.paid == 1_500_000

    def test_a_late_notification_of_another_transfer_is_received(
        self, feed: Any, settings: Any
    ) -> None:
        from truongso.payments.tests.test_webhooks import post

        bf.configure(settings)
        content = "\n".join(
            [
                "STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả",
                f'1,{today()},R9,,"1,500,000",{feed.inv_an.code} nop hoc phi',
            ]
        )
        run(feed, content.encode())
        body = bf.sepay_body(4243, 1_500_000, "ung ho quy khuyen hoc")
        assert post("sepay", body, bf.sepay_key_headers()).status_code == 200
        assert BankNotification.objects.get().status == "applied"
        assert Payment.objects.filter(amount=1_500_000).count() == 2


class TestBigStatement:
    def test_checked_now_applied_by_the_worker(
        self, feed: Any, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.IMPORT_BACKGROUND_ROWS = 2
        content = excel_vietnamese(vcb_csv(feed))
        with django_capture_on_commit_callbacks() as callbacks:
            statement = run(feed, content, encoding="cp1258")
        assert (statement.status, statement.lines.count()) == ("queued", 0)
        assert len(callbacks) == 1
        callbacks[0]()  # the worker (eager in tests)
        statement.refresh_from_db()
        assert (statement.status, statement.rows, statement.created_payments) == ("done", 4, 2)
        feed.inv_an.refresh_from_db()
        assert feed.inv_an.status == "paid"
        statement_apply(statement_id=statement.pk)  # delivered twice: nothing more
        assert statement.lines.count() == 4
        assert Payment.objects.filter(provider="statement").count() == 2

    def test_a_bad_big_statement_is_refused_at_once(self, feed: Any, settings: Any) -> None:
        settings.IMPORT_BACKGROUND_ROWS = 2
        bad = vcb_csv(feed, extra=f"5,{today()},X,,abc,y")
        statement = run(feed, bad.encode())
        assert statement.status == "failed"
