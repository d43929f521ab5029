"""The enrolment-codes API of a grade-1/6 round: upload (.xlsx or CSV, all or nothing, row and
field messages), the scoped list with filters and a constant query count, the audited .xlsx
read back; refused for other users and for grade-10 rounds, with nothing changed."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from truongso.accounts.services import role_grant
from truongso.admissions.models import AdmissionRound, EnrolmentCode
from truongso.admissions.services import codes as code_services
from truongso.admissions.tests.rounds_world import make_round
from truongso.admissions.tests.test_zones_run import grade1
from truongso.core.authz import SYSTEM, Role
from truongso.core.models import AuditEntry
from truongso.registry.reference import OrgKind
from truongso.registry.services import org
from truongso.testing.live import client_login
from truongso.testing.world import make_user

pytestmark = pytest.mark.django_db
API = "/api/v1/admissions/rounds/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def login(client: Any, user: Any, language: str = "en") -> None:
    client_login(client, user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language


def workbook(*rows: list[Any]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client: Any, r: AdmissionRound, data: bytes, name: str = "ds.xlsx") -> Any:
    return client.post(f"{API}{r.pk}/codes/", {"file": SimpleUploadedFile(name, data)})


def listed(client: Any, r: AdmissionRound, **params: Any) -> list[str]:
    response = client.get(f"{API}{r.pk}/codes/", params)
    assert response.status_code == 200
    return [row["child_name"] for row in response.json()["results"]]


def snapshot() -> tuple[list[tuple[Any, ...]], int]:
    """Every code and every audit entry of the codes: what a refusal must leave alone."""
    rows = list(EnrolmentCode.objects.order_by("pk").values_list())
    audits = AuditEntry.objects.filter(action__startswith="admissions.codes").count()
    exports = AuditEntry.objects.filter(object_type="admissions.enrolment_codes").count()
    return rows, audits + exports


@pytest.fixture
def r1(world: Any) -> AdmissionRound:
    return grade1(world, zone_rules=True)


@pytest.fixture
def other_province(world: Any) -> Any:
    """An officer of another Sở (Nam Định) with the same role as ``department``."""
    unit = org.org_unit_create(
        actor=SYSTEM,
        kind=OrgKind.DEPARTMENT,
        code="25",
        name="Sở GD&ĐT Nam Định",
        parent=world.ministry_unit,
    )
    user = make_user("nam_dinh", "Chuyên viên Sở Nam Định")
    role_grant(actor=SYSTEM, user=user, role=Role.DEPARTMENT_OFFICER, org_unit=unit, check=False)
    return user


def test_xlsx_upload_issues_codes_in_file_order(client: Any, world: Any, r1: AdmissionRound):
    login(client, world.department)
    data = workbook(
        ["Họ và tên", "Ngày sinh", "Mã định danh", "Tuyến"],
        ["Nguyễn  Văn An", dt.date(2020, 3, 1), None, "Z1"],
        ["Trần Thị Bình", "15/07/2020", "0123456789", "Z2"],
        ["Lê Chi", "2020-01-02", "", "Z1"],
    )
    response = upload(client, r1, data)
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 3
    made = {c.child_name: c for c in EnrolmentCode.objects.filter(round=r1)}
    a, b = world.school_a, world.school_b
    assert [{k: v for k, v in row.items() if k != "code"} for row in body["codes"]] == [
        {
            "id": made["Nguyễn Văn An"].pk,
            "child_name": "Nguyễn Văn An",
            "birth_date": "2020-03-01",
            "learner_id": "",
            "zone": "Z1",
            "school": a.pk,
            "school_code": "34070001",
            "school_name": "Trường THCS An Bài",
        },
        {
            "id": made["Trần Thị Bình"].pk,
            "child_name": "Trần Thị Bình",
            "birth_date": "2020-07-15",
            "learner_id": "0123456789",
            "zone": "Z2",
            "school": b.pk,
            "school_code": "34070002",
            "school_name": "Trường THCS Quỳnh Hải",
        },
        {
            "id": made["Lê Chi"].pk,
            "child_name": "Lê Chi",
            "birth_date": "2020-01-02",
            "learner_id": "",
            "zone": "Z1",
            "school": a.pk,
            "school_code": "34070001",
            "school_name": "Trường THCS An Bài",
        },
    ]
    assert [row["code"] for row in body["codes"]] == [
        made["Nguyễn Văn An"].code,
        made["Trần Thị Bình"].code,
        made["Lê Chi"].code,
    ]
    entry = AuditEntry.objects.get(action="admissions.codes_import")
    assert entry.after == {"file": "ds.xlsx", "created": 3}


def test_csv_upload_is_accepted(client: Any, world: Any, r1: AdmissionRound):
    login(client, world.department)
    csv = "Name,Birth date,Zone\nNguyễn Văn An,01/03/2020,Z3\n".encode()
    response = upload(client, r1, csv, "ds.csv")
    assert response.status_code == 201
    assert response.json()["codes"][0]["school_code"] == "34020001"
    assert EnrolmentCode.objects.get(round=r1).birth_date == dt.date(2020, 3, 1)


def test_list_filters_and_search(client: Any, world: Any, r1: AdmissionRound):
    csv = (
        "Họ và tên,Ngày sinh,Mã định danh,Tuyến\n"
        "Nguyễn Văn An,01/03/2020,,Z1\n"
        "Trần Thị Bình,15/07/2020,0123456789,Z2\n"
        "Lê Văn Chi,02/01/2020,,Z1\n"
    ).encode()
    code_services.codes_import(actor=world.department, round=r1, data=csv, file_name="ds.csv")
    login(client, world.department)
    body = client.get(f"{API}{r1.pk}/codes/").json()
    assert body["count"] == 3
    assert listed(client, r1) == ["Lê Văn Chi", "Nguyễn Văn An", "Trần Thị Bình"]
    assert listed(client, r1, zone="Z2") == ["Trần Thị Bình"]
    assert listed(client, r1, zone="Z9") == []
    an = EnrolmentCode.objects.get(child_name="Nguyễn Văn An").code
    assert listed(client, r1, q=an.lower()) == ["Nguyễn Văn An"]
    assert listed(client, r1, q="0123456789") == ["Trần Thị Bình"]
    assert listed(client, r1, q="Văn") == ["Lê Văn Chi", "Nguyễn Văn An"]
    assert listed(client, r1, q="Văn", zone="Z1") == ["Lê Văn Chi", "Nguyễn Văn An"]
    assert listed(client, r1, q="khong co") == []


def test_download_xlsx_read_back_and_audited(client: Any, world: Any, r1: AdmissionRound):
    csv = (
        "Name,Birth date,Learner ID,Zone\n"
        "Trần Thị Bình,15/07/2020,0123456789,Z2\n"
        "Nguyễn Văn An,01/03/2020,,Z1\n"
    ).encode()
    code_services.codes_import(actor=world.department, round=r1, data=csv, file_name="ds.csv")
    code = dict(EnrolmentCode.objects.values_list("child_name", "code"))
    login(client, world.department)
    response = client.get(f"{API}{r1.pk}/codes.xlsx", HTTP_ACCEPT=XLSX)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="ma-tuyen-sinh-{r1.pk}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        [r1.name, None, None, None, None, None],
        [None, None, None, None, None, None],
        ["Row no.", "Enrolment code", "Full name", "Birth date", "Learner ID", "Zone"],
        [1, code["Nguyễn Văn An"], "Nguyễn Văn An", "01/03/2020", None, "Z1"],
        [2, code["Trần Thị Bình"], "Trần Thị Bình", "15/07/2020", "0123456789", "Z2"],
    ]
    entry = AuditEntry.objects.get(action="export", object_type="admissions.enrolment_codes")
    assert (entry.actor_id, entry.after) == (world.department.pk, {"rows": 2, "round": r1.pk})


def test_malformed_file_names_row_and_field_and_saves_nothing(
    client: Any, world: Any, r1: AdmissionRound
):
    login(client, world.department)
    data = workbook(
        ["Name", "Birth date", "Zone"],
        ["Nguyễn Văn An", "31/02/2020", "Z1"],
        ["Trần Thị Bình", dt.date(2020, 7, 15), "Z9"],
        ["Lê Chi", dt.date(2020, 1, 2), "Z2"],
    )
    response = upload(client, r1, data)
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Row 2, birth date: not a date (dd/mm/yyyy).",
            "Row 3, zone: “Z9” is not a zone of the round's schools.",
        ]
    }
    login(client, world.department, "vi")
    response = upload(client, r1, data)
    assert response.json()["non_field_errors"][1] == (
        "Dòng 3, khu vực: “Z9” không phải khu vực của trường nào trong đợt."
    )
    assert EnrolmentCode.objects.count() == 0
    assert not AuditEntry.objects.filter(action="admissions.codes_import").exists()


def test_wrong_upload_shapes_are_400_and_save_nothing(client: Any, world: Any, r1: AdmissionRound):
    login(client, world.department)
    response = upload(client, r1, b"%PDF-1.7", "ds.pdf")
    assert response.json() == {"non_field_errors": ["Upload a .csv or .xlsx file."]}
    response = upload(client, r1, b"not a zip", "ds.xlsx")
    assert response.json() == {"non_field_errors": ["The file is not a readable .xlsx workbook."]}
    response = upload(client, r1, b"x" * (10 * 1024 * 1024 + 1), "ds.csv")
    assert response.json() == {"file": ["The file is larger than 10 MB."]}
    response = client.post(f"{API}{r1.pk}/codes/", {})
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    response = client.post(f"{API}{r1.pk}/codes/", {"file": "x"}, content_type="application/json")
    assert response.status_code == 415
    assert EnrolmentCode.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("principal", 403),  # school A takes part in the round: sees it, may not manage it
        ("principal_c", 403),
        ("parent", 404),
        ("nam_dinh", 404),  # another province's officer: the round does not exist for her
        (None, 401),
    ],
)
def test_others_are_refused_and_nothing_changes(
    client: Any, world: Any, r1: AdmissionRound, other_province: Any, who: str | None, status: int
):
    csv = b"Name,Birth date,Zone\nAn,01/03/2020,Z1\n"
    code_services.codes_import(actor=world.department, round=r1, data=csv, file_name="ds.csv")
    before = snapshot()
    if who == "nam_dinh":
        login(client, other_province)
    elif who is not None:
        login(client, world.users[who])
    else:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.get(f"{API}{r1.pk}/codes/").status_code == status
    assert upload(client, r1, csv, "ds.csv").status_code == status
    response = client.get(f"{API}{r1.pk}/codes.xlsx")
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert snapshot() == before


def test_grade10_round_is_refused_in_the_request_language(client: Any, world: Any):
    r10 = make_round(world)
    login(client, world.department)
    expected = {"non_field_errors": ["Enrolment codes are for grade 1 and grade 6 rounds."]}
    for response in (
        client.get(f"{API}{r10.pk}/codes/"),
        upload(client, r10, b"Name,Birth date,Zone\nAn,01/03/2020,Z1\n", "ds.csv"),
        client.get(f"{API}{r10.pk}/codes.xlsx"),
    ):
        assert (response.status_code, response.json()) == (400, expected)
    login(client, world.department, "vi")
    assert client.get(f"{API}{r10.pk}/codes/").json() == {
        "non_field_errors": ["Mã tuyển sinh chỉ dành cho đợt tuyển sinh lớp 1 và lớp 6."]
    }
    assert EnrolmentCode.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="admissions.enrolment_codes").exists()


def test_list_query_count_is_constant(client: Any, world: Any, r1: AdmissionRound):
    def children(first: int, n: int) -> bytes:
        rows = [f"Trẻ {i:03d},01/03/2020,Z{1 + i % 3}" for i in range(first, first + n)]
        return ("Name,Birth date,Zone\n" + "\n".join(rows) + "\n").encode()

    code_services.codes_import(
        actor=world.department, round=r1, data=children(0, 2), file_name="a.csv"
    )
    login(client, world.department)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}{r1.pk}/codes/").json()["count"] == 2
    code_services.codes_import(
        actor=world.department, round=r1, data=children(2, 30), file_name="b.csv"
    )
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"{API}{r1.pk}/codes/").json()
    assert body["count"] == 32
    assert {row["school_code"] for row in body["results"]} == {"34070001", "34070002", "34020001"}
    assert len(many.captured_queries) == len(few.captured_queries)


def test_schema_documents_the_code_routes(client: Any, world: Any):
    login(client, world.department)
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    codes = paths["/api/v1/admissions/rounds/{round_pk}/codes/"]
    assert set(codes) >= {"get", "post"}
    assert "multipart/form-data" in codes["post"]["requestBody"]["content"]
    download = paths["/api/v1/admissions/rounds/{round_pk}/codes.xlsx"]["get"]
    assert XLSX in download["responses"]["200"]["content"]
