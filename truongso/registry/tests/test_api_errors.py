"""How errors of the services become API responses (the exception handler on its own)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import translation
from rest_framework.exceptions import Throttled

from truongso.registry.api.exceptions import api_exception_handler, validation_detail


class View:
    error_fields = {"to_class": "class"}


def test_field_errors_keep_their_keys_and_take_the_view_names():
    error = ValidationError({"to_class": ["a", "b"], "date": "c", "__all__": "d"})
    assert validation_detail(error, View.error_fields) == {
        "class": ["a", "b"],
        "date": ["c"],
        "non_field_errors": ["d"],
    }


def test_plain_and_list_errors_are_general():
    assert validation_detail(ValidationError("x")) == {"non_field_errors": ["x"]}
    assert validation_detail(ValidationError(["x", "y"])) == {"non_field_errors": ["x", "y"]}


def test_parameters_are_filled_in():
    error = ValidationError({"grade": ValidationError("Grade %(g)s", params={"g": 13})})
    assert validation_detail(error) == {"grade": ["Grade 13"]}


def test_handler_statuses():
    context = {"view": View()}
    with translation.override("vi"):
        invalid = api_exception_handler(ValidationError({"to_class": "x"}), context)
        denied = api_exception_handler(PermissionDenied(), context)
        clash = api_exception_handler(IntegrityError(), context)
        throttled = api_exception_handler(Throttled(wait=12.2), context)
    assert (invalid.status_code, invalid.data) == (400, {"class": ["x"]})
    assert (denied.status_code, str(denied.data["detail"])) == (
        403,
        "Bạn không có quyền thực hiện thao tác này.",
    )
    assert clash.status_code == 409
    assert clash.data == {
        "detail": "Dữ liệu xung đột với một thay đổi vừa được lưu cùng lúc; vui lòng thử lại."
    }
    assert throttled.status_code == 429
    assert str(throttled.data["detail"]) == "Quá nhiều yêu cầu. Vui lòng thử lại sau 13 giây."
    assert throttled["Retry-After"] == "13"


def test_unknown_exceptions_are_left_to_django():
    assert api_exception_handler(RuntimeError("boom"), {}) is None
