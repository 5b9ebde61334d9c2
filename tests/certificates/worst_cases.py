"""Realistic worst cases for the certificate layout: long names with titles, 130-character course
titles, one to three signatories with long names and positions, a long issuer."""

from __future__ import annotations

import copy
from typing import Any

from lms.certificates.data import SAMPLE

LONG_TITLE_TH = (
    "การบริหารจัดการข้อมูลภาครัฐและการเปิดเผยข้อมูลเพื่อการพัฒนาบริการดิจิทัลที่ยึดประชาชนเป็นศูนย์กลาง"
    "สำหรับผู้บริหารระดับกลางของส่วนราชการ"
)
LONG_TITLE_EN = (
    "Government data management and open data for developing citizen-centred digital services, "
    "for middle managers of agencies"
)
ISSUER_TH = "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน) สถาบันพัฒนาบุคลากรภาครัฐด้านดิจิทัล"
ISSUER_EN = "Digital Government Development Agency (Public Organization), Digital Government Academy"


def signatory(n: int) -> dict[str, Any]:
    return {
        "name_th": ["นายศักดิ์สิทธิ์ วิจิตรไพบูลย์ณอยุธยา", "นางสาวปิ่นมณีรัตน์ รุ่งเรืองศรีสวัสดิ์", "ดร.สมชาย ใจงาม"][n],
        "position_th": [
            "ผู้อำนวยการสำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)",
            "ผู้อำนวยการสถาบันพัฒนาบุคลากรภาครัฐด้านดิจิทัล",
            "รองผู้อำนวยการฝ่ายพัฒนาบุคลากรและการเรียนรู้",
        ][n],
        "name_en": [
            "Mr Saksit Wijitpaiboonnaayutthaya",
            "Ms Pinmaneerat Rungruangsrisawat",
            "Dr Somchai Jai-ngam",
        ][n],
        "position_en": [
            "Director, Digital Government Development Agency",
            "Director, Digital Government Academy",
            "Deputy Director, People and Learning Development",
        ][n],
    }


def case(
    *,
    title_th: str,
    first_th: str,
    last_th: str,
    title_en: str | None = None,
    first_en: str = "",
    last_en: str = "",
    course: tuple[str, str] = (LONG_TITLE_TH, LONG_TITLE_EN),
    signatories: int = 3,
    issuer: tuple[str, str] = (ISSUER_TH, ISSUER_EN),
) -> dict[str, Any]:
    data = copy.deepcopy(SAMPLE)
    full_th = f"{title_th}{first_th} {last_th}"
    full_en = f"{title_en} {first_en} {last_en}".strip() if first_en else ""
    data["learner"] = {
        "title_th": title_th,
        "first_name_th": first_th,
        "last_name_th": last_th,
        "title_en": title_en,
        "first_name_en": first_en,
        "last_name_en": last_en,
        "full_name_th": full_th,
        "full_name_en": full_en,
    }
    data["course"]["title_th"], data["course"]["title_en"] = course
    data["signatories"] = [signatory(n) for n in range(signatories)]
    data["issuer"] = {"name_th": issuer[0], "name_en": issuer[1]}
    return data


#: (name, data): each is laid out with both templates.
CASES = [
    (
        "long-name-long-issuer-one-signatory",
        case(
            signatories=1,
            title_th="ว่าที่ร้อยตรีหญิง",
            first_th="ศักดิ์สิทธิ์วิจิตร",
            last_th="ไพบูลย์ณอยุธยาสวัสดิ์วงศ์",
            title_en="Acting Second Lieutenant",
            first_en="Saksitwijit",
            last_en="Phaiboonnaayutthayasawatwong",
        ),
    ),
    (
        "no-english-name-two-signatories",
        case(
            title_th="นางสาว",
            first_th="ปิ่นมณีรัตน์",
            last_th="รุ่งเรืองศรีสวัสดิ์วงศ์ตระกูล",
            signatories=2,
        ),
    ),
    (
        "short-everything-one-signatory",
        case(
            title_th="นาย",
            first_th="ก้อง",
            last_th="ดี",
            title_en="Mr.",
            first_en="Kong",
            last_en="Dee",
            course=("ความรู้พื้นฐานดิจิทัล", "Digital basics"),
            signatories=1,
            issuer=("สถาบันฝึกอบรมตัวอย่าง", "Example Training Institute"),
        ),
    ),
    (
        "two-line-name-three-signatories",
        case(
            title_th="พลตำรวจตรีหญิง ดร.",
            first_th="วิมลรัตน์ประภาพรรณราย",
            last_th="ศรีสุวรรณภูมิพิทักษ์ไพศาลวงศ์",
            title_en="Police Major General Dr",
            first_en="Wimonratprapaphanrai",
            last_en="Srisuwannaphumphithakphaisanwong",
        ),
    ),
]
