"""The parent's pages (phone → OTP → form → slip → edit) and the review pages."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from truongso.admissions.models import Application, ApplicationStatus, SmsMessage
from truongso.admissions.parent_session import COOKIE
from truongso.admissions.tests.apply_world import OTHER_PHONE, PHONE, form, open_round
from truongso.core.models import AuditEntry
from truongso.registry.tests.test_org_views import login


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> Any:
    settings.ADMISSIONS_SMS_BACKEND = "console"
    cache.clear()
    with translation.override("en"):
        yield


def english_client() -> Client:
    client = Client()
    client.cookies["truongso_language"] = "en"
    return client


def verified_client(phone: str = PHONE) -> Client:
    client = english_client()
    response = client.post(reverse("admissions_apply:phone"), {"phone": phone})
    assert response.status_code == 200
    text = SmsMessage.objects.filter(phone=phone).latest("pk").text
    code = re.search(r"\b(\d{6})\b", text)
    assert code
    response = client.post(
        reverse("admissions_apply:verify"), {"phone": phone, "code": code.group(1)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admissions_apply:mine")
    return client


def post_form(world: Any, **extra: Any) -> dict[str, Any]:
    data = form(**extra)
    data["preferences"] = [world.school_a.pk, world.school_b.pk, ""]
    return data


@pytest.mark.django_db
def test_public_round_page_is_served_from_the_cache(
    world: Any, django_assert_num_queries: Any
) -> None:
    r = open_round(world)
    client = Client()
    url = reverse("admissions_apply:round", args=[r.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert "Trường THCS Đông Hợp" in first.content.decode()
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200
    assert client.get(reverse("admissions_apply:round", args=[999999])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "opens", "closes", "results", "phase", "apply_button"),
    [
        ("open", -1, 7, None, "open", True),
        ("open", 1, 7, None, "soon", False),
        ("open", -7, -1, None, "waiting", False),
        ("closed", -7, -1, 2, "waiting", False),
        ("published", -7, -2, 1, "waiting", False),
        ("published", -7, -2, -1, "results", False),
    ],
)
def test_public_pages_say_where_the_round_stands(
    world: Any,
    status: str,
    opens: int,
    closes: int,
    results: int | None,
    phase: str,
    apply_button: bool,
) -> None:
    """The parent sees whether to apply, wait or look up the result, at request time even
    though the round itself comes from the cache; "Apply now" only inside the window."""
    now = timezone.now()
    r = open_round(
        world,
        status=status,
        registration_opens=now + dt.timedelta(days=opens),
        registration_closes=now + dt.timedelta(days=closes),
        results_publish_at=None if results is None else now + dt.timedelta(days=results),
    )
    client = english_client()
    listing = client.get(reverse("admissions_apply:rounds")).content.decode()
    page = client.get(reverse("admissions_apply:round", args=[r.pk])).content.decode()
    for html in (listing, page):
        assert f'data-phase="{phase}"' in html
    assert ('data-testid="apply"' in page) is apply_button
    assert (reverse("admissions_results:mine") in page) is (phase == "results")


@pytest.mark.django_db
def test_wrong_code_then_right_code(world: Any) -> None:
    client = english_client()
    client.post(reverse("admissions_apply:phone"), {"phone": PHONE})
    response = client.post(reverse("admissions_apply:verify"), {"phone": PHONE, "code": "000000"})
    if response.status_code == 302:  # the one-in-a-million right guess
        return
    assert response.status_code == 400
    assert "Wrong code; 4 tries left." in response.content.decode()
    assert COOKIE not in response.cookies
    assert client.get(reverse("admissions_apply:mine")).status_code == 302


@pytest.mark.django_db
def test_parent_applies_downloads_the_slip_and_edits(world: Any) -> None:
    r = open_round(world)
    client = verified_client()
    response = client.post(reverse("admissions_apply:apply", args=[r.pk]), post_form(world))
    app = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admissions_apply:detail", args=[app.code])
    page = client.get(response["Location"]).content.decode()
    assert app.code in page and "Nguyễn Văn An" in page
    slip = client.get(reverse("admissions_apply:slip", args=[app.code]))
    assert slip["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(slip.content)).pages[0].extract_text()
    assert app.code in text
    assert "Trường THCS An Bài" in text and "Nguyễn Văn An" in text
    assert f"/admissions/check/{app.code}/" in text
    data = post_form(world, address="Xóm 5")
    data["preferences"] = [world.school_c.pk]
    response = client.post(reverse("admissions_apply:edit", args=[app.code]), data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.address == "Xóm 5"
    assert list(app.preferences.values_list("school_id", flat=True)) == [world.school_c.pk]
    mine = client.get(reverse("admissions_apply:mine")).content.decode()
    assert app.code in mine and "Trường THCS Đông Hợp" in mine


@pytest.mark.django_db
def test_form_errors_are_shown_and_nothing_saved(world: Any) -> None:
    r = open_round(world)
    client = verified_client()
    data = post_form(world, learner_id="123")
    data["preferences"] = [world.school_a.pk, world.school_a.pk]
    response = client.post(reverse("admissions_apply:apply", args=[r.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Learner ID must be exactly 10 digits (got 123)." in page
    assert "NV2: Trường THCS An Bài is already chosen at an earlier preference." in page
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_another_phone_sees_nothing(world: Any) -> None:
    r = open_round(world)
    client = verified_client()
    client.post(reverse("admissions_apply:apply", args=[r.pk]), post_form(world))
    app = Application.objects.get()
    other = verified_client(OTHER_PHONE)
    for name in ("detail", "edit", "slip"):
        assert other.get(reverse(f"admissions_apply:{name}", args=[app.code])).status_code == 404
    assert other.post(reverse("admissions_apply:withdraw", args=[app.code])).status_code == 404
    assert app.code not in other.get(reverse("admissions_apply:mine")).content.decode()
    anonymous = Client()
    response = anonymous.get(reverse("admissions_apply:detail", args=[app.code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admissions_apply:phone"))
    # A forged cookie is no session.
    anonymous.cookies[COOKIE] = PHONE
    assert anonymous.get(reverse("admissions_apply:mine")).status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


@pytest.mark.django_db
def test_public_check_page_shows_no_personal_data(world: Any) -> None:
    r = open_round(world)
    client = verified_client()
    client.post(reverse("admissions_apply:apply", args=[r.pk]), post_form(world))
    app = Application.objects.get()
    page = Client().get(reverse("admissions_apply:check", args=[app.code.lower()]))
    assert page.status_code == 200
    text = page.content.decode()
    assert app.code in text and "Nguyễn Văn An" not in text and "3407000001" not in text
    assert Client().get(reverse("admissions_apply:check", args=["NOPE"])).status_code == 404


def staff(user: Any) -> Client:
    return login(english_client(), user)


def five_applications(world: Any) -> list[Application]:
    from truongso.admissions.services import applications as svc

    r = open_round(world)
    return [
        svc.application_apply(
            round=r,
            phone=PHONE,
            data=form(learner_id=f"01019999{n:02d}", full_name=f"Học Sinh {chr(65 + n)}"),
            preferences=[world.school_c.pk if n == 0 else world.school_a.pk],
        )
        for n in range(5)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "count"), [("principal_c", 1), ("principal", 4), ("department", 5), ("bureau", 4)]
)
def test_review_list_is_scoped(world: Any, username: str, count: int) -> None:
    five_applications(world)
    response = staff(world.users[username]).get(reverse("admissions_apply:review"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="review-row"') == count


@pytest.mark.django_db
def test_review_list_search_and_queries(world: Any, django_assert_num_queries: Any) -> None:
    apps = five_applications(world)
    client = staff(world.department)
    client.get(reverse("admissions_apply:review"))
    with django_assert_num_queries(10):  # the same for 1 row or 5: no query per row
        response = client.get(reverse("admissions_apply:review"))
    assert response.content.decode().count('data-testid="review-row"') == 5
    with django_assert_num_queries(10):
        response = client.get(reverse("admissions_apply:review"), {"q": "hoc sinh b"})
    text = response.content.decode()
    assert text.count('data-testid="review-row"') == 1 and apps[1].code in text
    response = client.get(reverse("admissions_apply:review"), {"q": apps[2].code.lower()})
    assert response.content.decode().count('data-testid="review-row"') == 1


@pytest.mark.django_db
def test_teacher_and_parent_accounts_are_refused(world: Any) -> None:
    five_applications(world)
    for username in ("teacher", "parent", "accountant"):
        assert (
            staff(world.users[username]).get(reverse("admissions_apply:review")).status_code == 403
        )


@pytest.mark.django_db
def test_school_returns_and_corrects_with_audit(world: Any) -> None:
    apps = five_applications(world)
    client = staff(world.principal)
    url = reverse("admissions_apply:review_detail", args=[apps[1].pk])
    response = client.post(url, {"action": "return", "note": ""})
    assert response.status_code == 400
    assert "Say what the parent must correct." in response.content.decode()
    response = client.post(url, {"action": "return", "note": "Thiếu học bạ"})
    assert response.status_code == 302
    apps[1].refresh_from_db()
    assert (apps[1].status, apps[1].review_note) == (ApplicationStatus.RETURNED, "Thiếu học bạ")
    response = client.post(
        url,
        {
            "action": "correct",
            "full_name": "Học Sinh Bê",
            "guardian_name": "Nguyễn Văn Ba",
            "birth_date": "12/03/2014",
            "gender": "M",
            "zone": "Z1",
            "encouragement": "1",
            "note": "Sai chính tả",
        },
    )
    assert response.status_code == 302
    apps[1].refresh_from_db()
    assert (apps[1].full_name, apps[1].encouragement) == ("Học Sinh Bê", 1)
    entry = AuditEntry.objects.get(action="admission.correct")
    assert entry.before == {"full_name": "Học Sinh B", "encouragement": "0.00"}
    assert entry.after == {"full_name": "Học Sinh Bê", "encouragement": "1"}
    assert entry.note == "Sai chính tả"
    # School A cannot see (404) the application naming only school C.
    assert (
        client.get(reverse("admissions_apply:review_detail", args=[apps[0].pk])).status_code == 404
    )


@pytest.mark.django_db
def test_principal_c_cannot_review_another_schools_application(world: Any) -> None:
    apps = five_applications(world)
    client = staff(world.principal_c)
    url = reverse("admissions_apply:review_detail", args=[apps[1].pk])
    assert client.post(url, {"action": "accept"}).status_code == 404
    apps[1].refresh_from_db()
    assert apps[1].status == ApplicationStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action="admission.accept").exists()


@pytest.mark.django_db
def test_demo_shows_the_code_sent(world: Any, settings: Any) -> None:
    client = english_client()
    settings.DEMO_MODE = False
    page = client.post(reverse("admissions_apply:phone"), {"phone": PHONE}).content.decode()
    assert 'data-testid="demo-code"' not in page
    settings.DEMO_MODE = True
    page = client.post(reverse("admissions_apply:phone"), {"phone": OTHER_PHONE}).content.decode()
    code = re.search(r"\b(\d{6})\b", SmsMessage.objects.filter(phone=OTHER_PHONE).get().text)
    assert code and f"the code sent is {code.group(1)}." in page


@pytest.mark.django_db
def test_documents_only_through_the_checks(world: Any, settings: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    r = open_round(world)
    client = verified_client()
    client.post(reverse("admissions_apply:apply", args=[r.pk]), post_form(world))
    app = Application.objects.get()
    response = client.post(
        reverse("admissions_apply:document", args=[app.code]),
        {"kind": "Học bạ", "file": SimpleUploadedFile("hb.pdf", b"%PDF-1.4 test")},
    )
    assert response.status_code == 302
    doc = app.documents.get()
    own = client.get(reverse("admissions_apply:document_file", args=[app.code, doc.pk]))
    assert b"".join(own.streaming_content) == b"%PDF-1.4 test"
    assert own["Cache-Control"] == "private, no-store"
    other = verified_client(OTHER_PHONE)
    url = reverse("admissions_apply:document_file", args=[app.code, doc.pk])
    assert other.get(url).status_code == 404
    review = reverse("admissions_apply:review_document", args=[app.pk, doc.pk])
    assert staff(world.principal).get(review).status_code == 200
    assert staff(world.principal_c).get(review).status_code == 404


@pytest.mark.django_db
def test_a_submission_costs_a_fixed_number_of_queries(
    world: Any, django_assert_num_queries: Any
) -> None:
    r = open_round(world)
    client = verified_client()
    data = post_form(world)
    data["preferences"] = [world.school_a.pk, world.school_b.pk, world.school_c.pk]
    # Round, registry lookup, the round's zones (a zone was given), schools named, duplicate
    # check, savepoint, insert, preferences, audit entry, release: no password hash, no
    # session row. Without a zone (grade 10 with no zones) the zones query is not made.
    with django_assert_num_queries(10):
        response = client.post(reverse("admissions_apply:apply", args=[r.pk]), data)
    assert response.status_code == 302
    data.update(learner_id="3407000009", full_name="Lê Thị Cúc", zone="")
    with django_assert_num_queries(9):
        response = client.post(reverse("admissions_apply:apply", args=[r.pk]), data)
    assert response.status_code == 302


@pytest.mark.django_db
def test_review_filters_by_school_and_htmx_gets_the_rows_only(world: Any) -> None:
    apps = five_applications(world)
    client = staff(world.department)
    r = apps[0].round
    response = client.get(
        reverse("admissions_apply:review"),
        {"round_id": str(r.pk), "school_id": str(world.school_c.pk)},
    )
    text = response.content.decode()
    assert text.count('data-testid="review-row"') == 1 and apps[0].code in text
    assert "All schools" in text
    partial = client.get(
        reverse("admissions_apply:review"), {"status": "submitted"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.count('data-testid="review-row"') == 5 and "<html" not in partial


@pytest.mark.django_db
def test_cached_round_page_keeps_each_language(world: Any) -> None:
    r = open_round(world)
    url = reverse("admissions_apply:round", args=[r.pk])
    assert "Grade 10 (by exam)" in english_client().get(url).content.decode()
    vietnamese = Client()
    vietnamese.cookies["truongso_language"] = "vi"
    assert "Grade 10 (by exam)" not in vietnamese.get(url).content.decode()
