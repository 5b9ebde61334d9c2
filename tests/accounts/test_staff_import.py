"""The staff-list import: all or nothing, with every bad row named."""

import io
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.accounts import import_jobs
from lms.accounts.demo import demo_data, load_units
from lms.accounts.models import Province, User
from lms.extensions import session
from lms.jobs.models import Job
from tests.conftest import csrf_token, post_form

HEADER = (
    "email,title_th,first_name_th,last_name_th,first_name_en,staff_group,position,"
    "org_unit_code,province_code,roles,is_active"
)
GOOD_ROWS = [
    "somchai@example.org,นาย,สมชาย,ใจดี,Somchai,executive,ผู้อำนวยการ,DEMO-PO-CM,TH-50,learner,1",
    "malee@example.org,นางสาว,มาลี,มีสุข,Malee,practitioner,นักวิชาการคอมพิวเตอร์,DEMO-OPS-ICT,TH-10,learner;hr,1",
    "kasem@example.org,ว่าที่ร้อยตรี,เกษม,สุขใจ,,general,,,,,",
]


@pytest.fixture(autouse=True)
def import_dir(app, tmp_path):
    """Uploads waiting for a background import go to the test's own folder."""
    folder = tmp_path / "imports"
    app.config["LMS_IMPORT_DIR"] = str(folder)
    return folder


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
    assert "แถว 4 คอลัมน์ province_code: TH-99 ไม่ใช่ชื่อหรือรหัสจังหวัด" in err
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


SHORT_HEADER = "email,first_name_th,last_name_th,staff_group"


def test_rows_with_more_or_fewer_values_than_the_header_are_refused(app, runner, tmp_path):
    rows = [
        "ok@example.org,สมศรี,ดีใจ,general",
        "comma@example.org,สมชาย,ใจดี, จำกัด,general",  # an unquoted comma in a name shifts the values
        "short@example.org,มานี,general",
    ]
    result = import_file(runner, tmp_path, "staff.csv", csv_bytes(*rows, header=SHORT_HEADER))
    assert result.exit_code == 1
    assert "แถว 3 คอลัมน์ -: แถวนี้มี 5 ค่า แต่แถวหัวตารางมี 4 คอลัมน์" in result.stderr
    assert "แถว 4 คอลัมน์ -: แถวนี้มี 3 ค่า แต่แถวหัวตารางมี 4 คอลัมน์" in result.stderr
    assert "2 problem(s) found; nothing was imported." in result.stderr
    book = xlsx_bytes([SHORT_HEADER.split(","), ["x@example.org", "ก", "ข", "general", "เกิน"]])
    result = import_file(runner, tmp_path, "staff.xlsx", book)
    assert "แถว 2 คอลัมน์ -: แถวนี้มี 5 ค่า แต่แถวหัวตารางมี 4 คอลัมน์" in result.stderr
    assert user_count() == 0


def test_invisible_characters_are_removed_and_an_invisible_name_is_missing(app, runner, tmp_path):
    header = SHORT_HEADER + ",first_name_en,last_name_en"
    rows = [
        # ZWSP, ZWJ, BOM, soft hyphen, WORD JOINER, a bidi mark and isolate; English in NFD
        "\u200bnid@example.org,\u200bนิด\u200d,สุข\ufeffใจ\u00ad,general,Nid\u2060,Jose\u0301\u200f\u2066",
    ]
    result = import_file(runner, tmp_path, "staff.csv", csv_bytes(*rows, header=header))
    assert result.exit_code == 0, result.output
    nid = session.scalar(select(User).where(User.email == "nid@example.org"))
    assert (nid.first_name_th, nid.last_name_th) == ("นิด", "สุขใจ")
    assert (nid.first_name_en, nid.last_name_en) == ("Nid", "Jos\u00e9")
    invisible = "ghost@example.org,\u200b\u200c\u200d,\u2060\ufeff,general"
    result = import_file(runner, tmp_path, "staff.csv", csv_bytes(invisible, header=SHORT_HEADER))
    assert result.exit_code == 1
    assert "แถว 2 คอลัมน์ first_name_th: ต้องกรอกค่านี้ ช่องนี้มีแต่อักขระที่มองไม่เห็น" in result.stderr
    assert "แถว 2 คอลัมน์ last_name_th: ต้องกรอกค่านี้ ช่องนี้มีแต่อักขระที่มองไม่เห็น" in result.stderr
    assert user_count() == 1


def test_provinces_by_thai_or_english_name_or_code(app, runner, tmp_path):
    header = SHORT_HEADER + ",province_code"
    named = {
        "a@example.org": ("จังหวัดเชียงใหม่", "TH-50"),
        "b@example.org": ("จังหวัด สงขลา", "TH-90"),
        "c@example.org": ("Chiang Mai", "TH-50"),
        "d@example.org": ("nakhon ratchasima province", "TH-30"),
        "e@example.org": ("th-10", "TH-10"),
        "f@example.org": ("กรุงเทพมหานคร", "TH-10"),
        "g@example.org": ("ภูเก็ต", "TH-83"),
    }
    rows = [f"{email},ก,ข,general,{name}" for email, (name, _code) in named.items()]
    result = import_file(runner, tmp_path, "staff.csv", csv_bytes(*rows, header=header))
    assert result.exit_code == 0, result.output
    stored = dict(session.execute(select(User.email, Province.iso_code).join(User.province)).all())
    assert stored == {email: code for email, (_name, code) in named.items()}
    typo = import_file(
        runner, tmp_path, "staff.csv", csv_bytes("h@example.org,ก,ข,general,เชียงไหม่", header=header)
    )
    assert typo.exit_code == 1
    assert (
        "แถว 2 คอลัมน์ province_code: เชียงไหม่ ไม่ใช่ชื่อหรือรหัสจังหวัด ที่ใกล้เคียงที่สุด: เชียงใหม่ / Chiang Mai (TH-50)"
        in (typo.stderr)
    )
    english = import_file(
        runner, tmp_path, "staff.csv", csv_bytes("h@example.org,ก,ข,general,Songkla", header=header)
    )
    assert "Songkla ไม่ใช่ชื่อหรือรหัสจังหวัด ที่ใกล้เคียงที่สุด: สงขลา / Songkhla (TH-90)" in english.stderr


def test_a_semicolon_or_tab_separated_file_is_read(app, runner, tmp_path):
    setup_org()
    semicolons = csv_bytes(
        "semi@example.org;สมหญิง;รักดี;general;DEMO-OPS-ICT;learner,hr",
        header="email;first_name_th;last_name_th;staff_group;org_unit_code;roles",
    )
    result = import_file(runner, tmp_path, "staff.csv", semicolons)
    assert result.exit_code == 0, result.stderr
    tabs = csv_bytes("tab@example.org\tสมพร\tสุขดี\tpractitioner", header=SHORT_HEADER.replace(",", "\t"))
    result = import_file(runner, tmp_path, "staff.csv", tabs)
    assert result.exit_code == 0, result.stderr
    semi = session.scalar(select(User).where(User.email == "semi@example.org"))
    assert semi.roles == {"learner", "hr"} and semi.org_unit.code == "DEMO-OPS-ICT"
    assert session.scalar(select(User.last_name_th).where(User.email == "tab@example.org")) == "สุขดี"
    pipes = csv_bytes("p@example.org|ก|ข|general", header=SHORT_HEADER.replace(",", "|"))
    result = import_file(runner, tmp_path, "staff.csv", pipes)
    assert result.exit_code == 1
    assert "ชื่อคอลัมน์มีขีดตั้ง (|)อยู่ โปรดคั่นคอลัมน์ด้วยจุลภาค อัฒภาค หรือแท็บ" in result.stderr


def test_a_value_too_long_for_the_csv_reader_is_a_row_error(app, runner, tmp_path):
    rows = [f'big@example.org,"{"ก" * 140_000}",ข,general', "bad-email,ก,ข,general"]
    result = import_file(runner, tmp_path, "staff.csv", csv_bytes(*rows, header=SHORT_HEADER))
    assert result.exit_code == 1
    assert "แถว 2 คอลัมน์ -: มีค่าที่ยาวเกิน 131072 ตัวอักษร" in result.stderr
    assert "แถว 3 คอลัมน์ email: bad-email ไม่ใช่อีเมลที่ถูกต้อง" in result.stderr
    assert user_count() == 0


def upload(client, data: bytes, name: str = "staff.csv"):
    """Post the import form with a file, as a browser does. The body is built here: for a body
    over 500 KB the test client's own encoder leaves a temporary file open."""
    boundary = "----lms-test-boundary"
    token = csrf_token(client, "/admin/users/import")
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        "/admin/users/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def wait_for_import(client, url: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = client.get(url).get_data(as_text=True)
        if '<meta http-equiv="refresh"' not in page:
            return page
        time.sleep(0.2)
    pytest.fail(f"the import at {url} did not finish in {seconds} s")


def test_the_largest_file_is_imported_by_a_job_with_its_own_page(client, users, as_role, import_dir):
    setup_org()
    rows = [f"p{n}@example.org,ชื่อ{n},สกุล{n},general,DEMO-OPS-ICT,TH-10,learner" for n in range(20_000)]
    data = csv_bytes(*rows, header=SHORT_HEADER + ",org_unit_code,province_code,roles")
    as_role("admin")
    started = time.monotonic()
    first = upload(client, data)
    assert first.status_code == 303, first.get_data(as_text=True)
    assert time.monotonic() - started < 10  # the request does not wait for the import
    again = upload(client, data)  # a double submit leads to the same import
    assert again.status_code == 303 and again.location == first.location
    page = wait_for_import(client, first.location)
    assert "เพิ่มใหม่ 20000 คน ปรับปรุง 0 คน ไม่เปลี่ยนแปลง 0 คน" in page
    assert user_count() == 20_000 + len(users)
    assert list(import_dir.iterdir()) == []  # the saved upload is gone once imported
    assert upload(client, data).location == first.location  # still the same import's result
    assert "เพิ่มใหม่ 20000 คน" in client.get(first.location).get_data(as_text=True)


def test_a_background_import_with_a_bad_row_writes_nothing(client, users, as_role):
    rows = [f"q{n}@example.org,ก,ข,general" for n in range(1_200)]
    rows[700] = "q700@example.org,ก,ข,astronaut"
    as_role("admin")
    response = upload(client, csv_bytes(*rows, header=SHORT_HEADER))
    assert response.status_code == 303
    page = wait_for_import(client, response.location)
    assert "ยังไม่ได้นำเข้าข้อมูลใด ๆ: พบปัญหา 1 รายการ" in page
    assert "<td>702</td><td>staff_group</td><td>astronaut ไม่ใช่กลุ่มบุคลากร" in page
    assert user_count() == len(users)


def test_hr_may_not_import_nor_see_an_import(client, users, as_role):
    as_role("admin")
    response = upload(
        client, csv_bytes(*[f"r{n}@example.org,ก,ข,general" for n in range(1_100)], header=SHORT_HEADER)
    )
    job_url = response.location
    wait_for_import(client, job_url)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    as_role("hr")
    assert client.get("/admin/users/import").status_code == 403
    assert client.get(job_url).status_code == 403
    assert user_count() == len(users) + 1_100


def test_a_long_file_message_stays_inside_its_card(client, users, as_role):
    """A header written with another separator is one long word in the message: it must wrap
    (overflow-wrap) instead of running out of the card on a phone-sized screen."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    as_role("admin")
    header = "|".join(["email", "title_th", "first_name_th", "last_name_th", "staff_group", "position"])
    response = upload(client, csv_bytes("a@example.org|นาย|ก|ข|general|x", header=header))
    assert response.status_code == 400
    css = (Path(__file__).parents[2] / "lms" / "static" / "css" / "lms.css").read_text(encoding="utf-8")
    html = re.sub(
        r'<link[^>]+rel="stylesheet"[^>]*>',
        lambda _m: f"<style>{css}</style>",
        response.get_data(as_text=True),
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.set_content(html)
            error = page.locator(".field .error")
            assert "ขีดตั้ง (|)" in error.inner_text()
            sizes = error.evaluate(
                "e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().right,"
                " e.closest('.card').getBoundingClientRect().right, document.documentElement.scrollWidth]"
            )
        finally:
            browser.close()
    scroll_width, client_width, right, card_right, page_width = sizes
    assert scroll_width <= client_width and right <= card_right and page_width <= 360, sizes


def test_an_import_whose_worker_died_says_so_and_stops_refreshing(client, users, as_role):
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    job = Job(
        kind=import_jobs.KIND,
        params={"filename": "staff.csv", "sha256": "0" * 64},
        status="running",
        total=1,
        created_by_id=users["admin"].id,
        created_at=long_ago,
        started_at=long_ago,
    )
    session.add(job)
    session.commit()
    as_role("admin")
    page = client.get(f"/admin/users/import/jobs/{job.id}").get_data(as_text=True)
    assert "การนำเข้านี้หยุดไปก่อนเสร็จ (งานเบื้องหลังสิ้นสุดลง) จึงยังไม่ได้บันทึกข้อมูลใด ๆ" in page
    assert '<meta http-equiv="refresh"' not in page
