"""Trường Số: the shared platform for school education in Vietnam."""

from truongso.celery import app as celery_app

__all__ = ["celery_app"]
