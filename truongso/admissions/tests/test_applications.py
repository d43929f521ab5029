"""Applying, editing, withdrawing, documents: every refusal named and nothing half-saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from truongso.admissions.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    ConfirmationStatus,
    Preference,
    RoundSchool,
    RoundStatus,
)
from truongso.admissions.services import applications as svc
from truongso.admissions.tests.apply_world import OTHER_PHONE, PHONE, form, open_round
from truongso.core.models import AuditEntry


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def prefs(world: Any, *names: str) -> list[int]:
    return [getattr(world, f"school_{n}").pk for n in names]


def apply(world: Any, r: Any, **extra: Any) -> Application:
    return svc.application_apply(
        round=r, phone=PHONE, data=form(**extra), preferences=prefs(world, "a", "b")
    )


def refusal(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


@pytest.mark.django_db
def test_apply_issues_a_code_and_audits(world: Any) -> None:
    r = open_round(world)
    app = svc.application_apply(
        round=r, phone=PHONE, data=form(priority_group="2"), preferences=prefs(world, "a", "c")
    )
    assert len(app.code) == 10 and set(app.code) <= set(svc.CODE_ALPHABET)
    assert (app.learner_id, app.full_name, app.gender, app.phone) == (
        "3407000001",
        "Nguyễn Văn An",
        "M",
        PHONE,
    )
    assert app.birth_date == dt.date(2014, 3, 12)
    assert app.status == ApplicationStatus.SUBMITTED
    assert list(app.preferences.values_list("rank", "school_id")) == [
        (1, world.school_a.pk),
        (2, world.school_c.pk),
    ]
    entry = AuditEntry.objects.get(action="admission.apply")
    assert entry.actor_name == f"phone:{PHONE}"
    assert entry.org_path == world.department_unit.path
    assert entry.after["preferences"] == [world.school_a.pk, world.school_c.pk]
    assert entry.after["priority_group"] == "2"


@pytest.mark.django_db
def test_duplicate_learner_id_is_refused(world: Any) -> None:
    r = open_round(world)
    apply(world, r)
    with pytest.raises(ValidationError) as exc:
        svc.application_apply(
            round=r, phone=OTHER_PHONE, data=form(), preferences=prefs(world, "b")
        )
    assert refusal(exc) == {
        "learner_id": ["An application for learner ID 3407000001 already exists in this round."]
    }
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_confirmed_in_the_first_round_cannot_apply_in_the_second(world: Any) -> None:
    """The second round (đợt 2) offers the places not taken; a learner holding a confirmed
    place of the first round is refused, one who declined or was released may apply."""
    first = open_round(world, name="Đợt 1")
    held = apply(world, first)
    Application.objects.filter(pk=held.pk).update(
        confirmation=ConfirmationStatus.CONFIRMED, admitted_school=world.school_a
    )
    apply(world, first, learner_id="3407000009", full_name="Lê Thị Cúc")
    Application.objects.filter(learner_id="3407000009").update(
        confirmation=ConfirmationStatus.RELEASED, admitted_school=world.school_b
    )
    first.status = RoundStatus.FINISHED
    first.save(update_fields=["status"])
    second = open_round(world, name="Đợt 2", previous_round=first)
    third = open_round(world, name="Đợt 3", previous_round=second)
    for later in (second, third):
        with pytest.raises(ValidationError) as exc:
            apply(world, later)
        assert refusal(exc) == {
            "learner_id": [
                "Learner ID 3407000001 has already confirmed enrolment at "
                f"{world.school_a.name} in Đợt 1, so cannot apply in this round."
            ]
        }
    assert not Application.objects.filter(round__in=(second, third)).exists()
    again = apply(world, second, learner_id="3407000009", full_name="Lê Thị Cúc")
    assert again.round == second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("learner_id", "message"),
    [
        ("12345", "Learner ID must be exactly 10 digits (got 12345)."),
        ("34070000AB", "Learner ID must be exactly 10 digits (got 34070000AB)."),
        ("", "The learner ID (10 digits) is required."),
        (
            "3407000002",
            "Learner ID 3407000002 belongs to another child in the education database "
            "(the name or the birth date differ).",
        ),
    ],
)
def test_bad_learner_ids(world: Any, learner_id: str, message: str) -> None:
    r = open_round(world)
    with pytest.raises(ValidationError) as exc:
        apply(world, r, learner_id=learner_id)
    assert refusal(exc) == {"learner_id": [message]}
    assert not Application.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="admission").exists()


@pytest.mark.django_db
def test_unknown_learner_id_is_accepted(world: Any) -> None:
    """A learner not (yet) in this system's registry: only the format is checked."""
    r = open_round(world)
    app = apply(world, r, learner_id="0101999999", full_name="Trần Thị Mai")
    assert app.learner_id == "0101999999"


@pytest.mark.django_db
def test_all_field_errors_at_once(world: Any) -> None:
    r = open_round(world)
    with pytest.raises(ValidationError) as exc:
        apply(world, r, full_name="A1", gender="x", priority_group="9", encouragement="3")
    errors = refusal(exc)
    assert sorted(errors) == ["encouragement", "full_name", "gender", "priority_group"]
    assert errors["priority_group"] == ["Unknown priority group “9” (this round has: 1, 2, 3)."]
    assert errors["encouragement"] == ["Encouragement points must be between 0 and 2."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (["a", "a"], "NV2: Trường THCS An Bài is already chosen at an earlier preference."),
        (["a", "", "b"], "NV2 is empty but a later preference is filled."),
        ([], "Choose at least one school (NV1)."),
        (["a", "b", "c", "a"], "At most 3 preferences in this round."),
    ],
)
def test_bad_preferences(world: Any, choice: list[str], message: str) -> None:
    r = open_round(world)
    ids = [str(getattr(world, f"school_{c}").pk) if c else "" for c in choice]
    with pytest.raises(ValidationError) as exc:
        svc.application_apply(round=r, phone=PHONE, data=form(), preferences=ids)
    assert message in refusal(exc)["preferences"]
    assert not Application.objects.exists() and not Preference.objects.exists()


@pytest.mark.django_db
def test_unknown_and_closed_schools(world: Any) -> None:
    r = open_round(world)
    RoundSchool.objects.filter(round=r, school=world.school_b).update(is_open=False)
    with pytest.raises(ValidationError) as exc:
        svc.application_apply(
            round=r,
            phone=PHONE,
            data=form(),
            preferences=[world.school_b.pk, world.bureau_unit.pk, "x"],
        )
    assert refusal(exc) == {
        "preferences": [
            "NV1: Trường THCS Quỳnh Hải is not accepting applications.",
            "NV2: the school is not part of this round.",
            "NV3: the school is not part of this round.",
        ]
    }
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_zone_is_one_of_the_rounds_zones(world: Any) -> None:
    """The round's spelling is kept whatever the case typed; an unknown zone is refused
    (it would silently lose the in-zone rights); a round without zones ignores it."""
    r = open_round(world)
    assert svc.round_zones(r) == ["Z1", "Z2"]
    assert apply(world, r, zone="z1").zone == "Z1"
    with pytest.raises(ValidationError) as exc:
        apply(world, r, learner_id="3407000009", full_name="Lê Thị Cúc", zone="Z9")
    assert refusal(exc) == {"zone": ["Zone “Z9” is not one of this round's zones (Z1, Z2)."]}
    assert Application.objects.count() == 1
    RoundSchool.objects.filter(round=r).update(zone="")
    other = apply(world, r, learner_id="3407000009", full_name="Lê Thị Cúc", zone="Z9")
    assert other.zone == ""


@pytest.mark.django_db
def test_zone_rule_limits_nv1_and_nv2(world: Any) -> None:
    r = open_round(world, zone_rules=True)
    with pytest.raises(ValidationError) as exc:
        svc.application_apply(round=r, phone=PHONE, data=form(), preferences=prefs(world, "c", "a"))
    assert refusal(exc) == {
        "preferences": ["NV1: Trường THCS Đông Hợp is not in your zone (Z1); NV1 and NV2 must be."]
    }
    app = svc.application_apply(
        round=r, phone=PHONE, data=form(), preferences=prefs(world, "a", "b", "c")
    )
    assert app.preferences.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["before", "after", "status"])
def test_window_closed(world: Any, when: str) -> None:
    now = timezone.now()
    extra: dict[str, Any] = {
        "before": {"registration_opens": now + dt.timedelta(hours=1)},
        "after": {"registration_closes": now - dt.timedelta(seconds=1)},
        "status": {"status": RoundStatus.CLOSED},
    }[when]
    r = open_round(world, **extra)
    with pytest.raises(ValidationError) as exc:
        apply(world, r)
    assert refusal(exc) == {
        "__all__": ["Registration for “Tuyển sinh lớp 10 năm học 2026-2027” is not open."]
    }
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_parent_edits_until_the_window_closes(world: Any) -> None:
    r = open_round(world)
    app = apply(world, r)
    app.status = ApplicationStatus.RETURNED
    app.save()
    edited = svc.application_update(
        application=app,
        phone=PHONE,
        data=form(address="Xóm 3, xã An Bài", learner_id="9999999999"),
        preferences=prefs(world, "b"),
    )
    assert edited.learner_id == "3407000001"  # never changed by an edit
    assert edited.address == "Xóm 3, xã An Bài"
    assert edited.status == ApplicationStatus.SUBMITTED
    assert list(edited.preferences.values_list("school_id", flat=True)) == [world.school_b.pk]
    entry = AuditEntry.objects.get(action="admission.update")
    assert entry.before["address"] == "Thôn Đông, xã An Bài"
    assert entry.after["preferences"] == [world.school_b.pk]
    r.registration_closes = timezone.now() - dt.timedelta(seconds=1)
    r.save()
    app.refresh_from_db()
    with pytest.raises(ValidationError):
        svc.application_update(
            application=app, phone=PHONE, data=form(), preferences=prefs(world, "a")
        )
    app.refresh_from_db()
    assert app.address == "Xóm 3, xã An Bài"
    assert list(app.preferences.values_list("school_id", flat=True)) == [world.school_b.pk]


@pytest.mark.django_db
def test_another_phone_cannot_edit_or_withdraw(world: Any) -> None:
    r = open_round(world)
    app = apply(world, r)
    with pytest.raises(PermissionDenied):
        svc.application_update(
            application=app, phone=OTHER_PHONE, data=form(), preferences=prefs(world, "c")
        )
    with pytest.raises(PermissionDenied):
        svc.application_withdraw(application=app, phone=OTHER_PHONE)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    assert list(app.preferences.values_list("school_id", flat=True)) == prefs(world, "a", "b")


@pytest.mark.django_db
def test_withdraw_then_no_more_edits(world: Any) -> None:
    r = open_round(world)
    app = apply(world, r)
    svc.application_withdraw(application=app, phone=PHONE)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.WITHDRAWN
    entry = AuditEntry.objects.get(action="admission.withdraw")
    assert (entry.before, entry.after) == ({"status": "submitted"}, {"status": "withdrawn"})
    with pytest.raises(ValidationError) as exc:
        svc.application_withdraw(application=app, phone=PHONE)
    assert refusal(exc) == {"__all__": ["This application was withdrawn."]}


PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20


@pytest.mark.django_db
def test_documents(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    r = open_round(world)
    app = apply(world, r)
    doc = svc.document_add(
        application=app,
        phone=PHONE,
        kind="Học bạ",
        upload=SimpleUploadedFile("hoc-ba.pdf", PDF, "application/pdf"),
    )
    assert (doc.kind, doc.file_name) == ("Học bạ", "hoc-ba.pdf")
    assert doc.file.name.endswith(".pdf") and app.code in doc.file.name
    svc.document_add(
        application=app, phone=PHONE, kind="Ảnh", upload=SimpleUploadedFile("a.png", PNG)
    )
    with pytest.raises(ValidationError) as exc:
        svc.document_add(
            application=app,
            phone=PHONE,
            kind="x",
            upload=SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", "application/pdf"),
        )
    assert refusal(exc) == {"file": ["virus.pdf is not a PDF, JPEG or PNG file."]}
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf")
    with pytest.raises(ValidationError) as exc:
        svc.document_add(application=app, phone=PHONE, kind="x", upload=big)
    assert refusal(exc) == {"file": ["big.pdf is 5.0 MB; at most 5 MB."]}
    with pytest.raises(PermissionDenied):
        svc.document_add(
            application=app, phone=OTHER_PHONE, kind="x", upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert ApplicationDocument.objects.count() == 2
    assert AuditEntry.objects.filter(action="admission.document").count() == 2


@pytest.mark.django_db
def test_encouragement_decimal_comma(world: Any) -> None:
    r = open_round(world)
    app = apply(world, r, encouragement="1,5")
    assert app.encouragement == Decimal("1.5")


@pytest.mark.django_db
def test_refusals_in_vietnamese(world: Any) -> None:
    r = open_round(world)
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        svc.application_apply(
            round=r,
            phone=PHONE,
            data=form(),
            preferences=prefs(world, "a", "a"),
        )
    assert refusal(exc) == {
        "preferences": ["NV2: Trường THCS An Bài đã được chọn ở nguyện vọng trước."]
    }


@pytest.mark.django_db
def test_grade1_child_without_learner_id_uses_the_enrolment_code(world: Any) -> None:
    from truongso.admissions.models import EnrolmentCode, RoundKind

    r = open_round(world, kind=RoundKind.GRADE1, birth_year=2020)
    code = EnrolmentCode.objects.create(
        round=r, code="MTS0001", child_name="Lê Thị Na", birth_date=dt.date(2020, 2, 1)
    )
    data = form(learner_id="", enrolment_code="mts0001", full_name="Lê Thị Na")
    data["birth_date"] = "01/02/2020"
    app = svc.application_apply(round=r, phone=PHONE, data=data, preferences=prefs(world, "a"))
    assert (app.learner_id, app.enrolment_code) == ("", code)
    with pytest.raises(ValidationError) as exc:
        svc.application_apply(round=r, phone=OTHER_PHONE, data=data, preferences=prefs(world, "a"))
    assert refusal(exc) == {
        "learner_id": ["An application with this enrolment code already exists."]
    }
    data["birth_date"] = "02/02/2020"
    with pytest.raises(ValidationError) as exc:
        svc.application_apply(round=r, phone=OTHER_PHONE, data=data, preferences=prefs(world, "a"))
    assert refusal(exc)["birth_date"] == [
        "The birth date differs from the one of enrolment code MTS0001."
    ]
    data["birth_date"] = "01/02/2019"
    with pytest.raises(ValidationError) as exc:
        svc.application_apply(round=r, phone=OTHER_PHONE, data=data, preferences=prefs(world, "a"))
    assert refusal(exc)["birth_date"] == ["This round admits children born in 2020."]
    data["birth_date"] = "01/02/2020"
    data["enrolment_code"] = "NOPE"
    with pytest.raises(ValidationError) as exc:
        svc.application_apply(round=r, phone=OTHER_PHONE, data=data, preferences=prefs(world, "a"))
    assert refusal(exc) == {"learner_id": ["Enrolment code NOPE does not belong to this round."]}
    assert Application.objects.count() == 1


@pytest.mark.django_db
def test_grade10_needs_a_learner_id_even_with_a_code(world: Any) -> None:
    r = open_round(world)
    with pytest.raises(ValidationError) as exc:
        apply(world, r, learner_id="", enrolment_code="")
    assert refusal(exc) == {"learner_id": ["The learner ID (10 digits) is required."]}


@pytest.mark.django_db
def test_duplicate_caught_by_the_unique_index_under_a_race(world: Any, monkeypatch: Any) -> None:
    """Two submissions pass the duplicate check at once: the index refuses the second."""
    r = open_round(world)
    apply(world, r)
    real = svc._duplicate
    calls: list[int] = []

    def racing(round: Any, cleaned: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real(round, cleaned)

    monkeypatch.setattr(svc, "_duplicate", racing)
    with pytest.raises(ValidationError) as exc:
        apply(world, r)
    assert refusal(exc) == {
        "learner_id": ["An application for learner ID 3407000001 already exists in this round."]
    }
    assert Application.objects.count() == 1 and Preference.objects.count() == 2


@pytest.mark.django_db
def test_a_taken_application_code_is_drawn_again(world: Any, monkeypatch: Any) -> None:
    r = open_round(world)
    first = apply(world, r)
    codes = iter([first.code, "ZZZZZZZZZZ"])
    monkeypatch.setattr(svc, "code_new", lambda: next(codes))
    second = apply(world, r, learner_id="0101999999", full_name="Trần Thị Mai")
    assert second.code == "ZZZZZZZZZZ"
    assert AuditEntry.objects.filter(action="admission.apply").count() == 2
