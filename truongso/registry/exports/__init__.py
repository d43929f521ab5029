"""Excel exports of registry data (xuất Excel): every export is permission-checked through
the authorization layer and written to the audit log with its filters and row count."""
