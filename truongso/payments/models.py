"""Fees and cashless payments (thu phí không dùng tiền mặt): the tables.

Money is integer đồng everywhere. Nothing here is ever deleted: an invoice is cancelled or
credited, a payment is allocated, moved to the student's credit or refunded, and each of those
moves is a balanced posting in the ledger (``Posting`` + ``LedgerEntry``), so that every đồng
received is accounted for: matched, partially matched, overpaid (credit) or unmatched (suspense).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from truongso.registry.models import OrgUnit, SchoolClass, SchoolYear, Student


class FeeKind(models.TextChoices):
    TUITION = "tuition", _("Tuition")  # học phí (Nghị định 238/2025/NĐ-CP)
    AGREED = "agreed", _("Agreed fee")  # khoản thu thỏa thuận
    SERVICE = "service", _("Service fee")  # dịch vụ (bán trú, xe đưa đón ...)
    OTHER = "other", _("Other")


class BillingPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    SEMESTER = "semester", _("per semester")
    YEAR = "year", _("per year")
    ONCE = "once", _("once")


class FeeItem(models.Model):
    """A fee a school collects in a school year, for the whole school, one grade or one class."""

    school = models.ForeignKey(
        OrgUnit, verbose_name=_("school"), on_delete=models.PROTECT, related_name="fee_items"
    )
    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=FeeKind.choices)
    period = models.CharField(_("billing period"), max_length=16, choices=BillingPeriod.choices)
    amount = models.PositiveBigIntegerField(_("amount per period (đồng)"))
    # Empty grade and class: every student of the school; a grade: its classes; a class: it.
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["school_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "code"], name="feeitem_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=12),
                name="feeitem_grade_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ReductionKind(models.TextChoices):
    EXEMPT = "exempt", _("Exempt (100%)")  # miễn
    PERCENT = "percent", _("Reduced by a percentage")  # giảm theo tỉ lệ
    AMOUNT = "amount", _("Reduced by an amount")  # giảm số tiền


class FeeReduction(models.Model):
    """Miễn, giảm học phí: a student's exemption or reduction, with its legal ground and decision.

    ``fee_item`` empty means every tuition item of the year. Policy groups and rates are set by
    Nghị định 238/2025/NĐ-CP (formerly 81/2021); the school records the decision it relies on.
    """

    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="fee_reductions"
    )
    school_year = models.ForeignKey(
        SchoolYear, verbose_name=_("school year"), on_delete=models.PROTECT, related_name="+"
    )
    fee_item = models.ForeignKey(
        FeeItem,
        verbose_name=_("fee item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reductions",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReductionKind.choices)
    percent = models.PositiveSmallIntegerField(_("percentage"), default=0)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"), default=0)
    reason = models.CharField(_("reason (policy group)"), max_length=255)
    decision_ref = models.CharField(_("decision number"), max_length=100, blank=True)
    document = models.FileField(_("document"), upload_to="payments/reductions/%Y/", blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fee reduction")
        verbose_name_plural = _("fee reductions")
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="feereduction_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.reason}"


class SchoolBankAccount(models.Model):
    """The account a school collects into (tài khoản chuyên thu); VietQR needs its BIN."""

    school = models.ForeignKey(
        OrgUnit, verbose_name=_("school"), on_delete=models.PROTECT, related_name="bank_accounts"
    )
    bank_bin = models.CharField(_("bank BIN"), max_length=6)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=19)
    account_name = models.CharField(_("account holder"), max_length=100)
    is_default = models.BooleanField(_("default account"), default=True)

    class Meta:
        verbose_name = _("school bank account")
        verbose_name_plural = _("school bank accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["bank_bin", "account_number"], name="schoolbankaccount_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class InvoiceRun(models.Model):
    """One bulk invoicing (lập hóa đơn hàng loạt) of a school, grade or class for one period.

    Idempotent: an invoice is keyed on (run's ``period_key``, student), so a run killed half-way
    and started again, or started twice, never bills a student twice for the period.
    """

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    period_key = models.CharField(_("period key"), max_length=20)  # "2026-09", "HK1", "NAM"
    period_label = models.CharField(_("period"), max_length=60)  # "Tháng 9/2026"
    due_date = models.DateField(_("due date"))
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fee_items = models.ManyToManyField(FeeItem, related_name="+")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)  # students to bill
    done = models.PositiveIntegerField(default=0)  # students processed
    created_count = models.PositiveIntegerField(default=0)  # invoices created
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Last sign of life of the worker running it: a run left "running" without progress for a
    # while was abandoned by a dead worker and may be taken over (resumed).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invoice run")
        verbose_name_plural = _("invoice runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.period_label} ({self.school_id})"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Unpaid")
    PARTIAL = "partial", _("Partly paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Invoice(models.Model):
    """A bill to one student (hóa đơn / thông báo thu) with the seed's minimum fields.

    ``balance = total - credited - paid``; ``paid`` never exceeds ``total - credited`` (money
    beyond it goes to the student's credit). Never deleted: cancelled or credited instead.
    """

    code = models.CharField(_("invoice code"), max_length=12, unique=True)
    school = models.ForeignKey(
        OrgUnit, verbose_name=_("school"), on_delete=models.PROTECT, related_name="invoices"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="invoices"
    )
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    run = models.ForeignKey(
        InvoiceRun, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    # The billing period ("2026-09", "HK1"): at most one invoice per student, school, year and
    # period, so a bulk run started twice or resumed never bills a student twice.
    period_key = models.CharField(max_length=20, blank=True)
    period_label = models.CharField(_("period"), max_length=60)
    payer_name = models.CharField(_("payer"), max_length=100)
    beneficiary_name = models.CharField(_("beneficiary"), max_length=255)
    reason = models.CharField(_("reason for payment"), max_length=255)
    issued_at = models.DateTimeField(_("issued at"))
    due_date = models.DateField(_("due date"))
    total = models.PositiveBigIntegerField(_("total (đồng)"))
    credited = models.PositiveBigIntegerField(_("credited (đồng)"), default=0)
    paid = models.PositiveBigIntegerField(_("paid (đồng)"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "id"]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["student", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "period_key", "student"],
                condition=~Q(period_key=""),
                name="invoice_one_per_student_period",
            ),
            models.CheckConstraint(
                condition=Q(paid__lte=F("total") - F("credited")), name="invoice_not_overpaid"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def balance(self) -> int:
        return self.total - self.credited - self.paid


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    fee_item = models.ForeignKey(
        FeeItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=255)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    reduction = models.PositiveBigIntegerField(_("reduction (đồng)"), default=0)
    reduction_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reduction__lte=F("amount")), name="invoiceline_reduction"
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def net(self) -> int:
        return self.amount - self.reduction


class CreditNote(models.Model):
    """Giảm trừ: lowers what an invoice asks for (a late reduction, a billing mistake)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.invoice_id}: -{self.amount}"


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer / VietQR")
    WEB_GATEWAY = "web_gateway", _("Online payment gateway")
    MOBILE_MONEY = "mobile_money", _("Mobile Money")
    CARD_POS = "card_pos", _("Card at a terminal (POS)")
    CASH = "cash", _("Cash")


CASHLESS_METHODS = frozenset(
    {
        PaymentMethod.BANK_TRANSFER,
        PaymentMethod.WEB_GATEWAY,
        PaymentMethod.MOBILE_MONEY,
        PaymentMethod.CARD_POS,
    }
)


class PaymentStatus(models.TextChoices):
    UNMATCHED = "unmatched", _("Unmatched")
    PARTIAL = "partial", _("Partly assigned")
    MATCHED = "matched", _("Assigned")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    """Money received, once per provider transaction (``provider`` + ``provider_ref`` unique).

    ``amount = allocated + credited + refunded + unassigned``; unassigned money sits in the
    suspense account until a human or the reconciliation assigns it.
    """

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="payments")
    bank_account = models.ForeignKey(
        SchoolBankAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    # sepay / casso / payos / statement / gateway / manual
    provider = models.CharField(_("source"), max_length=16)
    provider_ref = models.CharField(_("transaction reference"), max_length=100)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    paid_at = models.DateTimeField(_("paid at"))
    payer_name = models.CharField(_("payer"), max_length=255, blank=True)
    payer_account = models.CharField(_("payer account"), max_length=50, blank=True)
    memo = models.CharField(_("transfer memo"), max_length=500, blank=True)
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    allocated = models.PositiveBigIntegerField(default=0)
    credited = models.PositiveBigIntegerField(default=0)
    refunded = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.UNMATCHED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_at", "id"]
        indexes = [models.Index(fields=["school", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_ref"], name="payment_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(amount__gte=F("allocated") + F("credited") + F("refunded")),
                name="payment_not_overassigned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_ref}"

    @property
    def unassigned(self) -> int:
        return self.amount - self.allocated - self.credited - self.refunded


class AllocationHow(models.TextChoices):
    AUTO = "auto", _("Matched by invoice code")
    MANUAL = "manual", _("Assigned by hand")
    CREDIT = "credit", _("From the student's credit")
    GATEWAY = "gateway", _("Paid through the gateway")


class Allocation(models.Model):
    """Part of a payment (or of a student's credit) applied to one invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.PositiveBigIntegerField()
    how = models.CharField(max_length=16, choices=AllocationHow.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}: {self.amount}"


class Credit(models.Model):
    """Money put on a student's account at a school (tiền thừa, nhận trước).

    It comes from the unassigned part of a payment (an overpayment) or back from an invoice
    (cancelled, or credited below what was already paid). It is used by ``credit_apply``
    (an ``Allocation`` without payment) or paid back (a ``Refund`` with a student).
    Credit belongs to one school: each school keeps its own accounts.
    """

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="fee_credits")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="credits"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="credits"
    )
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_positive"),
            models.CheckConstraint(
                condition=Q(payment__isnull=True) | Q(invoice__isnull=True),
                name="credit_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}: +{self.amount}"


class Refund(models.Model):
    """Money paid back: the unassigned part of a payment, or a student's credit."""

    # Always set by payment_refund (the payment's school, or where the credit is held).
    school = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.PositiveBigIntegerField()
    reason = models.CharField(_("reason"), max_length=255)
    reference = models.CharField(_("transfer reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive"),
            models.CheckConstraint(
                condition=Q(payment__isnull=False) | Q(student__isnull=False),
                name="refund_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: -{self.amount}"


class Account(models.TextChoices):
    """Ledger accounts; names follow the public-sector chart (Thông tư 24/2024/TT-BTC)."""

    BANK = "bank", _("Bank deposits")  # 112 Tiền gửi ngân hàng
    CASH = "cash", _("Cash")  # 111 Tiền mặt
    RECEIVABLE = "receivable", _("Receivable from students")  # 131 Phải thu
    REVENUE = "revenue", _("Fee revenue")  # thu phí, học phí
    CREDIT = "credit", _("Prepaid by students")  # nhận trước (tiền thừa)
    SUSPENSE = "suspense", _("Unassigned receipts")  # chờ xử lý


class Posting(models.Model):
    """One balanced movement: its entries add up to zero (debits positive, credits negative)."""

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)  # invoice_issue, payment_receive, allocate, ...
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class LedgerEntry(models.Model):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField(max_length=16, choices=Account.choices)
    student = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField()  # debit > 0, credit < 0

    class Meta:
        indexes = [models.Index(fields=["account", "student"])]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+d}"


class NotificationStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    APPLIED = "applied", _("Applied")
    DUPLICATE = "duplicate", _("Duplicate")
    IGNORED = "ignored", _("Ignored")  # outgoing transfers, other accounts' movements
    REJECTED = "rejected", _("Rejected")


class BankNotification(models.Model):
    """Every delivery from a bank-notification service, stored raw before it is processed."""

    provider = models.CharField(max_length=16)  # sepay / casso / payos
    received_at = models.DateTimeField(auto_now_add=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    headers = models.JSONField(default=dict)
    body = models.TextField()
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.RECEIVED
    )
    reason = models.CharField(max_length=500, blank=True)
    provider_ref = models.CharField(max_length=100, blank=True, db_index=True)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_ref} ({self.status})"


class StatementImport(models.Model):
    """A bank statement (sao kê) uploaded as CSV/.xlsx: fallback and daily cross-check."""

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    bank_account = models.ForeignKey(SchoolBankAccount, on_delete=models.PROTECT, related_name="+")
    preset = models.CharField(_("bank format"), max_length=32)
    mapping = models.JSONField(default=dict)
    file = models.FileField(upload_to="payments/statements/%Y/")
    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    created_payments = models.PositiveIntegerField(default=0)
    already_known = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file_name


class StatementLine(models.Model):
    statement = models.ForeignKey(StatementImport, on_delete=models.CASCADE, related_name="lines")
    row_number = models.PositiveIntegerField()
    booked_at = models.DateTimeField()
    amount = models.BigIntegerField()  # credits > 0; debits < 0 are kept but not applied
    memo = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    payer_name = models.CharField(max_length=255, blank=True)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # new (payment created from the line) / known (the webhook feed had it) / debit / mismatch
    outcome = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["row_number"]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.row_number}"


class GatewayOrderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class GatewayOrder(models.Model):
    """A web payment (VNPay-style redirect + signed return/IPN) for one invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="gateway_orders")
    txn_ref = models.CharField(max_length=40, unique=True)
    amount = models.PositiveBigIntegerField()
    status = models.CharField(
        max_length=16, choices=GatewayOrderStatus.choices, default=GatewayOrderStatus.PENDING
    )
    gateway_ref = models.CharField(max_length=100, blank=True)
    response = models.JSONField(default=dict)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="gateway_order"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.txn_ref
