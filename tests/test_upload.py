"""Adding articles from the chat (chatapp/upload.py): each file of a batch is
added or refused with the reason, the new articles are searched and listed
at once, and questions asked meanwhile are answered from a whole index.

Model-free (HashEncoder) over a copy of the bundled corpus; the browser
tests of the upload are in test_upload_browser.py.
"""

from __future__ import annotations

import gc
import shutil
import sys
import threading
import weakref
from pathlib import Path

import pytest

import rag
from rag.answer import answer_question

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # ui.py and chatapp/ sit at the repo root
import ui  # noqa: E402
from chatapp import articles, upload  # noqa: E402
from chatapp.labels import labels  # noqa: E402
from chatapp.upload import Library  # noqa: E402

GOOD = """---
title: 山区小学开通远程音乐课
author: 林晓月
---

今年秋季学期起，县里的十二所山区小学通过网络直播上音乐课，城里学校的老师每周授课两次。

学生们第一次跟着屏幕里的老师学会了用竖笛吹奏民歌，课后还组成了合唱队。

教育局表示，明年将把远程课堂扩展到美术和科学课程，并为每所学校配备新的投影设备。
"""
GOOD_QUESTION = "山区小学的学生跟着屏幕里的老师学会了什么乐器？"
PLAIN = ("渔港码头启用冷链仓库\n\n"
         "新建的冷链仓库可以同时存放三百吨海鲜，渔民的收购价因此提高了一成。\n\n"
         "仓库由合作社管理，夜间也有工作人员值守。\n")
PLAIN_QUESTION = "冷链仓库可以同时存放多少吨海鲜？"


def build(corpus: Path, index: Path) -> rag.Retriever:
    rag.build_index(corpus, index, encoder=rag.HashEncoder(), progress=False)
    return rag.Retriever.load(index, corpus=corpus, encoder=rag.HashEncoder(), progress=False)


@pytest.fixture
def library(tmp_path) -> Library:
    """The bundled page in a corpus folder of its own, uploads on."""
    from tests.conftest import BUNDLED_CORPUS

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    return Library(build(corpus, index), index_dir=index, corpus_dir=corpus)


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """What a reader might drop in: two articles, a copy of one, a damaged
    PDF, a file of another type and one over the size limit."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    made = {
        "good.md": GOOD,
        "fishing-port.txt": PLAIN,
        "copy-of-good.md": GOOD.replace("山区小学开通远程音乐课", "远程音乐课进山区"),
        "broken.pdf": "%PDF-1.4\nnot really a pdf",
        "photo.png": "\x89PNG not an article",
        "big.txt": "很长的文章。\n\n" * 3000,
    }
    for name, text in made.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {name: folder / name for name in made}


class Recorder:
    """Stands in for gr.Progress: remembers what it was shown."""

    def __init__(self):
        self.calls = []

    def __call__(self, value, desc=None, total=None, unit="steps"):
        self.calls.append((value, desc))


def top_citation(retriever, question: str):
    answer = answer_question(retriever, question)
    assert not answer.abstained, question
    return answer.citations[0]


def test_a_batch_adds_what_it_can_and_says_why_for_each_other_file(library, files):
    before = library.retriever
    progress = Recorder()
    library.max_bytes = 20_000  # big.txt (~57 KB) is over it
    done = upload.upload(library, list(files.values()), progress=progress)

    # The two articles are in, searchable at once, cited by title, author, paragraph.
    assert library.retriever is not before
    cite = top_citation(library.retriever, GOOD_QUESTION)
    assert (cite.title, cite.author, cite.paragraph) == ("山区小学开通远程音乐课", "林晓月", 2)
    assert "竖笛" in cite.quote
    cite = top_citation(library.retriever, PLAIN_QUESTION)
    assert (cite.title, cite.paragraph) == ("渔港码头启用冷链仓库", 1)
    assert set(done.added) == {"added/good", "added/fishing-port"}
    corpus = library.corpus_dir
    assert sorted(p.name for p in (corpus / "added").iterdir()) == ["fishing-port.txt",
                                                                     "good.md"]
    # Listed at once, in the 文章 tab's list and its picker.
    listing = articles.listing(library.retriever, also=done.added)
    assert "山区小学开通远程音乐课" in [title for title, _ in listing.rows]
    assert ("渔港码头启用冷链仓库", "added/fishing-port") in listing.choices
    assert listing.summary == "共 6 篇。"

    # Every other file is named with its reason, in Chinese where the app decides.
    page = done.html
    assert "已添加 2 篇文章" in page and "保存为 added/good.md" in page
    assert "《山区小学开通远程音乐课》" in page and "林晓月" in page
    assert "copy-of-good.md" in page and "已在文库中，未重复添加" in page
    assert "与 added/good.md 中的《山区小学开通远程音乐课》相同" in page
    assert "broken.pdf" in page and "不是可以读取的 PDF" in page  # the loader's reason, in Chinese
    # page images are read by OCR now: a .png that is no image says so
    assert "photo.png" in page and "看起来不是扫描的页面" in page
    assert "big.txt" in page and "超过单个文件 19.5 KB 的上限" in page
    assert page.index("broken.pdf") < page.index("photo.png") < page.index("big.txt")

    # The reader saw the steps: reading, then the build's own, with counts.
    shown = [desc for _, desc in progress.calls]
    assert shown[0] == "正在读取 6 个文件…"
    assert "正在计算段落向量" in shown and "正在建立向量索引" in shown
    assert ((5, 5), "正在计算段落向量") in progress.calls  # only the new passages, 3 + 2
    assert progress.calls[-1] == (1.0, "正在载入新的索引…")

    # The retriever a request already held still answers from the old index.
    old = answer_question(before, "职业院校应该健全什么导师制度？")
    assert "双导师管理制度" in old.citations[0].quote
    assert all(c.title != "山区小学开通远程音乐课"
               for c in answer_question(before, GOOD_QUESTION).citations)
    # Once no request holds it, the old index goes (and its open files with it).
    gone = weakref.ref(before)
    del before, old
    gc.collect()
    assert gone() is None


def test_a_file_already_in_the_library_is_not_added_again(library, files):
    upload.upload(library, [files["good.md"]])
    before = library.retriever
    done = upload.upload(library, [files["good.md"]])
    assert done.added == () and library.retriever is before
    assert "没有添加文章" in done.html and "已在文库中" in done.html
    assert len(list((library.corpus_dir / "added").iterdir())) == 1


def test_a_batch_of_refused_files_changes_nothing(library, files):
    before = library.retriever
    corpus = sorted(p.relative_to(library.corpus_dir) for p in library.corpus_dir.rglob("*"))
    done = upload.upload(library, [files["photo.png"], files["broken.pdf"]])
    assert done.added == () and library.retriever is before
    assert sorted(p.relative_to(library.corpus_dir)
                  for p in library.corpus_dir.rglob("*")
                  if p.name != ".rag-library.lock") == corpus
    assert "没有添加文章" in done.html and "photo.png" in done.html
    assert "broken.pdf" in done.html


def test_a_failed_batch_says_so_and_keeps_the_index(library, files, monkeypatch):
    def fail(*args, **kwargs):
        raise rag.index.lock.IndexBusyError("another build of the index is running")

    monkeypatch.setattr(upload, "add_files", fail)
    before = library.retriever
    done = upload.upload(library, [files["good.md"]])
    assert "未能添加（another build of the index is running），文库没有改变。" in done.html
    assert library.retriever is before


def test_an_index_that_cannot_be_opened_leaves_the_old_one_searched(library, files,
                                                                     monkeypatch):
    def fail(*args, **kwargs):
        raise rag.IndexLoadError("index at index is damaged")

    monkeypatch.setattr(upload.Retriever, "load", fail)
    before = library.retriever
    done = upload.upload(library, [files["good.md"]])
    assert "文章已添加，但新的索引未能打开（index at index is damaged）" in done.html
    assert library.retriever is before
    assert (library.corpus_dir / "added" / "good.md").exists()


def test_questions_asked_during_an_upload_are_answered_from_a_whole_index(library, files):
    """Threads keep asking (as the chat's workers do) while uploads swap the
    index: every answer comes out whole and cites an article of the index
    that answered it."""
    stop, errors, answered = threading.Event(), [], []

    def ask():
        from chatapp import render

        while not stop.is_set():
            retriever = library.retriever  # as create_app's answer() does
            try:
                answer = answer_question(retriever, "职业院校应该健全什么导师制度？")
                render.answer_html(retriever, answer, 1)
                assert "双导师管理制度" in answer.citations[0].quote
                answered.append(retriever)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

    askers = [threading.Thread(target=ask) for _ in range(3)]
    for t in askers:
        t.start()
    try:
        upload.upload(library, [files["good.md"]])
        upload.upload(library, [files["fishing-port.txt"]])
    finally:
        stop.set()
        for t in askers:
            t.join()
    assert errors == []
    assert len(set(map(id, answered))) >= 2  # answers came from more than one index
    assert top_citation(library.retriever, PLAIN_QUESTION).title == "渔港码头启用冷链仓库"


def test_the_upload_takes_the_formats_rag_reads():
    label = upload.types_text()
    assert set(label.split("、")) == {"PDF", "PNG", "HTML", "DOCX", "MD", "TXT", "JSONL"}
    say = labels("zh")
    library = Library(None, index_dir="index", corpus_dir="corpus")
    for suffix in rag.ingest.suffixes():  # every suffix a loader reads is taken
        assert library.refusal(Path(__file__).with_suffix(suffix), say) is None
    assert library.refusal(Path(__file__).with_suffix(".doc"), say).startswith(
        "不支持的文件类型 .doc")


# -- switching uploads off --------------------------------------------------------


def options(*argv: str):
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--no-upload", action="store_true")
    parser.add_argument("--corpus", default="corpus")
    return parser.parse_args(list(argv))


def test_uploads_are_off_for_a_read_only_or_open_deployment(tmp_path, capsys):
    corpus = str(tmp_path)
    assert ui.upload_setting(options("--corpus", corpus), [], public=False) is True
    assert ui.upload_setting(options("--corpus", corpus, "--no-upload"), [], False) is False
    assert ui.upload_setting(options("--corpus", corpus), [], public=True) is False
    assert "reachable from other machines without a login" in capsys.readouterr().err
    assert ui.upload_setting(options("--corpus", corpus), [("ann", "pw")], public=True) is True
    assert ui.upload_setting(options("--corpus", str(tmp_path / "none")), [], False) is False
    assert "no corpus folder" in capsys.readouterr().err
    assert ui.launch_options(uploads=False)["max_file_size"] == 0  # Gradio takes no file
    assert ui.launch_options()["max_file_size"] == ui.UPLOAD_CEILING >= rag.MAX_FILE_BYTES


def test_without_uploads_the_page_has_no_upload(library):
    demo = ui.create_app(library.retriever)
    assert not any(getattr(b, "elem_id", None) == "upload" for b in demo.blocks.values())
    demo = ui.create_app(library)
    assert any(getattr(b, "elem_id", None) == "upload" for b in demo.blocks.values())
    with pytest.raises(RuntimeError, match="uploads are off"):
        Library(library.retriever).add([])
