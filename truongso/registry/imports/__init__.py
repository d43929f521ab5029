"""Excel import of schools, staff, classes and students (nhập dữ liệu từ Excel).

``headers`` says what each template's columns are, ``reader`` reads an uploaded workbook
safely, one importer per kind checks and applies rows, and ``jobs`` holds the service
functions that run an :class:`~truongso.registry.models.ImportJob` (dry run, then apply).
"""
