"""Data: the two assessment schemes in force, as data read by the rule engines.

Thông tư 22/2021/TT-BGDĐT (lower and upper secondary; also used by continuing education for
its secondary programmes) and Thông tư 27/2020/TT-BGDĐT (primary). The TT27 qualities and
competences, and its test scale 1–10 without zero, are unverified against the signed text:
they are parameters here so that a school year can change them without code.
"""

from django.db import migrations

TT22 = {
    "levels": ["thcs", "thpt"],
    "regular_counts": [[35, 2], [70, 3], [None, 4]],
    "weights": {"tx": 1, "gk": 2, "ck": 3},
    "year_weights": {"1": 1, "2": 2},
    "thresholds": {
        "tot_all": 65, "tot_high": 80, "kha_all": 50, "kha_high": 65, "dat_pass": 50,
        "dat_floor": 35, "dat_comment_fails": 1, "high_count": 6, "excellent_score": 90,
        "excellent_count": 6, "max_absences": 45, "one_subject_adjustment": True,
    },
}
TT27 = {
    "levels": ["tieu_hoc"],
    "mid_tests": {"grades": [4, 5], "subjects": ["TV", "TOAN"]},
    "thresholds": {"excellent_test": 9, "good_test": 7, "pass_test": 5, "test_min": 1},
    "qualities": [
        ["yeu_nuoc", "Yêu nước"], ["nhan_ai", "Nhân ái"], ["cham_chi", "Chăm chỉ"],
        ["trung_thuc", "Trung thực"], ["trach_nhiem", "Trách nhiệm"],
        ["tu_chu", "Tự chủ và tự học"], ["giao_tiep", "Giao tiếp và hợp tác"],
        ["gqvd", "Giải quyết vấn đề và sáng tạo"], ["ngon_ngu", "Ngôn ngữ"],
        ["tinh_toan", "Tính toán"], ["khoa_hoc", "Khoa học"], ["cong_nghe", "Công nghệ"],
        ["tin_hoc", "Tin học"], ["tham_mi", "Thẩm mĩ"], ["the_chat", "Thể chất"],
    ],
}


def load(apps, schema_editor):
    Scheme = apps.get_model("gradebook", "AssessmentScheme")
    Scheme.objects.update_or_create(code="TT22-2021", defaults={
        "name": "Đánh giá học sinh THCS, THPT (Thông tư 22/2021)",
        "circular": "Thông tư 22/2021/TT-BGDĐT ngày 20/7/2021", "engine": "tt22", "params": TT22,
    })
    Scheme.objects.update_or_create(code="TT27-2020", defaults={
        "name": "Đánh giá học sinh tiểu học (Thông tư 27/2020)",
        "circular": "Thông tư 27/2020/TT-BGDĐT ngày 04/9/2020", "engine": "tt27", "params": TT27,
    })


def unload(apps, schema_editor):
    apps.get_model("gradebook", "AssessmentScheme").objects.filter(
        code__in=["TT22-2021", "TT27-2020"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("gradebook", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
