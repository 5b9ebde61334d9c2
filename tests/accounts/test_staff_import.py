"""The staff-list import: all or nothing, with every bad row named."""

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from lms.accounts.demo import demo_data, load_units
from lms.accounts.models import User
from lms.extensions import session
from tests.conftest import post_form

HEADER = (
    "email,title_th,first_name_th,last_name_th,first_name_en,staff_group,position,"
    "org_unit_code,province_code,roles,is_active"
)
GOOD_ROWS = [
    "somchai@example.org,นาย,สมชาย,ใจดี,Somchai,executive,ผู้อำนวยการ,DEMO-PO-CM,TH-50,learner,1",
    "malee@example.org,นางสาว,มาลี,มีสุข,Malee,practitioner,นักวิชาการคอมพิวเตอร์,DEMO-OPS-ICT,TH-10,learner;hr,1",
    "kasem@example.org,ว่าที่ร้อยตรี,เกษม,สุขใจ,,general,,,,,",
]


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = True) -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def user_count() -> int:
    return session.scalar(select(func.count()).select_from(User))


def setup_org():
    load_units(demo_data()["units"])
    session.commit()


def import_file(runner, tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["lms", "users", "import", str(path)])


def test_a_clean_csv_creates_everyone(app, runner, tmp_path):
    setup_org()
    result = import_file(runner, tmp_path, "staff.csv", csv_bytes(*GOOD_ROWS))
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged" in result.output
    malee = session.scalar(select(User).where(User.email == "malee@example.org"))
    assert malee.roles == {"learner", "hr"}
    assert malee.org_unit.code == "DEMO-OPS-ICT" and malee.province.iso_code == "TH-10"
    assert malee.full_name("th") == "นางสาวมาลี มีสุข"
    kasem = session.scalar(select(User).where(User.email == "kasem@example.org"))
    assert kasem.roles == {"learner"} and kasem.is_active and kasem.org_unit is None


def test_reimporting_the_same_file_changes_nothing(app, runner, tmp_path):
    setup_org()
    import_file(runner, tmp_path, "staff.csv", csv_bytes(*GOOD_ROWS))
    stamps = dict(session.execute(select(User.email, User.updated_at)).all())
    result = import_file(runner, tmp_path, "staff.csv", csv_bytes(*GOOD_ROWS))
    assert "0 created, 0 updated, 3 unchanged" in result.output
    session.expire_all()
    assert dict(session.execute(select(User.email, User.updated_at)).all()) == stamps


def test_a_changed_row_updates_that_user(app, runner, tmp_path):
    setup_org()
    import_file(runner, tmp_path, "staff.csv", csv_bytes(*GOOD_ROWS))
    changed = GOOD_ROWS[0].replace("ผู้อำนวยการ", "รองผู้ว่าราชการจังหวัด").replace(",1", ",0")
    result = import_file(runner, tmp_path, "staff.csv", csv_bytes(changed, *GOOD_ROWS[1:]))
    assert "0 created, 1 updated, 2 unchanged" in result.output
    session.expire_all()
    somchai = session.scalar(select(User).where(User.email == "somchai@example.org"))
    assert somchai.position == "รองผู้ว่าราชการจังหวัด"
    assert somchai.is_active is False


def test_bad_rows_are_all_reported_and_nothing_is_written(app, runner, tmp_path):
    setup_org()
    rows = [
        GOOD_ROWS[0],
        "not-an-email,นาย,ก,ข,,executive,,,,,",
        "b@example.org,นาย,,ข,,astronaut,,NO-SUCH-UNIT,TH-99,learner;boss,maybe",
        "SOMCHAI@example.org,นาย,ซ้ำ,ซ้ำ,,general,,,,,",
    ]
    result = import_file(runner, tmp_path, "staff.csv", csv_bytes(*rows))
    assert result.exit_code == 1
    err = result.stderr
    assert "staff.csv: แถว 3 คอลัมน์ email: not-an-email ไม่ใช่อีเมลที่ถูกต้อง" in err
    assert "แถว 4 คอลัมน์ first_name_th: ต้องกรอกค่านี้" in err
    assert "แถว 4 คอลัมน์ staff_group: astronaut ไม่ใช่กลุ่มบุคลากร" in err
    assert "แถว 4 คอลัมน์ org_unit_code: ไม่มีหน่วยงานที่ใช้รหัส NO-SUCH-UNIT" in err
    assert "แถว 4 คอลัมน์ province_code: TH-99 ไม่ใช่รหัสจังหวัด" in err
    assert "แถว 4 คอลัมน์ roles: ไม่รู้จักบทบาท boss" in err
    assert "แถว 4 คอลัมน์ is_active: maybe" in err
    assert "แถว 5 คอลัมน์ email: อีเมลนี้ซ้ำกับแถว 2" in err
    assert "8 problem(s) found; nothing was imported." in err
    assert user_count() == 0


def test_file_level_problems(app, runner, tmp_path):
    cases = {
        "staff.txt": (b"email\n", "กรุณาใช้ไฟล์ .csv หรือ .xlsx"),
        "empty.csv": (b"", "ไม่มีข้อมูล: แถวแรกต้องเป็นชื่อคอลัมน์"),
        "tis620.csv": (
            ("email,first_name_th,last_name_th,staff_group\na@example.org,สมชาย,ใจดี,general\n").encode(
                "tis-620"
            ),
            "ไม่ได้เข้ารหัสแบบ UTF-8",
        ),
        "extra.csv": (csv_bytes(header=HEADER + ",salary"), "ไม่รู้จักคอลัมน์ salary"),
        "missing.csv": (b"email,first_name_th\n", "ขาดคอลัมน์ที่จำเป็น: last_name_th, staff_group"),
        "twice.csv": (b"email,email,first_name_th,last_name_th,staff_group\n", "มีคอลัมน์ซ้ำ: email"),
        "broken.xlsx": (b"PK not really a workbook", "ไม่สามารถอ่านไฟล์นี้เป็นสมุดงาน .xlsx ได้"),
    }
    for name, (data, message) in cases.items():
        result = import_file(runner, tmp_path, name, data)
        assert result.exit_code == 1, name
        assert message in result.stderr, (name, result.stderr)
    assert user_count() == 0


def test_too_many_rows_are_refused(app_factory, runner, tmp_path):
    small = app_factory(LMS_IMPORT_MAX_ROWS=2)
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    with small.app_context():
        result = small.test_cli_runner().invoke(args=["lms", "users", "import", str(path)])
    assert result.exit_code == 1
    assert "ไฟล์มี 3 แถว รับได้ไม่เกิน 2 แถว" in result.stderr


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_import_with_numbers_and_blank_cells(app, runner, tmp_path):
    setup_org()
    data = xlsx_bytes(
        [
            ["email", "first_name_th", "last_name_th", "staff_group", "level", "province_code", "is_active"],
            ["nid@example.org", "นิด", "หน่อย", "general", 7, "TH-90", 1],
            ["noi@example.org", "น้อย", "มาก", "practitioner", None, None, None],
        ]
    )
    result = import_file(runner, tmp_path, "staff.xlsx", data)
    assert result.exit_code == 0, result.output
    nid = session.scalar(select(User).where(User.email == "nid@example.org"))
    assert nid.level == "7" and nid.province.name_en == "Songkhla"


def test_import_through_the_admin_page(client, users, as_role):
    setup_org()
    as_role("admin")
    bad = post_form(
        client,
        "/admin/users/import",
        {"file": (io.BytesIO(csv_bytes("x@example.org,นาย,ก,ข,,nobody,,,,,")), "staff.csv")},
        content_type="multipart/form-data",
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "ยังไม่ได้นำเข้าข้อมูลใด ๆ: พบปัญหา 1 รายการ" in page
    assert "nobody ไม่ใช่กลุ่มบุคลากร" in page
    good = post_form(
        client,
        "/admin/users/import",
        {"file": (io.BytesIO(csv_bytes(*GOOD_ROWS)), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 200
    assert "เพิ่มใหม่ 3 คน ปรับปรุง 0 คน ไม่เปลี่ยนแปลง 0 คน" in good.get_data(as_text=True)
    wrong_type = post_form(
        client,
        "/admin/users/import",
        {"file": (io.BytesIO(b"%PDF-1.7"), "staff.pdf")},
        content_type="multipart/form-data",
    )
    assert "นำเข้าได้เฉพาะไฟล์ .csv และ .xlsx" in wrong_type.get_data(as_text=True)
    none = post_form(client, "/admin/users/import", {}, content_type="multipart/form-data")
    assert "กรุณาเลือกไฟล์ที่จะนำเข้า" in none.get_data(as_text=True)
