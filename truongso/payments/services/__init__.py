"""The payments services: the only writers of fees, invoices, payments and the ledger.

Every function is keyword-only, runs in one transaction, checks the actor's permission
(``authz.SYSTEM`` for commands, tasks and signed bank notifications) and writes audit entries.
"""

from truongso.payments.services.fees import (
    fee_item_create,
    fee_item_update,
    fee_reduction_create,
)
from truongso.payments.services.invoices import (
    credit_note_create,
    invoice_cancel,
    invoice_create,
    invoice_status,
)
from truongso.payments.services.ledger import ledger_balances, ledger_check
from truongso.payments.services.payments import (
    credit_apply,
    credit_available,
    payment_allocate,
    payment_receive,
    payment_refund,
    payment_status,
    payment_to_credit,
)
from truongso.payments.services.runs import (
    invoice_run_execute,
    invoice_run_resume,
    invoice_run_start,
)

__all__ = [
    "credit_apply",
    "credit_available",
    "credit_note_create",
    "fee_item_create",
    "fee_item_update",
    "fee_reduction_create",
    "invoice_cancel",
    "invoice_create",
    "invoice_run_execute",
    "invoice_run_resume",
    "invoice_run_start",
    "invoice_status",
    "ledger_balances",
    "ledger_check",
    "payment_allocate",
    "payment_receive",
    "payment_refund",
    "payment_status",
    "payment_to_credit",
]
