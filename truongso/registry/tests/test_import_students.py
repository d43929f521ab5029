"""Importing students: good files, every kind of bad row, re-import, updates, all-or-nothing.

Files are real .xlsx workbooks written with openpyxl into tmp_path and read back by the
import; every path goes through the real services and the real database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from truongso.core.authz import SYSTEM
from truongso.core.models import AuditEntry
from truongso.registry.imports import jobs
from truongso.registry.models import (
    EnrolmentEvent,
    Placement,
    RegisterEntry,
    Student,
    StudentGuardian,
)
from truongso.registry.services import students as student_services
from truongso.registry.tests.io_support import (
    STUDENT_HEADERS,
    counts,
    student_row,
    upload,
    write_xlsx,
)

pytestmark = pytest.mark.usefixtures("registry_consistent")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _good_rows() -> list[list[Any]]:
    return [
        student_row(
            father_name="Phạm Văn Long",
            father_phone="0912 000 001",
            mother_name="Lê Thị Hằng",
            mother_phone="+84 912 000 002",
        ),
        student_row(
            row_no=2,
            learner_id="",
            full_name="Lò Thị Mai",
            birth_date="17/11/2014",
            gender="Nữ",
            ethnicity="Thái",
            citizen_id="034314000123",
            class_name="6a2",
            admitted_on="10/09/2025",
            guardian_name="Lò Văn Páo",
            guardian_phone="0987654321",
        ),
        student_row(
            row_no=3,
            learner_id="3407000102",
            full_name="Đỗ Gia Huy",
            birth_date="01/01/2014",
            class_name="6A1",
        ),
    ]


def test_a_good_file_is_checked_without_writing_then_applied(world, tmp_path):
    path = write_xlsx(tmp_path / "hoc-sinh.xlsx", STUDENT_HEADERS, _good_rows())
    before = counts()

    job = upload(world.principal, path, unit=world.school_a, year=world.year)

    assert job.status == "validated"
    assert (job.total_rows, job.created_count, job.updated_count, job.unchanged_count) == (
        3,
        3,
        0,
        0,
    )
    assert (job.errors, job.error_count, job.sheet_name, job.header_row) == ([], 0, "HocSinh", 1)
    assert counts() == before  # the dry run wrote nothing

    job = jobs.import_job_confirm(actor=world.principal, job=job)

    assert job.status == "done"
    assert (job.created_count, job.updated_count, job.applied_by) == (3, 0, world.principal)
    khoa = Student.objects.get(learner_id="3407000101")
    assert (khoa.full_name, khoa.birth_date, khoa.gender, khoa.ethnicity) == (
        "Phạm Minh Khoa",
        dt.date(2014, 9, 5),
        "M",
        "01",
    )
    assert (khoa.school, khoa.current_class, khoa.status) == (
        world.school_a,
        world.class_6a1,
        "studying",
    )
    mai = Student.objects.get(full_name="Lò Thị Mai")
    assert (mai.learner_id, mai.temp_code, mai.citizen_id, mai.ethnicity) == (
        None,
        "TS34070001-00001",
        "034314000123",
        "03",
    )
    assert mai.current_class == world.class_6a2
    # Register numbers continue the school's register in file order (3 pupils before).
    lines = RegisterEntry.objects.filter(school=world.school_a).order_by("number")
    assert [(e.number, e.student.full_name, e.admitted_on) for e in lines][3:] == [
        (4, "Phạm Minh Khoa", world.year.start_date),
        (5, "Lò Thị Mai", dt.date(2025, 9, 10)),
        (6, "Đỗ Gia Huy", world.year.start_date),
    ]
    assert Placement.objects.get(student=mai).start_date == dt.date(2025, 9, 10)
    event = EnrolmentEvent.objects.get(student=khoa)
    assert (event.kind, event.school_class, event.created_by) == (
        "admitted",
        world.class_6a1,
        world.principal,
    )
    parents = StudentGuardian.objects.filter(student=khoa).order_by("relation")
    assert [
        (p.relation, p.guardian.full_name, p.guardian.phone, p.is_primary) for p in parents
    ] == [
        ("father", "Phạm Văn Long", "0912000001", True),
        ("mother", "Lê Thị Hằng", "0912000002", False),
    ]
    assert [(p.relation, p.guardian.full_name) for p in mai.guardian_links.all()] == [
        ("guardian", "Lò Văn Páo")
    ]
    link = AuditEntry.objects.get(action="guardian.link", object_id=str(parents[0].pk))
    assert (link.object_repr, link.org_path, link.after) == (
        str(parents[0]),
        world.school_a.path,
        {
            "guardian": parents[0].guardian_id,
            "name": "Phạm Văn Long",
            "phone": "0912000001",
            "relation": "father",
        },
    )
    actions = AuditEntry.objects.filter(object_id=str(khoa.pk), object_type="registry.student")
    assert sorted(actions.values_list("action", "actor")) == [
        ("enrolment.admitted", world.principal.pk),
        ("student.create", world.principal.pk),
    ]
    created = actions.get(action="student.create")
    assert created.org_path == world.school_a.path
    assert created.after["learner_id"] == "3407000101"
    assert created.after["birth_date"] == "2014-09-05"


def test_single_admission_and_bulk_admission_write_the_same_rows(world, tmp_path):
    """``student_admit`` delegates to the bulk service: same records, same audit."""
    single = student_services.student_admit(
        actor=world.principal,
        school_class=world.class_6a1,
        admitted_on=world.year.start_date,
        data={"full_name": "Vũ Hải Nam", "birth_date": "02/02/2014", "gender": "Nam"},
    )
    path = write_xlsx(
        tmp_path / "a.xlsx",
        STUDENT_HEADERS,
        [student_row(learner_id="", full_name="Vũ Hải Đăng", birth_date="03/02/2014")],
    )
    job = jobs.import_job_confirm(
        actor=world.principal,
        job=upload(world.principal, path, unit=world.school_a, year=world.year),
    )
    assert job.status == "done"
    bulk = Student.objects.get(full_name="Vũ Hải Đăng")
    assert (single.temp_code, bulk.temp_code) == ("TS34070001-00001", "TS34070001-00002")
    for student in (single, bulk):
        actions = AuditEntry.objects.filter(
            object_type="registry.student", object_id=str(student.pk)
        ).order_by("pk")
        assert list(actions.values_list("action", flat=True)) == [
            "student.create",
            "enrolment.admitted",
        ]
        assert actions[1].after == {
            "date": "2025-09-05",
            "school": "34070001",
            "class": "6A1",
            "other_school": None,
            "reason": None,
        }
    numbers = RegisterEntry.objects.filter(student__in=[single, bulk]).order_by("number")
    assert list(numbers.values_list("number", flat=True)) == [4, 5]


NAME_RULE = "Họ tên chỉ được chứa chữ cái, dấu cách, dấu nháy đơn và dấu gạch nối"
# (cells, column, message) for Excel rows 2, 3, ...; row 9 is good, its repeat is row 14.
BAD_ROWS: list[tuple[dict[str, Any], str, str]] = [
    ({"full_name": ""}, "Họ và tên", "Trường này là bắt buộc."),
    (
        {"birth_date": "31/02/2015"},
        "Ngày sinh",
        "“31/02/2015” không phải là ngày hợp lệ (ghi theo dạng dd/mm/yyyy, ví dụ 05/09/2015).",
    ),
    (
        {"learner_id": "34070001011"},
        "Mã định danh học sinh",
        "Mã định danh học sinh phải gồm đúng 10 chữ số (nhận được 34070001011).",
    ),
    (
        {"citizen_id": "034209000001"},
        "Số định danh cá nhân (CCCD)",
        "Số định danh 034209000001 không khớp với năm sinh 2014.",
    ),
    ({"gender": "X"}, "Giới tính", "Giới tính phải là Nam hoặc Nữ (nhận được “x”)."),
    ({"ethnicity": "Klingon"}, "Dân tộc", "Không có dân tộc “Klingon” trong danh mục."),
    (
        {"class_name": "6Z9"},
        "Lớp",
        "Không có lớp 6Z9 tại Trường THCS An Bài trong năm học 2025–2026.",
    ),
    ({"learner_id": "3407000201"}, "", ""),
    (
        {"learner_id": "3402000001"},  # Vũ Tiến Dũng, studying at school C
        "Mã định danh học sinh",
        "Học sinh này đang học ở trường khác. Muốn chuyển học sinh sang trường mình, trường "
        "đang quản lý học sinh phải làm thủ tục chuyển trường; việc nhập tệp không chuyển được "
        "học sinh.",
    ),
    (
        {"full_name": "<script>alert(1)</script>"},
        "Họ và tên",
        f"{NAME_RULE} (nhận được “<script>alert(1)</script>”).",
    ),
    (
        {"full_name": "Robert'); DROP TABLE registry_student;--"},
        "Họ và tên",
        f"{NAME_RULE} (nhận được “Robert'); DROP TABLE registry_student;--”).",
    ),
    ({"permanent_address": "x" * 300}, "Địa chỉ thường trú", "Tối đa 255 ký tự (đang có 300)."),
    (
        {"learner_id": "3407000201", "full_name": "Ngô Văn Tú"},
        "Mã định danh học sinh",
        "3407000201 bị trùng trong tệp: đã có ở dòng 9.",
    ),
]


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_written(world, tmp_path):
    rows = [
        student_row(**{"row_no": i + 1, "learner_id": f"34070003{i:02d}", **cells})
        for i, (cells, _column, _message) in enumerate(BAD_ROWS)
    ]
    path = write_xlsx(tmp_path / "loi.xlsx", STUDENT_HEADERS, rows)
    before = counts()

    job = upload(world.principal, path, unit=world.school_a, year=world.year)

    assert job.status == "invalid"
    assert job.error_count == 12
    assert job.errors == [
        {"row": i + 2, "column": column, "message": message}
        for i, (_cells, column, message) in enumerate(BAD_ROWS)
        if column
    ]
    assert (job.created_count, job.updated_count) == (1, 0)  # row 9 alone is good
    assert counts() == before
    assert not job.file  # the upload holds personal data: deleted once the job ended
    with pytest.raises(ValidationError):
        jobs.import_job_confirm(actor=world.principal, job=job)
    assert counts() == before


def test_a_valid_job_cannot_be_applied_by_someone_without_rights(world, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", STUDENT_HEADERS, _good_rows())
    job = upload(world.principal, path, unit=world.school_a, year=world.year)
    before = counts()
    with pytest.raises(PermissionDenied):
        jobs.import_job_confirm(actor=world.principal_c, job=job)
    with pytest.raises(PermissionDenied):
        upload(world.teacher, path, unit=world.school_a, year=world.year)
    job.refresh_from_db()
    assert (job.status, counts()) == ("validated", before)


def test_reimporting_the_same_file_changes_nothing(world, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", STUDENT_HEADERS, _good_rows())
    first = jobs.import_job_confirm(
        actor=world.principal,
        job=upload(world.principal, path, unit=world.school_a, year=world.year),
    )
    assert first.status == "done"
    # The pupil without a learner ID is found again by name and birth date.
    before = counts()

    again = upload(world.principal, path, unit=world.school_a, year=world.year)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    again = jobs.import_job_confirm(actor=world.principal, job=again)

    assert again.status == "done"
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert counts() == before  # not even an audit entry


def test_changed_rows_update_the_record_with_audit_and_move_class(world, tmp_path):
    an = world.students["an"]
    rows = [
        student_row(
            learner_id="3407000001",
            full_name="Nguyễn Văn An",
            birth_date="12/03/2014",
            gender="Nam",
            permanent_address="Xóm 2, xã Quỳnh Hải",
            class_name="6A2",
            father_name="Nguyễn Văn Cha",
            father_phone="0912345678",
            mother_name="Trần Thị Mơ",
        )
    ]
    path = write_xlsx(tmp_path / "sua.xlsx", STUDENT_HEADERS, rows)
    job = upload(world.principal, path, unit=world.school_a, year=world.year)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 0)

    jobs.import_job_confirm(actor=world.principal, job=job)

    an.refresh_from_db()
    assert (an.permanent_address, an.current_class, an.birthplace) == (
        "Xóm 2, xã Quỳnh Hải",
        world.class_6a2,
        "Thái Bình",  # empty in the file: kept
    )
    update = AuditEntry.objects.get(action="student.update", object_id=str(an.pk))
    assert (update.before, update.after) == (
        {"hometown": "", "permanent_address": ""},
        {"hometown": "Quỳnh Phụ, Thái Bình", "permanent_address": "Xóm 2, xã Quỳnh Hải"},
    )
    assert EnrolmentEvent.objects.filter(student=an, kind="class_change").count() == 1
    # The father was already linked (same name): only the mother is added.
    assert sorted(an.guardian_links.values_list("relation", "guardian__full_name")) == [
        ("father", "Nguyễn Văn Cha"),
        ("mother", "Trần Thị Mơ"),
    ]


def test_a_temporary_code_pupil_gets_the_learner_id_from_the_file(world, tmp_path):
    pupil = student_services.student_admit(
        actor=SYSTEM,
        school_class=world.class_6a1,
        admitted_on=world.year.start_date,
        data={"full_name": "Mai Thu Trang", "birth_date": "09/09/2014", "gender": "Nữ"},
    )
    rows = [
        student_row(
            learner_id="3407009999",
            full_name="Mai Thu Trang",
            birth_date="09/09/2014",
            gender="Nữ",
            hometown="",
            permanent_address="",
        )
    ]
    path = write_xlsx(tmp_path / "ma.xlsx", STUDENT_HEADERS, rows)
    job = jobs.import_job_confirm(
        actor=world.principal,
        job=upload(world.principal, path, unit=world.school_a, year=world.year),
    )
    pupil.refresh_from_db()
    assert (job.updated_count, pupil.learner_id, pupil.temp_code) == (
        1,
        "3407009999",
        "TS34070001-00001",
    )
    entry = AuditEntry.objects.get(action="student.learner_id_assign", object_id=str(pupil.pk))
    assert (entry.before, entry.after) == (
        {"temp_code": "TS34070001-00001"},
        {"learner_id": "3407009999"},
    )


def test_changes_made_after_the_dry_run_are_caught_and_nothing_is_written(world, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", STUDENT_HEADERS, _good_rows())
    job = upload(world.principal, path, unit=world.school_a, year=world.year)
    assert job.status == "validated"
    # Meanwhile school C admits the pupil of row 4 with the same learner ID.
    student_services.student_admit(
        actor=SYSTEM,
        school_class=world.class_c,
        admitted_on=world.year.start_date,
        data={
            "learner_id": "3407000102",
            "full_name": "Đỗ Gia Huy",
            "birth_date": "01/01/2014",
            "gender": "Nam",
        },
    )
    before = counts()

    job = jobs.import_job_confirm(actor=world.principal, job=job)

    assert job.status == "failed"
    assert job.message.startswith("Dữ liệu đã thay đổi kể từ lúc kiểm tra: hiện có 1 dòng bị lỗi.")
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "Mã định danh học sinh")]
    assert counts() == before
    with pytest.raises(ValidationError):
        jobs.import_job_confirm(actor=world.principal, job=job)


def test_numbers_typed_into_id_and_phone_cells_get_their_zeros_back(world, tmp_path):
    rows = [
        student_row(
            learner_id=107000123,  # a Hà Nội ID "0107000123" stored as a number
            citizen_id=34214000321,  # "034214000321" lost its leading zero
            father_name="Phạm Văn Long",
            father_phone=912000001,
            birth_date=dt.datetime(2014, 9, 5),  # a real date cell
        )
    ]
    path = write_xlsx(tmp_path / "so.xlsx", STUDENT_HEADERS, rows)
    job = jobs.import_job_confirm(
        actor=world.principal,
        job=upload(world.principal, path, unit=world.school_a, year=world.year),
    )
    assert job.status == "done", job.errors
    pupil = Student.objects.get(learner_id="0107000123")
    assert (pupil.citizen_id, pupil.birth_date) == ("034214000321", dt.date(2014, 9, 5))
    assert pupil.guardian_links.get().guardian.phone == "0912000001"


def test_a_pupil_who_left_is_not_readmitted_by_import(world, tmp_path):
    from truongso.registry.services import enrolment

    enrolment.student_exit(
        actor=SYSTEM, student=world.students["binh"], kind="left", date=dt.date(2025, 10, 1)
    )
    rows = [
        student_row(
            learner_id="3407000002", full_name="Đỗ Thị Bình", gender="Nữ", birth_date="12/03/2014"
        )
    ]
    path = write_xlsx(tmp_path / "b.xlsx", STUDENT_HEADERS, rows)
    job = upload(world.principal, path, unit=world.school_a, year=world.year)
    assert job.status == "invalid"
    assert job.errors[0]["message"].startswith("Học sinh này đang ở trạng thái “Thôi học”")
