"""The question partials: accessible, script- and style-free forms whose fields read back as
the answer they show."""

import random
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from lms.quizzes.types import default_registry
from tests.quizzes.samples import ALL, BY_ID, RIGHT_FORMS, WRONG_FORMS

TEMPLATES = Path(__file__).resolve().parents[2] / "lms" / "quizzes" / "templates"
REGISTRY = default_registry()


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


class Page(HTMLParser):
    """The form controls, labels and ids of rendered HTML, and what a browser would submit."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.labels: list[str] = []
        self.ids: list[str] = []
        self.attributes: list[str] = []
        self.tags: list[str] = []
        self._select: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attr = {name: value if value is not None else "" for name, value in attrs}
        self.tags.append(tag)
        self.attributes += list(attr)
        if "id" in attr:
            self.ids.append(attr["id"])
        if tag == "label":
            self.labels.append(attr.get("for", ""))
        elif tag == "input":
            self.controls.append({"tag": tag, **attr})
        elif tag == "select":
            self._select = {"tag": tag, **attr, "options": []}
            self.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attr)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def submitted(self) -> dict[str, list[str]]:
        """The form data set (HTML 'constructing the entry list'), for enabled controls."""
        data: dict[str, list[str]] = {}
        for control in self.controls:
            if "disabled" in control or not control.get("name"):
                continue
            if control["tag"] == "select":
                chosen = [o for o in control["options"] if "selected" in o] or control["options"][:1]
                values = [o.get("value", "") for o in chosen]
            elif control.get("type") in ("radio", "checkbox"):
                values = [control.get("value", "on")] if "checked" in control else []
            else:
                values = [control.get("value", "")]
            if values:
                data.setdefault(control["name"], []).extend(values)
        return data


def render(spec, saved=None, disabled=False, seed=5) -> str:
    qtype = REGISTRY.get(spec["type"])
    view = qtype.public_view(spec, random.Random(seed), True)
    context = {"question": view, "saved": saved}
    if disabled:
        context["disabled"] = True  # the attempt page leaves it undefined
    return environment().get_template(qtype.template).render(context)


def parsed(spec, form):
    return REGISTRY.get(spec["type"]).parse(spec, form)


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
def test_partial_is_a_fieldset_with_the_prompt_as_legend(spec):
    html = render(spec)
    page = Page(html)
    assert page.tags[:2] == ["fieldset", "legend"]
    assert f'id="question-{spec["id"]}"' in html
    legend = html[html.index("<legend") : html.index("</legend>")]
    assert REGISTRY.get(spec["type"]).public_view(spec, random.Random(1), False)["prompt_html"] in legend


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
def test_every_visible_control_has_a_label_and_a_field_name_of_the_scheme(spec):
    page = Page(render(spec))
    visible = [c for c in page.controls if c.get("type") != "hidden"]
    assert visible
    for control in visible:
        assert control["id"] in page.labels
        assert control["name"] == f"q.{spec['id']}" or control["name"].startswith(f"q.{spec['id']}.")
    assert len(page.ids) == len(set(page.ids))


def test_ids_are_unique_on_a_page_of_every_question():
    page = Page("".join(render(spec) for spec in ALL))
    assert len(page.ids) == len(set(page.ids))


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
def test_no_inline_script_or_style(spec):
    html = render(spec, parsed(spec, RIGHT_FORMS[spec["id"]]))
    page = Page(html)
    assert "script" not in page.tags and "style" not in page.tags
    assert not [a for a in page.attributes if a == "style" or a.startswith("on")]


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
@pytest.mark.parametrize("forms", [RIGHT_FORMS, WRONG_FORMS], ids=["right", "wrong"])
def test_saved_answer_is_shown_and_submits_back_unchanged(spec, forms):
    saved = parsed(spec, forms[spec["id"]])
    assert saved is not None
    resubmitted = Page(render(spec, saved)).submitted()
    assert parsed(spec, resubmitted) == saved


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
def test_nothing_saved_submits_an_empty_answer(spec):
    resubmitted = Page(render(spec)).submitted()
    assert parsed(spec, resubmitted) is None


def test_a_cleared_multiple_response_is_still_sent():
    # With no box ticked a browser sends no checkbox, so the hidden field tells "cleared".
    assert Page(render(BY_ID["q2"])).submitted() == {"q.q2": [""]}


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s["id"])
def test_disabled_partial_submits_nothing(spec):
    page = Page(render(spec, parsed(spec, RIGHT_FORMS[spec["id"]]), disabled=True))
    assert page.submitted() == {}
    assert all("disabled" in c for c in page.controls)


def test_single_choice_markup():
    html = render(BY_ID["q1"], "b")
    assert '<input type="radio" id="q.q1.b" name="q.q1" value="b" checked>' in html
    assert '<label for="q.q1.b">การเปลี่ยนวิธีทำงานของรัฐ</label>' in html
    assert '<input type="radio" id="q.q1.a" name="q.q1" value="a">' in html


def test_true_false_markup():
    html = render(BY_ID["q4"], False)
    assert '<input type="radio" id="q.q4.false" name="q.q4" value="false" checked>' in html
    assert '<label for="q.q4.true">True</label>' in html


def test_fill_in_and_numeric_markup():
    fill = render(BY_ID["q5"], 'ก"<b>')
    assert 'type="text" id="q.q5" name="q.q5" value="ก&#34;&lt;b&gt;"' in fill
    number = render(BY_ID["q7"], 42.0)
    assert 'type="number" step="any"' in number and 'value="42"' in number
    assert 'value="0.5"' in render(BY_ID["q7"], 0.5)


def test_matching_markup():
    html = render(BY_ID["q9"], {"tax": "rd"})
    assert '<select id="q.q9.tax" name="q.q9.tax">' in html
    assert '<option value="rd" selected>กรมสรรพากร</option>' in html
    assert '<option value="">Choose…</option>' in html
    assert html.count("<select") == 3 and html.count('<option value="dopa"') == 3


def test_sequencing_markup():
    html = render(BY_ID["q10"], {"attach": 2})
    assert '<select id="q.q10.attach" name="q.q10.attach">' in html
    assert html.count("<select") == 4
    attach = html[html.index('id="q.q10.attach"') :]
    attach = attach[: attach.index("</select>")]
    assert '<option value="2" selected>2</option>' in attach
    assert '<option value="4">4</option>' in attach and '<option value="5"' not in attach


def test_texts_are_escaped():
    spec = {
        **BY_ID["q9"],
        "targets": [{"id": "x", "text": "<script>alert(1)</script>"}, {"id": "y", "text": "y"}],
    }
    spec["correct"] = {"tax": "x", "id-card": "y", "passport": "y"}
    html = render(spec)
    assert "<script>" not in html and "&lt;script&gt;" in html
