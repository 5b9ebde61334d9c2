"""One question of every type, in the shape of the quiz YAML (docs/course-package.md).

The feedback texts and answers are distinctive strings so that tests can check they never
reach the learner's page before grading.
"""

SINGLE = {
    "id": "q1",
    "type": "single_choice",
    "prompt": "ข้อใดอธิบาย **รัฐบาลดิจิทัล** ได้ถูกต้องที่สุด",
    "points": 1,
    "feedback": "GENERAL-FEEDBACK-SINGLE",
    "choices": [
        {"id": "a", "text": "การซื้อคอมพิวเตอร์", "feedback": "CHOICE-FEEDBACK-A"},
        {"id": "b", "text": "การเปลี่ยนวิธีทำงานของรัฐ", "feedback": "CHOICE-FEEDBACK-B"},
        {"id": "c", "text": "การทำเว็บไซต์"},
    ],
    "correct": "b",
}

MULTIPLE = {
    "id": "q2",
    "type": "multiple_response",
    "prompt": "เลือกหลักการที่ถูกต้องทั้งหมด",
    "points": 2,
    "feedback": "GENERAL-FEEDBACK-MULTIPLE",
    "choices": [
        {"id": "a", "text": "Once only", "feedback": "CHOICE-FEEDBACK-MA"},
        {"id": "b", "text": "Paper first", "feedback": "CHOICE-FEEDBACK-MB"},
        {"id": "c", "text": "Digital by default"},
        {"id": "d", "text": "Fax only"},
    ],
    "correct": ["c", "a"],
    "scoring": "partial",
}

MULTIPLE_ALL_OR_NOTHING = {**MULTIPLE, "id": "q3", "scoring": "all_or_nothing"}

TRUE_FALSE = {
    "id": "q4",
    "type": "true_false",
    "prompt": "ข้อมูลส่วนบุคคลเปิดเผยได้เสมอ",
    "points": 1,
    "feedback": "GENERAL-FEEDBACK-TF",
    "correct": False,
}

FILL_IN = {
    "id": "q5",
    "type": "fill_in",
    "prompt": "เมืองหลวงของประเทศไทยคือ ____",
    "points": 1,
    "accepted": ["กรุงเทพมหานคร", "Bangkok"],
    "case_sensitive": False,
}

FILL_IN_CASE = {
    "id": "q6",
    "type": "fill_in",
    "prompt": "The secure web protocol is called ____ (capitals).",
    "points": 1,
    "accepted": ["HTTPS"],
    "case_sensitive": True,
}

NUMERIC = {
    "id": "q7",
    "type": "numeric",
    "prompt": "What is 0.1 + 37.15?",
    "points": 1,
    "correct": 37.25,
}

NUMERIC_RANGE = {
    "id": "q8",
    "type": "numeric",
    "prompt": "ปีที่ประกาศใช้ (พ.ศ.) โดยประมาณ",
    "points": 3,
    "range": {"min": 2555, "max": 2565.5},
}

MATCHING = {
    "id": "q9",
    "type": "matching",
    "prompt": "จับคู่บริการกับหน่วยงาน",
    "points": 3,
    "feedback": "GENERAL-FEEDBACK-MATCH",
    "sources": [
        {"id": "tax", "text": "ยื่นภาษี", "feedback": "SOURCE-FEEDBACK-TAX"},
        {"id": "id-card", "text": "ทำบัตรประชาชน"},
        {"id": "passport", "text": "ทำหนังสือเดินทาง"},
    ],
    "targets": [
        {"id": "rd", "text": "กรมสรรพากร"},
        {"id": "dopa", "text": "กรมการปกครอง", "feedback": "TARGET-FEEDBACK-DOPA"},
        {"id": "mfa", "text": "กระทรวงการต่างประเทศ"},
        {"id": "other", "text": "หน่วยงานอื่น"},
    ],
    "correct": {"tax": "rd", "id-card": "dopa", "passport": "mfa"},
}

SEQUENCING = {
    "id": "q10",
    "type": "sequencing",
    "prompt": "เรียงขั้นตอนการยื่นคำขอ",
    "points": 2,
    "feedback": "GENERAL-FEEDBACK-SEQ",
    "items": [
        {"id": "login", "text": "เข้าสู่ระบบ"},
        {"id": "fill", "text": "กรอกแบบฟอร์ม"},
        {"id": "attach", "text": "แนบเอกสาร", "feedback": "ITEM-FEEDBACK-ATTACH"},
        {"id": "send", "text": "ส่งคำขอ"},
    ],
}

ALL = [
    SINGLE,
    MULTIPLE,
    MULTIPLE_ALL_OR_NOTHING,
    TRUE_FALSE,
    FILL_IN,
    FILL_IN_CASE,
    NUMERIC,
    NUMERIC_RANGE,
    MATCHING,
    SEQUENCING,
]

#: A right answer for each sample, as form fields.
RIGHT_FORMS = {
    "q1": {"q.q1": ["b"]},
    "q2": {"q.q2": ["", "a", "c"]},
    "q3": {"q.q3": ["", "c", "a"]},
    "q4": {"q.q4": ["false"]},
    "q5": {"q.q5": ["กรุงเทพ\u200bมหานคร"]},
    "q6": {"q.q6": ["HTTPS"]},
    "q7": {"q.q7": ["37.25"]},
    "q8": {"q.q8": ["2560"]},
    "q9": {"q.q9.tax": ["rd"], "q.q9.id-card": ["dopa"], "q.q9.passport": ["mfa"]},
    "q10": {"q.q10.login": ["1"], "q.q10.fill": ["2"], "q.q10.attach": ["3"], "q.q10.send": ["4"]},
}

#: A wrong (not even partly right) answer for each sample.
WRONG_FORMS = {
    "q1": {"q.q1": ["a"]},
    "q2": {"q.q2": ["", "b", "d"]},
    "q3": {"q.q3": ["", "a"]},
    "q4": {"q.q4": ["true"]},
    "q5": {"q.q5": ["เชียงใหม่"]},
    "q6": {"q.q6": ["https"]},
    "q7": {"q.q7": ["37.2"]},
    "q8": {"q.q8": ["2565.6"]},
    "q9": {"q.q9.tax": ["other"], "q.q9.id-card": ["rd"], "q.q9.passport": ["dopa"]},
    "q10": {"q.q10.login": ["4"], "q.q10.fill": ["3"], "q.q10.attach": ["2"], "q.q10.send": ["1"]},
}

BY_ID = {spec["id"]: spec for spec in ALL}
