"""Demo data: a realistic district (Sở GD&ĐT Thái Bình → Phòng GD&ĐT Quỳnh Phụ) for
``manage.py seed_demo``, with one login per role (see ``accounts.DEMO_ACCOUNTS``)."""
