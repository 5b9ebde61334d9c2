"""Templates run in Jinja's immutable sandbox, with autoescaping, on the data only."""

from __future__ import annotations

import copy
import zlib

import pytest
from jinja2.sandbox import SecurityError

from lms.certificates.data import SAMPLE
from lms.certificates.errors import TemplateError
from lms.certificates.render import CertificateRenderer

from .conftest import make_template


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("sandbox")


def html_of(root, name: str, body: str, data: dict = SAMPLE) -> str:
    make_template(root, name, f"<!DOCTYPE html><html><body>{body}</body></html>")
    return CertificateRenderer(root).render_html(name, data)


@pytest.mark.parametrize(
    "expression",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ learner.__class__ }}",
        "{{ lipsum.__globals__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ serial.format.__globals__ }}",
        "{{ course.update({'hours': 1}) }}",
        "{{ signatories.append(1) }}",
        "{{ learner.pop('full_name_th') }}",
    ],
)
def test_the_sandbox_refuses(root, expression):
    name = f"t{zlib.crc32(expression.encode())}"
    with pytest.raises(TemplateError) as caught:
        html_of(root, name, expression)
    assert isinstance(caught.value.__cause__, SecurityError), caught.value.__cause__


def test_values_are_escaped(root):
    data = copy.deepcopy(SAMPLE)
    data["learner"]["full_name_th"] = '<img src="file:///etc/passwd">นาย ก'
    html = html_of(root, "escaped", "<p>{{ learner.full_name_th }}</p>", data)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;นาย ก" in html
    assert "<img" not in html


def test_undefined_names_fail_instead_of_printing_nothing(root):
    with pytest.raises(TemplateError, match="learner_name"):
        html_of(root, "typo", "{{ learner_name }}")


def test_includes_stay_in_the_template_folder(root):
    make_template(root, "sibling", "<p>secret</p>")
    with pytest.raises(TemplateError, match="TemplateNotFound"):
        html_of(root, "climber", "{% include '../sibling/template.html' %}")

    folder = make_template(root, "parts", "<main>{% include 'part.html' %}{% include 'link.html' %}</main>")
    (folder / "part.html").write_text("<p>{{ serial }}</p>", encoding="utf-8")
    (folder / "link.html").symlink_to(root / "sibling" / "template.html")
    with pytest.raises(TemplateError, match="TemplateNotFound"):
        CertificateRenderer(root).render_html("parts", SAMPLE)
    (folder / "link.html").unlink()
    (folder / "link.html").write_text("", encoding="utf-8")
    assert "<p>DG-2569-000123</p>" in CertificateRenderer(root).render_html("parts", SAMPLE)
