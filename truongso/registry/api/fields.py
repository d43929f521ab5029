"""Input fields of the API that name another record by ID, resolved through a selector.

An ID the user may not see answers exactly like an ID that does not exist, so a guess
reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MAX_ID = 2**63 - 1  # the largest bigint: larger numbers never reach the database

Lookup = Callable[[Any, int], models.Model | None]


def first(rows: models.QuerySet[Any], pk: int) -> Any:
    """The row with ``pk`` among ``rows`` (already scoped by a selector), or None."""
    return rows.filter(pk=pk).first()


class RecordField(serializers.IntegerField):
    """An integer ID in the request, a model instance in ``validated_data``.

    ``lookup(user, pk)`` is a selector call: it returns the record, or None / raises
    ``Http404`` when the user cannot see it.
    """

    default_error_messages = {
        "does_not_exist": _("No record with ID {pk_value} is available to you."),
    }

    def __init__(self, lookup: Lookup, **kwargs: Any) -> None:
        self.lookup = lookup
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool):
            self.fail("invalid")
        pk = super().to_internal_value(data)
        request = self.context.get("request")
        found = None
        if 1 <= pk <= MAX_ID:
            try:
                found = self.lookup(getattr(request, "user", None), pk)
            except Http404:
                found = None
        if found is None:
            self.fail("does_not_exist", pk_value=pk)
        return found
