"""The payments API under ``/api/v1/payments/``: invoices (with the VietQR payload string of
what is still due) and payments, read through the same selectors as the pages."""
