"""Student services: admission, corrections, learner IDs and guardians, allowed and denied."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.integrity import enrolment_problems
from truongso.registry.models import (
    EnrolmentEvent,
    Guardian,
    Placement,
    RegisterEntry,
    Student,
    StudentGuardian,
    TransferRequest,
)
from truongso.registry.services import enrolment
from truongso.registry.services.students import (
    guardian_link,
    guardian_unlink,
    guardian_update,
    learner_id_assign,
    student_admit,
    student_update,
)

ADMITTED_ON = dt.date(2025, 9, 8)


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def counts() -> dict[str, int]:
    """Rows of every table an admission or correction may touch."""
    models = (
        Student,
        Placement,
        EnrolmentEvent,
        RegisterEntry,
        TransferRequest,
        Guardian,
        StudentGuardian,
        AuditEntry,
    )
    return {model.__name__: model.objects.count() for model in models}


def pupil(**overrides):
    data = {
        "full_name": "Nguyễn Thị Ánh-Tuyết",
        "birth_date": "20/10/2014",
        "gender": "F",
        "ethnicity": "Kinh",
        "birthplace": "Quỳnh Phụ, Thái Bình",
    }
    data.update(overrides)
    return data


def admit(world, actor=None, school_class=None, **overrides):
    return student_admit(
        actor=actor or world.clerk,
        school_class=school_class or world.class_6a1,
        data=pupil(**overrides),
        admitted_on=ADMITTED_ON,
    )


# --- Admission ----------------------------------------------------------------------------


def test_admit_places_records_and_registers(world):
    student = admit(world, learner_id="3407000010", citizen_id="034314000123")
    assert (student.school, student.status, student.current_class) == (
        world.school_a,
        "studying",
        world.class_6a1,
    )
    assert (student.learner_id, student.temp_code, student.citizen_id) == (
        "3407000010",
        None,
        "034314000123",
    )
    assert student.search_name == "nguyen thi anh-tuyet"
    placement = Placement.objects.get(student=student)
    assert (placement.school_class, placement.start_date, placement.end_date) == (
        world.class_6a1,
        ADMITTED_ON,
        None,
    )
    event = EnrolmentEvent.objects.get(student=student)
    assert (event.kind, event.date, event.school, event.created_by) == (
        "admitted",
        ADMITTED_ON,
        world.school_a,
        world.clerk,
    )
    line = RegisterEntry.objects.get(student=student)
    assert (line.number, line.admitted_on, line.admitted_grade, line.admitted_class_name) == (
        4,
        ADMITTED_ON,
        6,
        "6A1",
    )
    created = AuditEntry.objects.get(action="student.create", object_id=str(student.pk))
    assert created.actor == world.clerk
    assert created.after["learner_id"] == "3407000010"
    assert created.after["full_name"] == "Nguyễn Thị Ánh-Tuyết"
    assert created.org_path == world.school_a.path
    assert (
        AuditEntry.objects.filter(action="enrolment.admitted", object_id=str(student.pk)).count()
        == 1
    )
    assert enrolment_problems() == []


def test_register_numbers_run_in_sequence_per_school(world):
    a1 = admit(world, full_name="Phạm Văn Một")
    a2 = admit(world, full_name="Phạm Văn Hai", school_class=world.class_6a2)
    c1 = admit(world, actor=world.principal_c, full_name="Phạm Văn Ba", school_class=world.class_c)
    numbers = {s.full_name: RegisterEntry.objects.get(student=s).number for s in (a1, a2, c1)}
    assert numbers == {"Phạm Văn Một": 4, "Phạm Văn Hai": 5, "Phạm Văn Ba": 2}


def test_temporary_codes_for_pupils_without_a_learner_id(world):
    first = admit(world, full_name="H'Hen Niê")
    second = admit(world, full_name="Y Moan Êban")
    other = admit(world, actor=world.principal_c, full_name="Lò Văn Pó", school_class=world.class_c)
    assert (first.learner_id, first.temp_code) == (None, "TS34070001-00001")
    assert second.temp_code == "TS34070001-00002"
    assert other.temp_code == "TS34020001-00001"
    assert first.identifier == "TS34070001-00001"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "learner_id",
            "3407000001",
            "Đã có học sinh khác mang mã định danh học sinh này (3407000001).",
        ),
        ("citizen_id", "034314000123", None),
    ],
)
def test_duplicates_are_refused_in_vietnamese_and_nothing_is_written(world, field, value, message):
    admit(world, full_name="Người Đầu Tiên", citizen_id="034314000123")
    before = counts()
    with pytest.raises(ValidationError) as refused:
        admit(world, full_name="Người Thứ Hai", **{field: value})
    errors = refused.value.message_dict
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    else:
        assert errors[field][0].startswith("Đã có học sinh khác mang")
    assert counts() == before


def test_every_bad_field_is_reported_at_once_and_nothing_is_written(world):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        admit(
            world,
            full_name="Robert'); DROP TABLE registry_student;--",
            birth_date="31/02/2015",
            gender="x",
            learner_id="12345",
        )
    assert set(refused.value.message_dict) == {"full_name", "birth_date", "gender", "learner_id"}
    assert counts() == before


@pytest.mark.parametrize(
    "role", ["principal_c", "teacher", "homeroom", "parent", "student", "accountant", "nobody"]
)
def test_admit_denied(world, role):
    before = counts()
    with pytest.raises(PermissionDenied):
        admit(world, actor=world.users[role])
    assert counts() == before


def test_bureau_officer_may_admit_in_his_district_only(world):
    assert admit(world, actor=world.bureau).school == world.school_a
    before = counts()
    with pytest.raises(PermissionDenied):
        admit(world, actor=world.bureau, school_class=world.class_c)
    assert counts() == before


# --- Corrections --------------------------------------------------------------------------


def test_update_records_before_and_after(world):
    an = world.students["an"]
    student_update(
        actor=world.clerk,
        student=an,
        data={"current_address": "Thôn Đông, xã An Bài", "full_name": "Nguyễn  Văn   An"},
    )
    an.refresh_from_db()
    assert an.current_address == "Thôn Đông, xã An Bài"
    assert an.full_name == "Nguyễn Văn An"  # spaces normalised: no change recorded for it
    entry = AuditEntry.objects.get(action="student.update", object_id=str(an.pk))
    assert entry.before == {"current_address": ""}
    assert entry.after == {"current_address": "Thôn Đông, xã An Bài"}
    assert entry.actor == world.clerk


def test_learner_id_is_immutable(world):
    an = world.students["an"]
    before = counts()
    with pytest.raises(ValidationError) as refused:
        student_update(actor=world.principal, student=an, data={"learner_id": "3407009999"})
    assert refused.value.message_dict == {
        "learner_id": ["Mã định danh học sinh đã cấp thì không được thay đổi."]
    }
    an.refresh_from_db()
    assert an.learner_id == "3407000001"
    assert counts() == before


def test_update_rejects_a_citizen_id_of_another_student(world):
    admit(world, full_name="Người Có Số", citizen_id="034314000123")
    an = world.students["an"]
    before = counts()
    with pytest.raises(ValidationError) as refused:
        student_update(actor=world.clerk, student=an, data={"citizen_id": "034314000999"})
    assert list(refused.value.message_dict) == ["citizen_id"]  # born 2014, male: 2 not 3
    with pytest.raises(ValidationError):
        student_update(actor=world.clerk, student=an, data={"citizen_id": "034314000123"})
    assert counts() == before


@pytest.mark.parametrize(
    "role",
    [
        "principal_c",
        "other_bureau",
        "teacher",
        "parent",
        "student",
        "accountant",
        "bureau",
        "nobody",
    ],
)
def test_update_denied(world, role):
    an = world.students["an"]
    before = counts()
    with pytest.raises(PermissionDenied):
        student_update(actor=world.users[role], student=an, data={"current_address": "Giả mạo"})
    an.refresh_from_db()
    assert an.current_address == ""
    assert counts() == before


def test_homeroom_teacher_updates_only_her_class(world):
    student_update(
        actor=world.homeroom, student=world.students["chi"], data={"hometown": "Thái Bình"}
    )
    with pytest.raises(PermissionDenied):
        student_update(actor=world.homeroom, student=world.students["an"], data={"hometown": "X"})


def test_old_school_may_not_edit_a_student_who_left_for_another(world):
    binh = world.students["binh"]
    request = enrolment.transfer_request(
        actor=world.principal,
        student=binh,
        to_school=world.school_c,
        date=dt.date(2025, 11, 3),
        reason="Chuyển nhà",
    )
    enrolment.transfer_accept(actor=world.principal_c, request=request, to_class=world.class_c)
    before = counts()
    with pytest.raises(PermissionDenied):
        student_update(actor=world.principal, student=binh, data={"hometown": "X"})
    assert counts() == before
    student_update(actor=world.principal_c, student=binh, data={"hometown": "Đông Hưng"})


def test_learner_id_assign(world):
    student = admit(world, full_name="Lò Thị Xuân")
    assert student.temp_code == "TS34070001-00001"
    learner_id_assign(actor=world.clerk, student=student, learner_id=" 3407 000 555 ")
    student.refresh_from_db()
    assert (student.learner_id, student.temp_code) == ("3407000555", "TS34070001-00001")
    entry = AuditEntry.objects.get(action="student.learner_id_assign")
    assert (entry.before, entry.after) == (
        {"temp_code": "TS34070001-00001"},
        {"learner_id": "3407000555"},
    )
    with pytest.raises(ValidationError) as again:
        learner_id_assign(actor=world.clerk, student=student, learner_id="3407000556")
    assert again.value.message_dict == {"learner_id": ["Học sinh này đã có mã định danh."]}


@pytest.mark.parametrize("bad", ["", "12345", "34070005x5", "3407000001"])
def test_learner_id_assign_rejects_bad_or_taken_ids(world, bad):
    student = admit(world, full_name="Lò Thị Xuân")
    before = counts()
    with pytest.raises(ValidationError) as refused:
        learner_id_assign(actor=world.clerk, student=student, learner_id=bad)
    assert list(refused.value.message_dict) == ["learner_id"]
    student.refresh_from_db()
    assert student.learner_id is None
    assert counts() == before


@pytest.mark.parametrize("role", ["teacher", "parent", "principal_c", "nobody"])
def test_learner_id_assign_denied(world, role):
    student = admit(world, full_name="Lò Thị Xuân")
    before = counts()
    with pytest.raises(PermissionDenied):
        learner_id_assign(actor=world.users[role], student=student, learner_id="3407000555")
    assert counts() == before


# --- Guardians ----------------------------------------------------------------------------


def mother(**overrides):
    data = {"full_name": "Trần Thị Lan", "phone": "+84 912 000 111"}
    data.update(overrides)
    return data


def test_sibling_shares_the_guardian(world):
    an, binh = world.students["an"], world.students["binh"]
    first = guardian_link(actor=world.clerk, student=an, data=mother(), relation="mother")
    second = guardian_link(
        actor=world.clerk, student=binh, data=mother(phone="0912000111"), relation="mother"
    )
    assert first.guardian_id == second.guardian_id
    assert first.guardian.phone == "0912000111"
    assert Guardian.objects.filter(search_name="tran thi lan").count() == 1
    by_citizen_id = guardian_link(
        actor=world.clerk,
        student=an,
        data={"full_name": "Nguyễn Văn Ông", "citizen_id": "034060000111"},
        relation="grandparent",
    )
    again = guardian_link(
        actor=world.clerk,
        student=binh,
        data={"full_name": "Nguyễn Văn Ông", "citizen_id": "34060000111"},  # zero lost
        relation="grandparent",
    )
    assert by_citizen_id.guardian_id == again.guardian_id
    entry = AuditEntry.objects.filter(action="guardian.link").latest("id")
    assert entry.after["relation"] == "grandparent" and entry.actor == world.clerk


def test_guardian_link_errors_write_nothing(world):
    an = world.students["an"]
    guardian_link(actor=world.clerk, student=an, data=mother(), relation="mother")
    before = counts()
    with pytest.raises(ValidationError):
        guardian_link(actor=world.clerk, student=an, data=mother(), relation="mother")
    with pytest.raises(ValidationError) as unknown:
        guardian_link(actor=world.clerk, student=an, data=mother(), relation="uncle")
    assert list(unknown.value.message_dict) == ["relation"]
    with pytest.raises(ValidationError) as bad:
        guardian_link(
            actor=world.clerk,
            student=an,
            data=mother(full_name="<b>Lan</b>", phone="123"),
            relation="mother",
        )
    assert set(bad.value.message_dict) == {"full_name", "phone"}
    assert counts() == before


def test_primary_contact_is_unique_per_student(world):
    an = world.students["an"]
    guardian_link(actor=world.clerk, student=an, data=mother(), relation="mother", is_primary=True)
    primaries = StudentGuardian.objects.filter(student=an, is_primary=True)
    assert [link.guardian.full_name for link in primaries] == ["Trần Thị Lan"]


def test_guardian_update_and_unlink_are_audited(world):
    an = world.students["an"]
    link = StudentGuardian.objects.get(student=an)
    guardian_update(
        actor=world.clerk,
        link=link,
        data={"occupation": "Kỹ sư", "phone": "0987 000 222"},
        relation="guardian",
    )
    link.refresh_from_db()
    assert (link.relation, link.guardian.occupation, link.guardian.phone) == (
        "guardian",
        "Kỹ sư",
        "0987000222",
    )
    changed = AuditEntry.objects.get(action="guardian.update")
    assert changed.before == {"phone": "0912345678", "occupation": ""}
    assert changed.after == {"phone": "0987000222", "occupation": "Kỹ sư"}
    relation = AuditEntry.objects.get(action="guardian.relation")
    assert (relation.before, relation.after) == ({"relation": "father"}, {"relation": "guardian"})
    guardian_unlink(actor=world.clerk, link=link)
    assert not StudentGuardian.objects.filter(student=an).exists()
    assert Guardian.objects.filter(pk=link.guardian_id).exists()
    removed = AuditEntry.objects.get(action="guardian.unlink")
    assert removed.before == {"guardian": link.guardian_id, "relation": "guardian"}


def test_guardian_update_refuses_a_citizen_id_of_another_parent(world):
    an, binh = world.students["an"], world.students["binh"]
    guardian_link(
        actor=world.clerk,
        student=binh,
        data={"full_name": "Đỗ Văn Bố", "citizen_id": "034080000222"},
        relation="father",
    )
    link = StudentGuardian.objects.get(student=an)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        guardian_update(actor=world.clerk, link=link, data={"citizen_id": "034080000222"})
    assert refused.value.message_dict == {
        "citizen_id": ["Đã có phụ huynh khác mang số định danh cá nhân này (034080000222)."]
    }
    assert counts() == before


@pytest.mark.parametrize("role", ["principal_c", "teacher", "parent", "student", "nobody"])
def test_guardian_writes_denied(world, role):
    an = world.students["an"]
    link = StudentGuardian.objects.get(student=an)
    actor = world.users[role]
    before = counts()
    with pytest.raises(PermissionDenied):
        guardian_link(actor=actor, student=an, data=mother(), relation="mother")
    with pytest.raises(PermissionDenied):
        guardian_update(actor=actor, link=link, data={"full_name": "Kẻ Gian"})
    with pytest.raises(PermissionDenied):
        guardian_unlink(actor=actor, link=link)
    assert counts() == before
    assert Guardian.objects.get(pk=link.guardian_id).full_name == "Nguyễn Văn Cha"


def test_system_actor_is_recorded_as_system(world):
    student = admit(world, actor=SYSTEM, full_name="Đinh Thị Hệ")
    entry = AuditEntry.objects.get(action="student.create", object_id=str(student.pk))
    assert (entry.actor, entry.actor_name) == (None, "system")
