"""Newspaper pages in a real browser: one uploaded on the 文章 tab, one
dropped into the corpus folder before the app starts (the way `make run`
starts it); either way every article of the page answers a question about it,
cited by title, author and paragraph.

Screenshots go to test-artifacts/ (upload-SIZE-*.png, done-when-SIZE-*.png).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rag

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from test_ui import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    ask,
    assert_turn_on_top,
    browser_or_skip,
    free_port,
    serve,
)

from chatapp.upload import Library  # noqa: E402

UPLOADED_SEED = 13  # a page of three articles, each signed
DROPPED_SEED = 15  # a page of four articles, each signed
CLAUSE_SPLIT = re.compile(r"[，。；：！？、“”（）《》]")


def questions_for(articles, others) -> list[tuple[str, object, int]]:
    """(question, article, paragraph) for each article: a clause of one of
    its paragraphs (the second when there is one) printed nowhere else, asked
    back as a question."""
    elsewhere = "".join(a.body for a in others)
    out = []
    for article in articles:
        rest = elsewhere + "".join(a.body for a in articles if a is not article)
        paragraphs = [p for p in article.paragraphs() if p.text != p.section]
        for p in paragraphs[1:] + paragraphs[:1]:
            clauses = [c for c in CLAUSE_SPLIT.split(p.text)
                       if 10 <= len(c) <= 24 and re.fullmatch(r"[\u4e00-\u9fff]+", c)
                       and c not in rest and article.body.count(c) == 1]
            if clauses:
                out.append((f"{max(clauses, key=len)}吗？", article, p.number))
                break
        else:
            raise AssertionError(f"no question for {article.title}")
    return out


def check_answer(turn, article, paragraph: int) -> None:
    """The first quote comes from `article`: its source names the title, the
    author and the paragraph, and so does its citation line."""
    turn_id = turn.get_attribute("data-turn")
    source = turn.locator(f"#src-{turn_id}-1")
    group = source.locator("xpath=ancestor::div[contains(@class, 'src-article')]")
    assert group.locator(".src-title").inner_text() == f"《{article.title}》"
    assert group.locator(".src-by").inner_text() == article.author
    assert source.locator(".src-where").inner_text() == f"第{paragraph}段"
    line = source.locator(".cite").text_content()
    assert f"{article.author}：《{article.title}》" in line and f"第{paragraph}段" in line


def ask_each(page, questions, shots: str | None = None) -> None:
    for n, (question, article, paragraph) in enumerate(questions, 1):
        turn = ask(page, question, timeout=120_000)
        assert_turn_on_top(page, turn)
        quote = turn.locator(".quote").first.inner_text()
        assert question.removesuffix("吗？") in quote, (question, quote)
        check_answer(turn, article, paragraph)
        if shots:
            page.screenshot(path=str(ARTIFACTS / f"{shots}-{n}.png"))


def choose_files(page, paths) -> None:
    """Pick files in the upload's file chooser, as a reader clicking it does."""
    with page.expect_file_chooser() as chooser:
        page.locator("#upload").get_by_role("button").first.click()
    chooser.value.set_files([str(p) for p in paths])


class SlowLibrary(Library):
    """Each step of the build waits a second first: time to see the progress."""

    def add(self, paths, *, progress=False, language="zh"):
        def slowly(what, done, total):
            if done == 0:
                time.sleep(1.0)
            progress(what, done, total)

        return super().add(paths, progress=slowly, language=language)


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_uploaded_newspaper_page_answers_at_once(page_maker, tmp_path, size):
    from tests.conftest import BUNDLED_CORPUS

    viewport = DESKTOP if size == "desktop" else PHONE
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    rag.build_index(corpus, index, encoder=rag.HashEncoder(), progress=False)
    retriever = rag.Retriever.load(index, corpus=corpus, encoder=rag.HashEncoder(),
                                   progress=False)
    downloads = tmp_path / "下载"
    downloads.mkdir()
    page_pdf = page_maker.random_page(downloads / "晚报第3版.pdf", UPLOADED_SEED)
    (downloads / "photo.png").write_bytes(b"\x89PNG not an article")
    (downloads / "notes.docx").write_bytes(b"not a Word file")
    questions = questions_for(page_pdf.articles, retriever.articles)
    library = SlowLibrary(retriever, index_dir=index, corpus_dir=corpus)
    demo, url = serve(library)
    try:
        with browser_or_skip() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=viewport, has_touch=viewport is PHONE)
            page.goto(url)
            page.get_by_role("tab", name="文章").click()
            page.locator("#pick").wait_for()
            page.screenshot(path=str(ARTIFACTS / f"upload-{size}-1-tab.png"))
            choose_files(page, [page_pdf.path, downloads / "photo.png",
                                downloads / "notes.docx"])
            # While it embeds, the drop area shows the step and the count.
            page.locator("#upload").get_by_text("正在计算段落向量").wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / f"upload-{size}-2-progress.png"))
            report = page.locator(".upload-report")
            report.wait_for(timeout=60_000)
            text = report.inner_text()
            n = len(page_pdf.articles)
            assert f"已添加 {n} 篇文章" in text and "保存为 added/晚报第3版.pdf" in text
            for article in page_pdf.articles:
                assert f"《{article.title}》" in text and article.author in text
            problems = report.locator(".upload-problems li").all_inner_texts()
            assert len(problems) == 2
            assert problems[0].startswith("photo.png") and "看起来不是扫描的页面" in problems[0]
            assert problems[1].startswith("notes.docx") and "not a readable Word" in problems[1]
            # Listed at once: the count, the table, and the picker on the first new article.
            assert page.locator("#count").inner_text() == f"共 {4 + n} 篇。"
            listed = page.locator("#articles").inner_text()
            assert all(a.title in listed for a in page_pdf.articles), listed
            page.locator(".doc h2", has_text=page_pdf.articles[0].title).wait_for()
            page.screenshot(path=str(ARTIFACTS / f"upload-{size}-3-added.png"))

            page.get_by_role("tab", name="问答").click()
            ask_each(page, questions, f"upload-{size}-4-answer")
            browser.close()
    finally:
        demo.close()
    assert sorted(p.name for p in (corpus / "added").iterdir()) == ["晚报第3版.pdf"]


def start_app(corpus: Path, index: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`python ui.py --corpus … --index … --port …`, as `make run ARGS=…` runs
    it; returns once the page answers."""
    import httpx

    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "ui.py", "--corpus", str(corpus), "--index", str(index),
             "--port", str(port)], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 900  # the first build embeds the corpus with the model
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"ui.py exited ({proc.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(1)
    proc.kill()
    raise AssertionError(f"ui.py did not start in time:\n{log.read_text()}")


@pytest.mark.slow
@pytest.mark.browser
def test_done_when_a_page_dropped_into_the_corpus_is_answered(page_maker, tmp_path):
    """Issue 16's "done when": a generated newspaper PDF dropped into the
    corpus folder, the app started as `make run` starts it (the real model),
    and a question about each article answered with its title, author and
    paragraph; then a second page uploaded in the page answers the same way."""
    from tests.conftest import BUNDLED_CORPUS

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    dropped = page_maker.random_page(corpus / "newspaper-page.pdf", DROPPED_SEED)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    uploaded = page_maker.random_page(downloads / "evening-page-3.pdf", UPLOADED_SEED)
    bundled = rag.load_corpus(BUNDLED_CORPUS)
    first = questions_for(dropped.articles, bundled)
    second = questions_for(uploaded.articles, [*bundled, *dropped.articles])
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    proc, url = start_app(corpus, index, tmp_path / "ui.log")
    try:
        with browser_or_skip() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=DESKTOP)
            page.goto(url)
            page.locator(".thread").wait_for()
            ask_each(page, first, "done-when-desktop")
            page.get_by_role("tab", name="文章").click()
            choose_files(page, [uploaded.path])
            page.locator(".upload-report").wait_for(timeout=300_000)
            assert f"已添加 {len(uploaded.articles)} 篇文章" in page.locator(
                ".upload-report").inner_text()
            page.screenshot(path=str(ARTIFACTS / "done-when-desktop-upload.png"))
            page.get_by_role("tab", name="问答").click()
            ask_each(page, second, "done-when-desktop-uploaded")

            phone = browser.new_page(viewport=PHONE, has_touch=True)
            phone.goto(url)  # a page opened later lists the uploaded articles too
            phone.locator(".thread").wait_for()
            ask_each(phone, first[:1] + second[:1], "done-when-phone")
            phone.get_by_role("tab", name="文章").click()
            phone.locator("#count").get_by_text(
                f"共 {4 + len(dropped.articles) + len(uploaded.articles)} 篇。").wait_for()
            phone.screenshot(path=str(ARTIFACTS / "done-when-phone-articles.png"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
