"""``manage.py payments_simulate_transfer``: play the bank and post a signed SePay notification
of a parent's transfer to the local webhook (demo and testing; see ``payments.simulate``).

    manage.py payments_simulate_transfer                     # the demo parent's oldest open invoice
    manage.py payments_simulate_transfer --invoice HP3K7QX9MT --amount 200000
    manage.py payments_simulate_transfer --url http://127.0.0.1:8000   # over HTTP to a server
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from truongso.core.authz import Role
from truongso.payments import codes, simulate
from truongso.payments import selectors_pages as pages
from truongso.payments.models import Invoice, InvoiceStatus
from truongso.registry.demo.accounts import ACCOUNTS_BY_ROLE


class Command(BaseCommand):
    help = "Simulate a parent paying an invoice by bank transfer (a signed SePay notification)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--invoice",
            default="",
            help="Invoice code (default: the demo parent's oldest open invoice).",
        )
        parser.add_argument("--amount", type=int, help="Đồng (default: what is still due).")
        parser.add_argument("--memo", default="", help="Transfer memo (default: as the QR sets).")
        parser.add_argument(
            "--url",
            default="",
            help="Post over HTTP to this server (e.g. http://127.0.0.1:8000); without it the "
            "notification goes to the webhook's entry point in this process.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEMO_MODE or settings.DEBUG or settings.TESTING):
            raise CommandError("Only on a demo, DEBUG or test installation.")
        invoice = self._invoice(options["invoice"])
        account = pages.bank_account_of(invoice.school)
        if account is None:
            raise CommandError(f"{invoice.school.name} has no collection account.")
        if options["amount"] is not None and options["amount"] <= 0:
            raise CommandError("--amount must be more than 0 đồng.")
        transfer = simulate.sepay_transfer(
            invoice, account, amount=options["amount"], memo=options["memo"]
        )
        if options["url"]:
            try:
                status, reply = simulate.deliver_over_http(transfer, options["url"])
            except (OSError, ValueError) as exc:
                raise CommandError(f"Could not post to {options['url']}: {exc}") from exc
        else:
            status, reply = simulate.deliver_in_process(transfer)
        invoice.refresh_from_db()
        self.stdout.write(f"SePay id {transfer.reference}: HTTP {status} {reply}")
        self.stdout.write(
            f"{invoice.code}: {invoice.get_status_display()}, still owed {invoice.balance} đ"
        )
        if status >= 300:
            raise CommandError("The webhook refused the notification.")

    def _invoice(self, code: str) -> Invoice:
        invoices = Invoice.objects.select_related("school")
        if code:
            found = invoices.filter(code=codes.normalise(code)).first()
            if found is None:
                raise CommandError(f"No invoice {code}.")
            return found
        parent = ACCOUNTS_BY_ROLE[Role.PARENT].username
        found = (
            invoices.filter(
                student__guardian_links__guardian__user__username=parent,
                status__in=[InvoiceStatus.OPEN, InvoiceStatus.PARTIAL],
            )
            .order_by("due_date", "pk")
            .first()
        )
        if found is None:
            raise CommandError("The demo parent has no open invoice; give --invoice CODE.")
        return found
