"""Lesson rendering: Markdown to HTML through an allow-list, with package media rewritten."""

import re

import pytest

from lms.packages.markdown import render_lesson, sanitize_html

MEDIA = {
    "media/diagram.png": "../media/aaa.png",
    "media/clip.mp4": "../media/bbb.mp4",
    "media/talk.mp3": "../media/ccc.mp3",
    "media/form.pdf": "../media/ddd.pdf",
}


def tags_with(html: str, attribute: str) -> list[str]:
    """Real tags carrying ``attribute`` (escaped text such as ``&lt;img onerror=`` is harmless)."""
    return re.findall(rf"<[^>]*\b{attribute}\s*=", html)


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "ข้อความ <script>alert(1)</script> ต่อ",
        '<iframe src="https://www.youtube.com/embed/x"></iframe>',
        "<img src=x onerror=alert(1)>",
        "[คลิก](javascript:alert(1))",
        '<a href="javascript:alert(1)">คลิก</a>',
    ],
)
def test_raw_html_and_script_links_never_reach_the_page(markdown):
    html = render_lesson(markdown, MEDIA)
    assert "<script" not in html and "<iframe" not in html
    assert tags_with(html, "onerror") == []
    assert not re.search(r'<a\b[^>]*href="javascript', html)


def test_the_sanitizer_keeps_only_the_allow_list():
    html = sanitize_html(
        '<p onclick="x()" style="color:red">a</p><iframe src="https://x.example/"></iframe>'
        '<script>bad()</script><a href="javascript:alert(1)">x</a>'
        '<img src="a.png" onerror="x()" alt="a"><video src="v.mp4" controls autoplay onplay="x()"></video>'
        '<table><tr><td style="text-align:right;color:red">1</td></tr></table>'
    )
    assert html == (
        '<p>a</p><a rel="noopener">x</a><img src="a.png" alt="a"><video src="v.mp4" controls=""></video>'
        '<table><tbody><tr><td style="text-align:right">1</td></tr></tbody></table>'
    )


def test_images_are_kept_with_their_media_url():
    html = render_lesson("![แผนภาพ](media/diagram.png)", MEDIA)
    assert html == '<p><img src="../media/aaa.png" alt="แผนภาพ"></p>\n'


def test_local_video_and_audio_become_players():
    html = render_lesson("![คลิปสาธิต](media/clip.mp4)\n\n![เสียง](media/talk.mp3)", MEDIA)
    assert '<video controls="" preload="metadata" src="../media/bbb.mp4">คลิปสาธิต</video>' in html
    assert '<audio controls="" preload="metadata" src="../media/ccc.mp3">เสียง</audio>' in html


def test_links_to_media_are_rewritten_and_links_get_noopener():
    html = render_lesson("[แบบฟอร์ม](media/form.pdf) และ [สพร.](https://www.dga.or.th/)", MEDIA)
    assert '<a href="../media/ddd.pdf" rel="noopener">แบบฟอร์ม</a>' in html
    assert '<a href="https://www.dga.or.th/" rel="noopener">สพร.</a>' in html


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=abc_123",
        "https://cdn.example.org/clip.mp4",
        "https://x.example/a.webm",
    ],
)
def test_a_video_url_on_its_own_line_is_a_plain_link(url):
    html = render_lesson(f"ดูวิดีโอ:\n\n{url}\n", MEDIA)
    assert f'<p><a href="{url}" rel="noopener">{url}</a></p>' in html
    assert "<video" not in html and "<iframe" not in html


def test_a_remote_image_is_shown_as_a_link_not_loaded():
    html = render_lesson("![ภาพ](https://example.org/x.png)", MEDIA)
    assert html == '<p><a href="https://example.org/x.png" rel="noopener">ภาพ</a></p>\n'


def test_tables_code_and_quotes_render():
    html = render_lesson("| ก | ข |\n|--:|---|\n| 1 | 2 |\n\n> อ้างอิง\n\n```\n<b>x</b>\n```\n", MEDIA)
    assert '<th style="text-align:right">ก</th>' in html
    assert "<blockquote>" in html
    assert "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>" in html
