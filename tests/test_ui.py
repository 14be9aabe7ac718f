"""The chat app: the /ask API through gradio_client, rendering, and a real browser.

The app runs on a free port in this process over a small HashEncoder index;
one slow test serves the bundled corpus with the real model.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

import rag
from rag.answer import ABSTAIN_MESSAGE, answer_question

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # ui.py is a script at the repo root, not part of the package
from test_answer import EVIL, small_articles  # noqa: E402

import ui  # noqa: E402

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(retriever):
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = ui.create_app(retriever)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                quiet=True, css=ui.CSS)
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    index = tmp_path_factory.mktemp("ui") / "index"
    rag.build_index(small_articles(), index, encoder=rag.HashEncoder(), progress=False)
    return rag.Retriever.load(index, encoder=rag.HashEncoder(), progress=False)


@pytest.fixture(scope="module")
def app_url(retriever):
    demo, url = serve(retriever)
    yield url
    demo.close()


def test_ask_endpoint_returns_the_answer_json(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    data = client.predict("生命数耗完即算为什么？", api_name="/ask")
    assert data["abstained"] is False
    assert "生命数耗完即算为踢爆" in data["citations"][0]["quote"]
    assert "[1]" in data["answer"]
    data = client.predict("怎么做红烧肉？", api_name="/ask")
    assert data["abstained"] is True and data["answer"].startswith(ABSTAIN_MESSAGE)
    data = client.predict(question="作者是谁？", k=3, mode="bm25",
                          history=["灵活就业人员能领生育津贴吗？"], api_name="/ask")
    assert data["citations"][0]["author"] == "张三"


def test_rendered_answer_escapes_and_highlights(retriever):
    answer = answer_question(retriever, "火星探测器在哪里着陆？")
    page = ui.render_answer(retriever, answer)
    assert "<img" not in page and "<b>坏人" not in page and "&lt;img" in page
    assert "<mark>" in page and "<strong>" in page and "<details>" in page
    assert "在原文中查看上下文" in page
    assert "<script" not in ui.highlight("<script>alert(1)</script>", ("script",))
    assert "<img" not in ui.article_html(retriever, "evil")


def test_highlight_marks_quote_and_traditional_query_words(retriever):
    text = "职业院校应健全双导师管理制度。其他内容。"
    terms = retriever.analyze("職業院校應該健全什麼導師制度？").highlight_terms
    out = ui.highlight(text, terms, "职业院校应健全双导师管理制度。")
    assert out.startswith("<mark>") and "<strong>职业院校</strong>" in out


def test_abstention_renders_low_relevance_separately(retriever):
    answer = answer_question(retriever, "怎么做红烧肉？")
    page = ui.render_answer(retriever, answer)
    assert page.startswith(ABSTAIN_MESSAGE) and "相关度低" in page and "出处" not in page


def run_browser(url: str, name: str, answerable: tuple[str, str], unanswerable: str) -> None:
    """Ask one answerable and one unanswerable question like a reader would."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    dialogs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1300})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            box = page.locator("#question textarea")
            question, expected = answerable
            box.fill(question)
            box.press("Enter")
            bot = page.locator("#chat [data-testid='bot']").last
            bot.locator(".src").first.wait_for(timeout=60_000)
            # The quote is marked in pieces (query words nest inside): join them.
            quote = "".join(bot.locator("blockquote").first.locator("mark").all_inner_texts())
            assert expected in quote
            assert "[1]" in bot.inner_text()
            bot.locator("details summary").first.click()
            bot.locator(".ctx .here").first.wait_for()
            assert "[1]" in page.locator("#cites textarea").input_value()
            page.screenshot(path=str(ARTIFACTS / f"{name}-answer.png"), full_page=True)
            box.fill(unanswerable)
            box.press("Enter")
            page.get_by_text(ABSTAIN_MESSAGE).first.wait_for(timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / f"{name}-abstain.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(ARTIFACTS / f"{name}-mobile.png"), full_page=True)
            box.fill(f"<script>alert(1)</script>{EVIL}火星探测器")
            box.press("Enter")
            page.wait_for_function(
                "document.querySelectorAll(\"#chat [data-testid='bot']\").length >= 3",
                timeout=60_000,
            )
            assert page.locator("#chat img[src='x']").count() == 0
            page.get_by_role("tab", name="文章").click()
            table = page.locator("table").first
            table.wait_for()
            title = next(t for t in table.all_inner_texts()[0].splitlines() if t.strip())
            assert title
            page.get_by_label("查看全文").click()
            option = page.get_by_role("option").last
            chosen = option.inner_text()
            option.click()
            page.locator("h3", has_text=chosen[:6]).first.wait_for()
            assert page.locator("img[src='x']").count() == 0
            page.screenshot(path=str(ARTIFACTS / f"{name}-articles.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == []  # no injected script ran


@pytest.mark.browser
def test_browser_chat(app_url):
    run_browser(app_url, "small", ("尤金袋鼠为什么会被认为是害虫？", "害虫"), "怎么做红烧肉？")


@pytest.mark.slow
@pytest.mark.browser
def test_browser_chat_on_bundled_corpus(real_retriever):
    demo, url = serve(real_retriever)
    try:
        run_browser(url, "corpus", ("职业院校应该健全什么导师制度？", "双导师管理制度"),
                    "怎么做红烧肉？")
    finally:
        demo.close()
