"""The wording of the printed học bạ.

These are the labels of the official Vietnamese form (the học bạ is a legal document and
reads the same whatever the reader's interface language), so they are Vietnamese literals
here rather than translatable interface text. The form's layout follows the Ministry's
template for lower and upper secondary (Thông tư 22/2021 results) and primary (Thông tư
27/2020); the exact official template **(unverified)** may differ in its ordering.
"""

SUBJECT = "Học bạ số"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
TITLE = "HỌC BẠ"
PRIMARY = "TIỂU HỌC"
LOWER_SECONDARY = "TRUNG HỌC CƠ SỞ"
UPPER_SECONDARY = "TRUNG HỌC PHỔ THÔNG"
YEAR = "Năm học"
YEARS = "Các năm học"
NAME = "Họ và tên"
GENDER = "Giới tính"
BIRTH = "Ngày sinh"
ETHNICITY = "Dân tộc"
BIRTHPLACE = "Nơi sinh"
LEARNER_ID = "Mã định danh học sinh"
CITIZEN_ID = "Số định danh cá nhân"
CLASS = "Lớp"
SCHOOL = "Trường"
RESULTS_HEADING = "KẾT QUẢ HỌC TẬP VÀ RÈN LUYỆN"
NO = "TT"
SUBJECT_COL = "Môn học, hoạt động giáo dục"
SEM1 = "Học kì I"
SEM2 = "Học kì II"
WHOLE_YEAR = "Cả năm"
CONDUCT = "Kết quả rèn luyện"
LEARNING = "Kết quả học tập"
ABSENCES = "Số buổi nghỉ học"
AWARD = "Danh hiệu"
NONE = "Không"
DECISION = "Xét lên lớp"
RETESTS = "Kiểm tra lại"
SUMMER = "Rèn luyện trong hè"
QUALITY = "Phẩm chất, năng lực"
RATING = "Mức đạt được"
COMMENT = "Nhận xét của giáo viên chủ nhiệm"
DATE = "Ngày %(d)s tháng %(m)s năm %(y)s"
HOMEROOM = "GIÁO VIÊN CHỦ NHIỆM"
PRINCIPAL = "HIỆU TRƯỞNG"
SEAL = "XÁC NHẬN CỦA NHÀ TRƯỜNG"
DIGITAL = "(Ký số)"
SEAL_NOTE = "(Chữ ký số của cơ quan, tổ chức)"
CODE = "Mã tra cứu"
VERSION = "Phiên bản"
VERIFY_AT = "Tra cứu và kiểm tra tại"
VERIFY_HINT = (
    "Học bạ số có chữ ký số của giáo viên chủ nhiệm, hiệu trưởng và nhà trường; có thể kiểm "
    "tra chữ ký trong trình đọc PDF hoặc tải tệp lên trang tra cứu."
)
PREVIEW = "BẢN XEM TRƯỚC - CHƯA KÝ, KHÔNG CÓ GIÁ TRỊ"
CORRECTION = "Đính chính, thay thế phiên bản trước; lý do"
PAGE = "trang"
BOOK_NOTE = (
    "Bản tổng hợp các năm học để xem và in. Bản gốc có giá trị là học bạ số từng năm học, "
    "có chữ ký số, tra cứu bằng mã in trên mỗi học bạ."
)
