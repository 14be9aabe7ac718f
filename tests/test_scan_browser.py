"""A scanned newspaper page (an image, no text) uploaded in the chat: read
by OCR, its articles answer questions at once, on a desktop and on a phone,
and their citations say they come from a scan (issue 25).

Screenshots go to test-artifacts/ (scan-desktop-*.png, scan-phone-*.png).
"""

from __future__ import annotations

import shutil

import pytest
import test_ui as ui
from test_upload_browser import choose_files, questions_for

import rag
from chatapp.upload import Library

SCANNED_SEED = 7  # two articles, two columns each, a running head and a jump line


def scan_to_png(pdf_path, png_path, dpi: int = 200) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    doc[0].render(scale=dpi / 72).to_pil().convert("L").save(png_path, dpi=(dpi, dpi))
    doc.close()


@pytest.mark.browser
def test_a_scanned_page_uploaded_in_the_chat_answers_from_its_articles(page_maker, tmp_path):
    pytest.importorskip("rapidocr")
    from tests.conftest import BUNDLED_CORPUS

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    rag.build_index(corpus, index, encoder=rag.HashEncoder(), progress=False)
    retriever = rag.Retriever.load(index, corpus=corpus, encoder=rag.HashEncoder(),
                                   progress=False)
    printed = page_maker.random_page(tmp_path / "page.pdf", SCANNED_SEED, shapes=True,
                                     size=(640, 820))
    scan = tmp_path / "扫描第13版.png"
    scan_to_png(printed.path, scan)
    library = Library(retriever, index_dir=index, corpus_dir=corpus)
    demo, url = ui.serve(library)
    try:
        with ui.browser_or_skip() as p:
            browser = p.chromium.launch(executable_path=str(ui.CHROMIUM), args=ui.CHROMIUM_ARGS)
            page = browser.new_page(viewport=ui.DESKTOP)
            page.goto(url)
            page.get_by_role("tab", name="文章").click()
            page.locator("#pick").wait_for()
            choose_files(page, [scan])
            report = page.locator(".upload-report")
            report.wait_for(timeout=400_000)  # OCR of a page takes tens of seconds
            text = report.inner_text()
            n = len(printed.articles)
            assert f"已添加 {n} 篇文章" in text, text
            for article in printed.articles:
                assert f"《{article.title}》" in text
            page.locator(".doc .meta").get_by_text("扫描件（OCR识别）").wait_for()
            page.screenshot(path=str(ui.ARTIFACTS / "scan-desktop-1-added.png"), full_page=True)
            # questions from what OCR read (a character may differ from the print)
            found = sorted((a for a in library.retriever.articles if "扫描第13版" in a.id),
                           key=lambda a: a.id)
            assert [a.title for a in found] == [a.title for a in printed.articles]
            assert all(a.date == printed.articles[0].date and a.ocr for a in found)
            questions = questions_for(found, retriever.articles)
            page.get_by_role("tab", name="问答").click()
            for k, (question, article, paragraph) in enumerate(questions, 1):
                turn = ui.ask(page, question, timeout=120_000)
                quote = turn.locator(".quote").first.inner_text()
                assert question.removesuffix("吗？") in quote, (question, quote)
                line = turn.locator(".cite").first.text_content()
                assert f"《{article.title}》" in line and f"第{paragraph}段" in line, line
                assert "扫描件（OCR识别" in line and article.date in line, line
                page.screenshot(path=str(ui.ARTIFACTS / f"scan-desktop-2-answer-{k}.png"))
            phone = browser.new_page(viewport=ui.PHONE, has_touch=True)
            phone.goto(url)
            question, article, _ = questions[-1]
            turn = ui.ask(phone, question, timeout=120_000)
            assert question.removesuffix("吗？") in turn.locator(".quote").first.inner_text()
            phone.screenshot(path=str(ui.ARTIFACTS / "scan-phone-1-answer.png"))
            phone.get_by_role("tab", name="文章").click()
            phone.locator("#pick").wait_for()
            phone.screenshot(path=str(ui.ARTIFACTS / "scan-phone-2-articles.png"))
            browser.close()
    finally:
        demo.close()
