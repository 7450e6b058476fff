"""Article intake from text, bytes, files, standard input and a real HTTP server on 127.0.0.1."""

import io
import re

import pytest

from tests.support.local_http import QuietHandler, serving
from verify.extract.intake import ArticleError, article_from_bytes, article_from_text, read_article
from verify.settings import Settings

BODY_AR = (
    "وصل وفد عسكري ليبي إلى دمشق يوم الأحد في زيارة هي الأولى منذ سنوات، والتقى بوزير الخارجية السوري.\n"
    "قالت مصادر في المطار إن ثلاث رحلات هبطت في بنغازي خلال الأسبوع الماضي قادمة من دمشق."
)
BODY_EN = (
    "Three charter flights landed in Benghazi last week from Damascus, airport officials said on Monday. "
    "The airline has been under United States sanctions since December 2016, according to the Treasury."
)
PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Flights between Damascus and Benghazi | Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2020-03-05T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Flights between Damascus and Benghazi</h1><p>{BODY_EN}</p>
<p>The delegation met Syrian officials in Damascus on Sunday, the first such visit in years, officials said.</p>
</article><footer>Copyright 2020 Example News. All rights reserved.</footer></body></html>"""
EMPTY_PAGE = "<!DOCTYPE html><html><body><nav><a href='/'>Home</a></nav></body></html>"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return Settings(home=tmp_path_factory.mktemp("intake-home"), max_article_chars=20_000)


def test_text_article_has_language_id_and_title_from_a_leading_heading(settings):
    article = article_from_text("Flights resume\n" + BODY_EN, settings)
    assert article.title == "Flights resume"
    assert article.text == BODY_EN
    assert article.language == "en"
    assert article.removed_lines == ("Flights resume",)
    assert article.article_id == article_from_text(BODY_EN, settings).article_id  # id of the cleaned text


def test_arabic_indic_digits_tatweel_rtl_marks_and_mixed_text_are_handled(settings):
    text = "\u200fقـال الوزير إن ٢٠٢٠ كان عاماً صعباً على شركة Cham Wings للطيران بعد العقوبات الأمريكية.\u200f"
    article = article_from_text(text, settings)
    assert article.text == "قال الوزير إن ٢٠٢٠ كان عاماً صعباً على شركة Cham Wings للطيران بعد العقوبات الأمريكية."
    assert article.language == "ar"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\t \r\n", "empty"),
        (b"%PDF-1.7\n%binary", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"text\x00with\x00nul bytes", "binary"),
        ("نص عربي".encode("cp1256"), "not valid UTF-8"),
        (b"\xfe\xff\x00", "not valid UTF-16"),
        (EMPTY_PAGE.encode(), "no article text found in the HTML"),
        (b"12:30\n2020-03-05\n", "no article text"),
        ("هذا الموقع يستخدم ملف تعريف الارتباط Cookie\n".encode() * 2, "no article text (2 line(s)"),
        (b"word " * 5_000, "over the 20,000-character limit"),
    ],
)
def test_bad_input_gets_a_clear_error(settings, data, message):
    with pytest.raises(ArticleError, match=re.escape(message)):
        article_from_bytes(data, settings, source="upload")


def test_html_file_and_declared_charset(settings, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    article = read_article(str(page), settings)
    assert article.title == "Flights between Damascus and Benghazi"
    assert article.publisher == "Example News"
    assert article.published_at is not None and article.published_at.year == 2020
    assert "Home" not in article.text and "Three charter flights" in article.text
    legacy = f'<html><head><meta charset="windows-1256"></head><body><article><p>{BODY_AR}</p></article></body></html>'
    arabic = article_from_bytes(legacy.encode("cp1256"), settings, source="legacy.html")
    assert "وصل وفد عسكري ليبي إلى دمشق" in arabic.text and arabic.language == "ar"


def test_stdin_and_missing_paths(settings, tmp_path):
    article = read_article("-", settings, stdin=io.BytesIO(BODY_AR.encode()))
    assert article.language == "ar" and article.text == BODY_AR
    with pytest.raises(ArticleError, match="no such file"):
        read_article(str(tmp_path / "missing.txt"), settings)
    with pytest.raises(ArticleError, match="is a folder"):
        read_article(str(tmp_path), settings)


ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/article": (200, "text/html; charset=utf-8", PAGE.encode()),
    "/plain": (200, "text/plain; charset=utf-8", BODY_AR.encode()),
    "/empty": (200, "text/html; charset=utf-8", EMPTY_PAGE.encode()),
    "/image": (200, "image/png", b"\x89PNG...."),
    "/feed": (200, "application/rss+xml", b"<rss></rss>"),
    "/gone": (404, "text/html", b"not found"),
}


class Handler(QuietHandler):
    def do_GET(self):
        status, content_type, body = ROUTES[self.path]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    with serving(Handler) as url:
        yield url


def test_url_article_keeps_its_metadata(server, settings):
    article = read_article(f"{server}/article", settings)
    assert article.url == f"{server}/article"
    assert article.title == "Flights between Damascus and Benghazi"
    assert "Three charter flights landed in Benghazi" in article.text
    plain = read_article(f"{server}/plain", settings)
    assert plain.text == BODY_AR and plain.language == "ar"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/empty", "no article text found in the HTML"),
        ("/image", "image/png"),
        ("/feed", "is not an article page"),
        ("/gone", "HTTP 404"),
    ],
)
def test_url_errors(server, settings, path, message):
    with pytest.raises(ArticleError, match=message):
        read_article(f"{server}{path}", settings)
