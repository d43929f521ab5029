"""Data: subjects and periods per year of the 2018 general-education programme.

Sources: Thông tư 32/2018/TT-BGDĐT (programme and periods per grade); assessment type per
Thông tư 22/2021/TT-BGDĐT, Art. 5 (comment-only: physical education, arts/music/fine art,
local education, experiential activities) and Thông tư 27/2020/TT-BGDĐT, Art. 7 (primary
subjects with periodic tests: Vietnamese, Mathematics, Foreign language 1, History and
Geography, Science, Informatics and Technology).
"""

from django.db import migrations

SUBJECTS = [
    ("TV", "Tiếng Việt", "Vietnamese"),
    ("TOAN", "Toán", "Mathematics"),
    ("NV", "Ngữ văn", "Literature"),
    ("NN1", "Ngoại ngữ 1", "Foreign language 1"),
    ("DD", "Đạo đức", "Ethics"),
    ("TNXH", "Tự nhiên và Xã hội", "Nature and society"),
    ("LSDL", "Lịch sử và Địa lí", "History and geography"),
    ("KH", "Khoa học", "Science"),
    ("TINCN", "Tin học và Công nghệ", "Informatics and technology"),
    ("GDCD", "Giáo dục công dân", "Civic education"),
    ("KHTN", "Khoa học tự nhiên", "Natural science"),
    ("CN", "Công nghệ", "Technology"),
    ("TIN", "Tin học", "Informatics"),
    ("LS", "Lịch sử", "History"),
    ("DL", "Địa lí", "Geography"),
    ("GDKTPL", "Giáo dục kinh tế và pháp luật", "Economics and law"),
    ("VL", "Vật lí", "Physics"),
    ("HH", "Hóa học", "Chemistry"),
    ("SH", "Sinh học", "Biology"),
    ("GDQPAN", "Giáo dục quốc phòng và an ninh", "Defence and security education"),
    ("GDTC", "Giáo dục thể chất", "Physical education"),
    ("AN", "Âm nhạc", "Music"),
    ("MT", "Mĩ thuật", "Fine art"),
    ("HDTN", "Hoạt động trải nghiệm", "Experiential activities"),
    ("HDTNHN", "Hoạt động trải nghiệm, hướng nghiệp", "Experiential and career activities"),
    ("GDDP", "Nội dung giáo dục địa phương", "Local education"),
]

C, S, PC, PT = "comment", "scored", "primary_comment", "primary_tested"
# grade -> [(subject code, periods per year, assessment type, elective)]
PRIMARY_COMMON = [("DD", 35, PC, False), ("GDTC", 70, PC, False), ("AN", 35, PC, False),
                  ("MT", 35, PC, False), ("HDTN", 105, PC, False)]
LOWER = [("NV", 140, S), ("TOAN", 140, S), ("NN1", 105, S), ("GDCD", 35, S), ("LSDL", 105, S),
         ("KHTN", 140, S), ("TIN", 35, S), ("GDTC", 70, C), ("AN", 35, C), ("MT", 35, C),
         ("HDTNHN", 105, C), ("GDDP", 35, C)]
UPPER = [("NV", 105, S, False), ("TOAN", 105, S, False), ("NN1", 105, S, False),
         ("LS", 52, S, False), ("GDTC", 70, C, False), ("GDQPAN", 35, S, False),
         ("HDTNHN", 105, C, False), ("GDDP", 35, C, False),
         ("DL", 70, S, True), ("GDKTPL", 70, S, True), ("VL", 70, S, True), ("HH", 70, S, True),
         ("SH", 70, S, True), ("CN", 70, S, True), ("TIN", 70, S, True), ("AN", 70, C, True),
         ("MT", 70, C, True)]

PLAN = {
    1: [("TV", 420, PT, False), ("TOAN", 105, PT, False), ("TNXH", 70, PC, False),
        ("NN1", 70, PT, True), *PRIMARY_COMMON],
    2: [("TV", 350, PT, False), ("TOAN", 175, PT, False), ("TNXH", 70, PC, False),
        ("NN1", 70, PT, True), *PRIMARY_COMMON],
    3: [("TV", 245, PT, False), ("TOAN", 175, PT, False), ("NN1", 140, PT, False),
        ("TNXH", 70, PC, False), ("TINCN", 70, PT, False), *PRIMARY_COMMON],
    **{g: [("TV", 245, PT, False), ("TOAN", 175, PT, False), ("NN1", 140, PT, False),
           ("LSDL", 70, PT, False), ("KH", 70, PT, False), ("TINCN", 70, PT, False),
           *PRIMARY_COMMON] for g in (4, 5)},
    **{g: [(code, periods, kind, False) for code, periods, kind in LOWER]
       + [("CN", 35 if g < 8 else 52, S, False)] for g in (6, 7, 8, 9)},
    **{g: UPPER for g in (10, 11, 12)},
}


def load(apps, schema_editor):
    Subject = apps.get_model("registry", "Subject")
    GradeSubject = apps.get_model("registry", "GradeSubject")
    subjects = {}
    for code, name, name_en in SUBJECTS:
        subjects[code], _ = Subject.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
    for grade, rows in PLAN.items():
        for order, (code, periods, kind, elective) in enumerate(rows):
            GradeSubject.objects.get_or_create(
                grade=grade, subject=subjects[code],
                defaults={"periods_per_year": periods, "assessment_type": kind,
                          "is_elective": elective, "order": order},
            )


def unload(apps, schema_editor):
    apps.get_model("registry", "GradeSubject").objects.all().delete()
    apps.get_model("registry", "Subject").objects.filter(
        code__in=[code for code, _, _ in SUBJECTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
