"""The chat app: the /ask API through gradio_client (answers, every bad input,
busy), rendering, and a real browser at desktop and phone sizes.

The app runs on a free port in this process over the bundled page indexed with
the model-free HashEncoder; one slow test serves it with the real model and
saves the screenshots a reader would see (test-artifacts/).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

import rag
from rag.answer import ABSTAIN_MESSAGE, answer_question

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # ui.py is a script at the repo root, not part of the package
from test_answer import EVIL, small_articles  # noqa: E402

import ui  # noqa: E402
from chatapp import render  # noqa: E402
from rag.serve import limits  # noqa: E402

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
INJECTION = f"<script>alert(1)</script>{EVIL} **粗体** [链接](http://example.com) \\n 工会"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(retriever, auth=None, launch=None, **kwargs):
    """The app on a free port; `launch`: more of launch()'s options (the API's)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = ui.create_app(retriever, **kwargs)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                quiet=True, auth=auth, **ui.launch_options(), **(launch or {}))
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def page_retriever(tmp_path_factory):
    """The bundled page, indexed with the model-free encoder."""
    from tests.conftest import BUNDLED_CORPUS

    index = tmp_path_factory.mktemp("ui-page") / "index"
    rag.build_index(BUNDLED_CORPUS, index, encoder=rag.HashEncoder(), progress=False)
    return rag.Retriever.load(index, encoder=rag.HashEncoder(), progress=False)


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    index = tmp_path_factory.mktemp("ui") / "index"
    rag.build_index(small_articles(), index, encoder=rag.HashEncoder(), progress=False)
    return rag.Retriever.load(index, encoder=rag.HashEncoder(), progress=False)


@pytest.fixture(scope="module")
def app_url(page_retriever):
    demo, url = serve(page_retriever)
    yield url
    demo.close()


# -- /ask ------------------------------------------------------------------------


def test_ask_endpoint_returns_the_answer_json(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    data = client.predict("职业院校应该健全什么导师制度？", api_name="/ask")
    assert data["abstained"] is False and data["language"] == "zh"
    assert "双导师管理制度" in data["citations"][0]["quote"]
    assert "[1]" in data["answer"]
    data = client.predict("怎么做红烧肉？", api_name="/ask")
    assert data["abstained"] is True and data["answer"].startswith(ABSTAIN_MESSAGE)
    data = client.predict(question="作者是谁？", k=3, mode="bm25",
                          history=["职业院校应该健全什么导师制度？"], api_name="/ask")
    assert data["citations"][0]["author"] == "胡玉玲"
    data = client.predict("上海市工会如何宣传工运史？", api_name="/ask")
    assert data["unmentioned"] == ["上海市"]


BAD_INPUTS = [
    ({"question": ""}, "the question is empty"),
    ({"question": "   "}, "the question is empty"),
    ({"question": "工会" * 50_000}, "100,000 characters long; the limit is 500"),
    ({"question": "工会", "k": 0}, "k must be a whole number from 1 to 10, not 0"),
    ({"question": "工会", "k": -5}, "not -5"),
    ({"question": "工会", "k": 11}, "not 11"),
    ({"question": "工会", "k": "abc"}, "not 'abc'"),
    ({"question": "工会", "k": 2.5}, "not 2.5"),
    ({"question": "工会", "mode": "evil"}, "mode must be one of hybrid, dense, bm25, not 'evil'"),
    ({"question": "工会", "history": "灵活就业人员"}, "history must be a list"),
    ({"question": "工会", "history": [1]}, "history[0] must be a string, not int"),
    ({"question": "工会", "history": ["x"] * 21}, "history holds 21 questions; the limit is 20"),
]


@pytest.mark.parametrize(("params", "reason"), BAD_INPUTS,
                         ids=[f"{list(p)[-1]}={str(list(p.values())[-1])[:12]!r}"
                              for p, _ in BAD_INPUTS])
def test_ask_says_why_a_parameter_is_refused(app_url, params, reason):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(app_url, verbose=False)
    with pytest.raises(AppError) as caught:
        client.predict(**params, api_name="/ask")
    assert reason in str(caught.value)


def raw_ask(url: str, data: list) -> tuple[str, str]:
    """/ask over Gradio's HTTP API with the JSON written by hand (\\ud800 escaped,
    which gradio_client cannot send): (event, data) of its answer stream."""
    import json

    import httpx

    body = json.dumps({"data": data})  # ensure_ascii: a lone surrogate as \\ud800
    with httpx.Client(base_url=url, timeout=30) as http:
        posted = http.post("gradio_api/call/ask", content=body,
                           headers={"content-type": "application/json"})
        event_id = posted.json()["event_id"]
        lines = http.get(f"gradio_api/call/ask/{event_id}").text.splitlines()
    events = [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
    payload = [line.removeprefix("data: ") for line in lines if line.startswith("data: ")]
    return events[-1], payload[-1]


def test_ask_refuses_a_lone_surrogate_with_a_reason(app_url):
    import json

    event, data = raw_ask(app_url, ["工会\ud800", 5, "hybrid", None])
    assert event == "error" and "U+D800, a lone surrogate" in data
    event, data = raw_ask(app_url, ["职业院校应该健全什么导师制度？", 5, "hybrid", None])
    assert event == "complete" and "双导师管理制度" in json.loads(data)[0]["answer"]


def test_a_busy_server_says_so_instead_of_waiting(page_retriever):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    admission = limits.Admission(workers=1, queue=1, max_wait=0.5)
    demo, url = serve(page_retriever, admission=admission)
    try:
        with admission.slot():  # the only worker is taken
            with pytest.raises(AppError, match="busy"):
                Client(url, verbose=False).predict("工会", api_name="/ask")
        assert Client(url, verbose=False).predict("工会", api_name="/ask")["question"] == "工会"
    finally:
        demo.close()


def test_admission_bounds_the_queue_and_the_wait():
    admission = limits.Admission(workers=1, queue=1, max_wait=5)
    entered = threading.Event()
    release = threading.Event()

    def hold():
        with admission.slot():
            entered.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait()
    waiter = threading.Thread(target=lambda: admission.slot().__enter__())
    waiter.start()
    while admission.waiting < 1:
        time.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(limits.Busy, match="already waiting"):  # the queue is full: at once
        with admission.slot():
            pass
    assert time.monotonic() - started < 0.5
    release.set()
    holder.join()
    waiter.join()
    quick = limits.Admission(workers=1, queue=4, max_wait=0.2)
    with quick.slot():
        with pytest.raises(limits.Busy, match="no worker came free"):
            with quick.slot():
                pass


def test_with_a_login_only_its_holders_get_answers(page_retriever):
    from gradio_client import Client

    demo, url = serve(page_retriever, auth=[("ann", "secret")])
    try:
        with pytest.raises(Exception):  # noqa: B017 - refused before any answer
            Client(url, verbose=False).predict("工会", api_name="/ask")
        data = Client(url, auth=("ann", "secret"), verbose=False).predict("工会", api_name="/ask")
        assert data["question"] == "工会"
    finally:
        demo.close()


def test_logins_and_where_the_app_listens(tmp_path):
    assert ui.read_auth("ann:secret", None) == [("ann", "secret")]
    logins = tmp_path / "logins"
    logins.write_text("# readers\nann:a:b\n\nbob:pw\n", encoding="utf-8")
    assert ui.read_auth(None, str(logins)) == [("ann", "a:b"), ("bob", "pw")]
    with pytest.raises(SystemExit, match="user:password"):
        ui.read_auth("nopassword", None)
    assert ui.is_loopback("127.0.0.1") and ui.is_loopback("localhost") and ui.is_loopback("::1")
    assert not ui.is_loopback("0.0.0.0") and not ui.is_loopback("192.168.1.5")


# -- rendering ---------------------------------------------------------------------


def test_rendered_answer_escapes_and_highlights(retriever):
    answer = answer_question(retriever, "火星探测器在哪里着陆？")
    page = render.answer_html(retriever, answer, 1)
    assert "<img" not in page and "<b>坏人" not in page and "&lt;img" in page
    assert "<mark>" in page and "<strong>" in page and 'class="chip"' in page
    assert "在原文中查看上下文" in page and 'id="pv-1-1"' in page
    assert "<script" not in render.highlight("<script>alert(1)</script>", ("script",))
    assert "<img" not in render.article_html(retriever, "evil")


def test_the_question_is_shown_as_typed():
    html = render.turn_html(render.pending(1, INJECTION))
    assert "<script" not in html and "<img" not in html
    assert "**粗体** [链接](http://example.com) \\n 工会" in html  # no Markdown, no backslash
    assert "<a " not in html and 'data-state="pending"' in html and "正在检索" in html
    assert "Searching" in render.turn_html(render.pending(2, "Who wrote it?"))


def test_each_source_title_once_and_labels_follow_the_question(page_retriever):
    answer = answer_question(page_retriever, "新疆各级工会要深化哪些品牌活动？")
    page = render.answer_html(page_retriever, answer, 3)
    title = answer.citations[0].title
    assert page.count(f"《{title}》</span>") == 1  # in the sources list, once
    assert "来源" in page and "Sources" not in page
    english = answer_question(page_retriever, "What should the revision of the Social "
                              "Insurance Law make clear?")
    page = render.answer_html(page_retriever, english, 4)
    assert "Sources" in page or "do not cover" in page
    assert "来源" not in page and "出处" not in page and "在原文中查看上下文" not in page


def test_the_caveat_names_what_the_quotes_do_not_mention(page_retriever):
    answer = answer_question(page_retriever, "上海市工会如何宣传工运史？")
    page = render.answer_html(page_retriever, answer, 1)
    assert page.index('class="caveat"') < page.index('class="quotes"')
    assert "以下段落未提及“上海市”。" in page


def test_an_office_signed_byline_is_shown_as_printed(page_retriever):
    article = page_retriever.article("xinjiang-union-work")
    assert render.byline_shown(article) == \
        "（作者为新疆维吾尔自治区人大常委会副主任、自治区总工会主席）"
    assert render.byline_shown(page_retriever.article("flexible-workers-maternity")) == "班小辉"


def test_abstention_renders_low_relevance_separately(retriever):
    answer = answer_question(retriever, "怎么做红烧肉？")
    page = render.answer_html(retriever, answer, 1)
    assert page.startswith(f'<p class="abstain">{ABSTAIN_MESSAGE}') and "相关度低" in page
    assert "sources" not in page


# -- in a browser ------------------------------------------------------------------


def browser_or_skip():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    return sync_playwright()


def ask(page, question: str, timeout: float = 60_000):
    """Type a question, see it at once, wait for its answer; the answer's turn."""
    n = page.locator(".turn").count() + 1
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    turn = page.locator(f".turn[data-turn='{n}']")
    turn.wait_for(timeout=10_000)  # the question shows before any answer
    page.locator(f".turn[data-turn='{n}'][data-state='done']").wait_for(timeout=timeout)
    page.wait_for_timeout(300)
    return turn


def assert_turn_on_top(page, turn):
    """The new turn's top is at the top of the viewport: its answer is in view."""
    top = turn.bounding_box()["y"]
    assert 0 <= top <= 40, top
    assert turn.locator(".a").bounding_box()["y"] < page.viewport_size["height"] / 2


def run_browser(url: str, name: str, viewport: dict, questions: dict) -> None:
    dialogs = []
    with browser_or_skip() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport, has_touch=viewport is PHONE)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            page.locator(".thread").wait_for()
            turn = ask(page, questions["factoid"][0])
            assert_turn_on_top(page, turn)
            quote = "".join(turn.locator(".quote").first.all_inner_texts())
            assert questions["factoid"][1] in quote
            page.screenshot(path=str(ARTIFACTS / f"{name}-factoid.png"))
            # The chip previews its source: title, and the quote marked in its passage.
            chip = turn.locator(".chip").first
            if viewport is PHONE:
                chip.tap()
            else:
                chip.hover()
            pop = page.locator(".pv-pop")
            pop.wait_for()
            assert "《" in pop.locator(".pv-head").inner_text()
            assert questions["factoid"][1] in "".join(pop.locator("mark").all_inner_texts())
            box = pop.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            page.screenshot(path=str(ARTIFACTS / f"{name}-chip-preview.png"))
            pop.locator(".pv-open").click()  # opens the full passage in the list
            assert turn.locator("details.src").first.get_attribute("open") is not None
            page.keyboard.press("Escape")

            # Scrolled up to re-read: the next answer still comes into view.
            page.mouse.wheel(0, -5000)
            page.wait_for_timeout(200)
            turn = ask(page, questions["place"][0])
            assert_turn_on_top(page, turn)
            assert questions["place"][1] in turn.locator(".caveat:not(.unsure)").inner_text()
            page.screenshot(path=str(ARTIFACTS / f"{name}-caveat.png"))

            turn = ask(page, questions["english"])
            assert_turn_on_top(page, turn)
            text = turn.locator(".a").inner_text()
            assert ("Sources" in text or "do not cover" in text) and "来源" not in text
            page.screenshot(path=str(ARTIFACTS / f"{name}-english.png"))

            turn = ask(page, "怎么做红烧肉？")
            assert_turn_on_top(page, turn)
            assert ABSTAIN_MESSAGE in turn.inner_text()

            turn = ask(page, INJECTION)
            assert turn.locator(".bubble").inner_text() == INJECTION
            assert page.locator("img[src='x'], .bubble a, .bubble strong").count() == 0

            # Articles: the first is selected and shown; title and author columns.
            page.get_by_role("tab", name="文章").click()
            table = page.locator("#articles table").first
            table.wait_for()
            heads = table.locator("th").all_inner_texts()
            assert any("标题" in h for h in heads) and any("作者" in h for h in heads)
            for cell in table.locator("th").all():
                box = cell.bounding_box()
                assert box["x"] + box["width"] <= viewport["width"] + 1
            chosen = page.locator("#pick input").input_value()
            page.locator(".doc h2", has_text=chosen[:6]).wait_for()
            page.screenshot(path=str(ARTIFACTS / f"{name}-articles.png"))
            page.locator("#articles").get_by_text("协同培育高素质技能型人才").first.click()
            page.locator(".doc h2", has_text="协同培育").wait_for()
            assert "胡玉玲" in page.locator(".doc .meta").inner_text()
            page.screenshot(path=str(ARTIFACTS / f"{name}-article.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == []  # no injected script ran


class SlowAdmission(limits.Admission):
    """Every answer takes a second longer: time to see what shows meanwhile."""

    @contextlib.contextmanager
    def slot(self):
        time.sleep(1.0)
        with super().slot():
            yield


@pytest.mark.browser
def test_the_question_shows_at_once_and_earlier_turns_stay_visible(page_retriever):
    demo, url = serve(page_retriever, admission=SlowAdmission())
    try:
        with browser_or_skip() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=PHONE)
            page.goto(url)
            ask(page, "职业院校应该健全什么导师制度？")
            box = page.locator("#question textarea")
            box.fill("工会如何弘扬劳模精神？")
            box.press("Enter")
            pending = page.locator(".turn[data-turn='2'][data-state='pending']")
            pending.wait_for(timeout=900)  # before the answer could be there
            assert "正在检索" in pending.inner_text()
            assert pending.locator(".bubble").inner_text() == "工会如何弘扬劳模精神？"
            assert box.input_value() == ""
            # The earlier answer is still there, not covered by a progress overlay.
            assert page.locator(".turn[data-turn='1'] .quote").first.is_visible()
            assert page.locator("#thread .eta-bar, #thread .progress-text").count() == 0
            page.screenshot(path=str(ARTIFACTS / "hash-phone-searching.png"))
            page.locator(".turn[data-turn='2'][data-state='done']").wait_for(timeout=30_000)
            browser.close()
    finally:
        demo.close()


PAGE_QUESTIONS = {
    "factoid": ("职业院校应该健全什么导师制度？", "双导师管理制度"),
    "place": ("上海市工会如何宣传工运史？", "上海市"),
    "english": "What should the revision of the Social Insurance Law make clear?",
}


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_browser_chat(app_url, size):
    run_browser(app_url, f"hash-{size}", DESKTOP if size == "desktop" else PHONE,
                PAGE_QUESTIONS)


REPORT = [  # what a reader sees, one screenshot each (test-artifacts/corpus-SIZE-NAME.png)
    ("factoid", "职业院校应该健全什么导师制度？"),
    ("paraphrase", "打零工的人生了孩子，能拿到生育津贴吗？"),
    ("follow-up-1", "灵活就业人员能领生育津贴吗？"),
    ("follow-up-2", "那上海市呢？"),
    ("english", "What should the revision of the Social Insurance Law make clear?"),
    ("unanswerable", "怎么做红烧肉？"),
    ("place", "新疆工会怎样培养技能人才？"),
    ("three-quotes", "德国和日本怎样培养高技能人才？"),
    ("list", "作者建议怎样完善灵活就业人员生育保障？"),
    ("list-item", "第二条是什么？"),
    ("about", "这篇文章主要讲了什么？"),
]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_browser_chat_on_bundled_corpus(real_retriever, size):
    """The real model over the bundled page: every kind of question a reader
    asks, each answer brought to the top of the view; the phone's answer of
    three quotes stays within about two screens."""
    viewport = DESKTOP if size == "desktop" else PHONE
    demo, url = serve(real_retriever)
    heights = {}
    try:
        with browser_or_skip() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=viewport, has_touch=viewport is PHONE)
            page.goto(url)
            page.locator(".thread").wait_for()
            for name, question in REPORT:
                turn = ask(page, question)
                assert_turn_on_top(page, turn)
                heights[name] = turn.locator(".a").bounding_box()["height"]
                page.screenshot(path=str(ARTIFACTS / f"corpus-{size}-{name}.png"))
            xinjiang = page.locator(".turn").nth(6)  # 新疆: the article about it is found
            assert xinjiang.locator(".caveat:not(.unsure)").count() == 0
            # A list answer: the lead-in, then the items as a numbered list, each cited.
            listed = page.locator(".turn").nth(8).locator("ol.quote-list li")
            assert listed.count() == 4 and listed.first.inner_text().startswith("「首先")
            item = page.locator(".turn").nth(9).locator(".quote").first.inner_text()
            assert item.startswith("「其次，降低生育保险参保缴费门槛")
            about = page.locator(".turn").nth(10).locator(".quote").first.inner_text()
            assert "加快构建覆盖灵活就业的多层次生育保障体系" in about
            page.get_by_role("tab", name="文章").click()
            page.locator(".doc h2").first.wait_for()
            page.screenshot(path=str(ARTIFACTS / f"corpus-{size}-articles.png"))
            browser.close()
    finally:
        demo.close()
    (ARTIFACTS / f"corpus-{size}-heights.txt").write_text(
        "".join(f"{k}\t{v:.0f}\n" for k, v in heights.items()), encoding="utf-8")
    if size == "phone":
        assert heights["three-quotes"] <= 2 * PHONE["height"], heights
