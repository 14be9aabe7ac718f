"""Careless files and concurrent builds: symbolic links out of the corpus
folder, a huge article, progress when stderr is a log file, two builds of one
index, an index of another model, folder permissions, bad bytes on the
command line. All with the model-free HashEncoder."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from conftest import REPO, cmrc_articles, write_jsonl

from rag import (
    BuildReport,
    CorpusError,
    HashEncoder,
    IndexLoadError,
    Retriever,
    build_index,
    load_encoder,
)
from rag.cli import main
from rag.index import load_index
from rag.index import lock as lock_module
from rag.index import progress as progress_module
from rag.index.lock import IndexBusyError, build_lock

PYTHON = [sys.executable, "-m", "rag"]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}


def _cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(code, err, *needles):
    lines = err.strip().splitlines()
    assert code == 2 and "Traceback" not in err, err
    assert len(lines) == 1 and lines[0].startswith("rag: error:"), err
    for needle in needles:
        assert str(needle) in lines[0], (needle, err)


# -- symbolic links -------------------------------------------------------------


@pytest.fixture
def linked_corpus(tmp_path):
    """A corpus with links: one to a file outside, one to a folder outside,
    one to a file inside, one broken."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "cmrc.jsonl", cmrc_articles(3))
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text("工资单\n\n张三的工资是一万二千元。", encoding="utf-8")
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "private").symlink_to(outside, target_is_directory=True)
    (corpus / "inside.md").write_text("# 站内文章\n\n流星雨是大量流星划过天空的现象。\n",
                                      encoding="utf-8")
    (corpus / "alias.md").symlink_to("inside.md")
    (corpus / "gone.md").symlink_to("nowhere.md")
    return corpus


def test_links_out_of_the_corpus_are_skipped_and_reported(tmp_path, linked_corpus, capsys):
    index = tmp_path / "index"
    report = build_index(linked_corpus, index, encoder=HashEncoder(64), progress=False)
    assert isinstance(report, BuildReport)
    skipped = "\n".join(report.skipped)
    assert len(report.skipped) == 3
    assert "secret.txt: a symbolic link to" in skipped and "outside the corpus folder" in skipped
    assert "private: a symbolic link to" in skipped
    assert "gone.md: a broken symbolic link (to nowhere.md)" in skipped
    assert json.loads(json.dumps(report.to_dict()))["skipped"] == list(report.skipped)
    r = Retriever.load(index, encoder=HashEncoder(64), progress=False)
    ids = {a.id for a in r.articles}
    # A link inside the folder is read like the file, and is the same article: indexed once.
    assert "alias" in ids and "inside" not in ids
    assert [(d.id, d.same_as) for d in report.duplicates] == [("inside", "alias")]
    assert not any("secret" in i or "private" in i for i in ids)
    assert "张三" not in " ".join(h.text for h in r.search("张三的工资", k=5).hits)

    # The command line says so on stderr, both when building and when up to date.
    for _ in range(2):
        code, out, err = _cli(capsys, "build", "--corpus", linked_corpus, "--index",
                              tmp_path / "ix2", "--model", "hash-64")
        assert code == 0 and "Traceback" not in err
        warned = [ln for ln in err.splitlines() if ln.startswith("rag: warning: skipped")]
        assert len(warned) == 3 and any("secret.txt" in ln for ln in warned)


def test_a_corpus_reached_through_a_link_is_read(tmp_path, linked_corpus):
    """The corpus folder itself may be a link; only links leaving it are refused."""
    via = tmp_path / "via"
    via.symlink_to(linked_corpus, target_is_directory=True)
    report = build_index(via, tmp_path / "index", encoder=HashEncoder(64), progress=False)
    assert report.articles == 4 and len(report.skipped) == 3 and len(report.duplicates) == 1


# -- a huge article ------------------------------------------------------------


def test_a_huge_article_is_warned_about_with_passages_and_time(tmp_path, caplog):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # 2,100 one-sentence paragraphs: one passage each, one article.
    text = "一本书\n\n" + "\n\n".join(f"第{i}段说的是第{i}件事情。" for i in range(2100))
    (corpus / "book.txt").write_text(text, encoding="utf-8")
    write_jsonl(corpus / "small.jsonl", cmrc_articles(2))
    with caplog.at_level("WARNING", logger="rag"):
        report = build_index(corpus, tmp_path / "index", model="hash-64", progress=False)
    assert len(report.warnings) == 1
    warning = report.warnings[0]
    assert "book.txt" in warning and "'book'" in warning and "2,100 passages" in warning
    assert "indexing them takes about" in warning and "hash-64" in warning
    assert warning in caplog.text  # said when found, before the work, not only at the end
    assert report.to_dict()["warnings"] == [warning]


def test_the_estimate_uses_the_models_measured_speed():
    from rag.index.sizes import build_seconds

    assert build_seconds(48_402, "hash-256", "torch") < build_seconds(48_402, "m3e-small",
                                                                      "torch")
    assert 20 * 60 < build_seconds(48_402, "m3e-small", "torch") < 40 * 60  # ~30 passages/s
    assert build_seconds(100, "some/other-model", "torch") is None


# -- progress off a terminal ---------------------------------------------------------


class SlowEncoder(HashEncoder):
    def encode(self, texts, *, progress=False):
        time.sleep(0.01 * len(texts))
        return super().encode(texts)


def test_progress_lines_when_stderr_is_not_a_terminal(tmp_path, small_corpus, capsys,
                                                      monkeypatch):
    monkeypatch.setattr(progress_module, "LINE_INTERVAL", 0.05)
    monkeypatch.setattr("rag.index.build.EMBED_BATCH", 8)
    build_index(small_corpus, tmp_path / "index", encoder=SlowEncoder(64), progress=True)
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.startswith("rag: embedding passages")]
    assert len(lines) >= 2, err
    total = lines[-1].split("/")[1].split(" ")[0]
    assert lines[-1].startswith(f"rag: embedding passages {total}/{total} (100%)")
    assert "done in" in lines[-1] and "/s, about" in lines[0] and "left" in lines[0]
    assert "\r" not in err  # no bar redrawn into a log file


def test_no_progress_lines_when_asked_for_none(tmp_path, small_corpus, capsys, monkeypatch):
    monkeypatch.setattr(progress_module, "LINE_INTERVAL", 0.0)
    build_index(small_corpus, tmp_path / "index", encoder=SlowEncoder(64), progress=False)
    assert "rag:" not in capsys.readouterr().err


def test_a_function_is_told_each_step_instead(tmp_path, small_corpus, capsys, monkeypatch):
    """What the chat's upload shows: each step from 0 to its total, nothing on stderr."""
    monkeypatch.setattr(progress_module, "LINE_INTERVAL", 0.0)
    monkeypatch.setattr("rag.index.build.EMBED_BATCH", 3)
    calls = []
    build_index(small_corpus, tmp_path / "index", encoder=SlowEncoder(64),
                progress=lambda *step: calls.append(step))
    steps = list(dict.fromkeys(what for what, _, _ in calls))
    assert steps == ["embedding passages", "tokenizing passages", "building the vector index"]
    embedded = [(done, total) for what, done, total in calls if what == "embedding passages"]
    total = embedded[0][1]
    assert embedded[0] == (0, total) and embedded[-1] == (total, total) and len(embedded) > 3
    assert [d for d, _ in embedded] == sorted(d for d, _ in embedded)
    assert "rag:" not in capsys.readouterr().err


def test_a_terminal_gets_a_bar_not_lines(monkeypatch):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(progress_module, "LINE_INTERVAL", 0.0)
    stream = Terminal()
    with progress_module.Progress(500, "embedding passages", stream=stream) as bar:
        for _ in range(5):
            bar.update(100)
    assert "\r" in stream.getvalue() and "rag: embedding" not in stream.getvalue()


# -- one build at a time ---------------------------------------------------------


def test_a_second_build_waits_then_fails_clearly(tmp_path, small_corpus):
    index = tmp_path / "index"
    with build_lock(index):
        started = time.monotonic()
        with pytest.raises(IndexBusyError, match="another build of the index at .* is running"):
            build_index(small_corpus, index, model="hash-64", progress=False, lock_wait=0.5)
        assert 0.4 < time.monotonic() - started < 5
    assert not index.exists()
    assert not build_index(small_corpus, index, model="hash-64", progress=False).up_to_date


def test_concurrent_builds_run_one_after_the_other(tmp_path, small_corpus, monkeypatch):
    """Two threads build one index from two corpora: the second waits for the
    first, then builds on top of it; neither swap is lost half-way."""
    other = tmp_path / "other"
    other.mkdir()
    write_jsonl(other / "few.jsonl", cmrc_articles(3))
    index = tmp_path / "index"
    inside = threading.Event()
    order = []

    class Holding(HashEncoder):
        def encode(self, texts, *, progress=False):
            inside.set()
            time.sleep(0.5)  # still embedding while the other build starts
            return super().encode(texts)

    def first():
        order.append(("first", build_index(small_corpus, index, encoder=Holding(64),
                                           progress=False).articles))

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(30)
    second = build_index(other, index, encoder=HashEncoder(64), progress=False)
    order.append(("second", second.articles))
    thread.join()
    assert order == [("first", 8), ("second", 3)]
    assert len(Retriever.load(index, encoder=HashEncoder(64), progress=False).articles) == 3


def _hold_lock(index) -> subprocess.Popen:
    """Another process holding the index's build lock (for a minute at most)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from rag.index.lock import build_lock\n"
         "with build_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)",
         str(index)], env=ENV, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_the_cli_says_another_build_is_running(tmp_path, small_corpus):
    index = tmp_path / "index"
    holder = _hold_lock(index)
    try:
        code = (f"import rag.index.lock as l; l.DEFAULT_WAIT = 0.3; from rag.cli import main; "
                f"raise SystemExit(main(['build', '--corpus', {str(small_corpus)!r}, "
                f"'--index', {str(index)!r}, '--model', 'hash-64']))")
        done = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True,
                              text=True, timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("rag: warning: another build of the index at")
    assert f"(process {holder.pid})" in lines[0]
    assert lines[-1].startswith("rag: error: another build of the index at")
    assert "try again when it has finished" in lines[-1]


def test_a_killed_build_leaves_no_lock(tmp_path, small_corpus):
    index = tmp_path / "index"
    holder = _hold_lock(index)
    holder.kill()
    holder.wait()
    report = build_index(small_corpus, index, model="hash-64", progress=False, lock_wait=5)
    assert report.articles == 8


def test_the_lock_lives_beside_the_index(tmp_path):
    assert lock_module.lock_path(tmp_path / "ix") == tmp_path / ".ix.lock"


# -- an index of another model ---------------------------------------------------


def _foreign(index, model, dim):
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(model=model, dim=dim)
    (index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_an_index_of_a_model_not_on_this_machine_is_refused_at_once(hash_index):
    """No model is loaded and the hub is never asked: the check reads the
    manifest only (it took ~30 s and ended in a connection error)."""
    _foreign(hash_index, "BAAI/bge-small-zh", 512)
    code = ("import sys, time; from rag import Retriever\n"
            "started = time.perf_counter()\n"
            "try:\n    Retriever.load(sys.argv[1], progress=False)\n"
            "except Exception as err:\n    print(type(err).__name__, err)\n"
            "print(round(time.perf_counter() - started, 2))\n"
            "print(sorted({'torch', 'sentence_transformers', 'transformers'} & set(sys.modules)))")
    env = {k: v for k, v in ENV.items() if k != "HF_HUB_OFFLINE"}  # online or not: no hub
    done = subprocess.run([sys.executable, "-c", code, str(hash_index)], env=env,
                          capture_output=True, text=True, timeout=120)
    message, seconds, modules = done.stdout.strip().splitlines()
    assert message.startswith("IndexLoadError")
    assert "'BAAI/bge-small-zh' (512 dims)" in message and "not on this machine" in message
    assert "'m3e-small' (512 dims)" in message and "'e5-small' (384 dims)" in message
    assert float(seconds) < 3 and modules == "[]"


@pytest.mark.parametrize("built, dim, asked, needles", [
    ("hash-256", 256, "m3e-small", ["'hash-256' (256 dims), not 'm3e-small' (512 dims)"]),
    ("hash-256", 256, "hash-128", ["'hash-256' (256 dims), not 'hash-128' (128 dims)"]),
    ("hash-256", 256, "BAAI/bge-small-zh", ["'hash-256' (256 dims), not 'BAAI/bge-small-zh';"]),
    ("BAAI/bge-small-zh", 512, "m3e-small",
     ["'BAAI/bge-small-zh' (512 dims), not 'm3e-small' (512 dims)"]),
    ("m3e-small", 256, None, ["damaged", "'m3e-small' made 256-dim vectors", "makes 512",
                              "--force"]),
    ("hash-256", 512, None, ["damaged", "'hash-256' made 512-dim vectors", "makes 256"]),
    ("hash-256", 512, "hash-256", ["damaged", "'hash-256' made 512-dim vectors"]),
])
def test_model_mismatches_name_both_models_and_sizes(hash_index, built, dim, asked, needles,
                                                     capsys):
    _foreign(hash_index, built, dim)
    with pytest.raises(IndexLoadError) as caught:
        Retriever.load(hash_index, model=asked, progress=False)
    message = str(caught.value)
    assert "None" not in message
    for needle in needles:
        assert needle in message
    argv = ["search", "问题", "--index", hash_index] + (["--model", asked] if asked else [])
    _one_error_line(*_cli(capsys, *argv)[::2], needles[0])


@pytest.mark.parametrize("change", [{"dim": None}, {"dim": "512"}, {"model": ""},
                                    {"model": None}])
def test_a_manifest_without_model_or_size_is_damaged(hash_index, change):
    manifest = json.loads((hash_index / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(change)
    (hash_index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexLoadError, match="damaged") as caught:
        Retriever.load(hash_index, encoder=HashEncoder(256), rebuild=False, progress=False)
    assert "None dims" not in str(caught.value)


def test_vectors_of_another_size_than_the_manifest_says_are_damaged(hash_index):
    _foreign(hash_index, "hash-512", 512)
    with pytest.raises(IndexLoadError, match="damaged.*256-dim vectors, the manifest says 512"):
        Retriever.load(hash_index, progress=False)


# -- permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("umask, mode", [(0o022, 0o755), (0o027, 0o750), (0o002, 0o775)])
def test_the_index_folder_has_the_umasks_permissions(tmp_path, small_corpus, umask, mode):
    old = os.umask(umask)
    try:
        build_index(small_corpus, tmp_path / "index", model="hash-64", progress=False)
    finally:
        os.umask(old)
    assert (tmp_path / "index").stat().st_mode & 0o777 == mode  # was 0700 (mkdtemp)
    assert (tmp_path / "index" / "manifest.json").stat().st_mode & 0o777 == mode & 0o666


# -- corpus text that cannot be written ------------------------------------------------


def test_a_lone_surrogate_escape_in_a_jsonl_corpus_is_reported(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.jsonl").write_text(
        '{"id": "a", "title": "t", "text": "生育津贴\\ud800很好。"}\n', encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        build_index(corpus, tmp_path / "index", model="hash-64", progress=False)
    assert "bad.jsonl, line 1" in str(caught.value)
    assert "lone surrogate U+D800, at character 5" in str(caught.value)
    assert not (tmp_path / "index").exists()


# -- the command line, as a user runs it ---------------------------------------------


@pytest.mark.parametrize("argv, needles", [
    ([b"search", "生育".encode() + b"\xff\xfe" + "津贴".encode()],
     ["the question is not UTF-8 text (byte 0xff after “生育”)"]),
    ([b"ask", b"\xc3"], ["the question is not UTF-8 text (byte 0xc3)"]),
    ([b"search", b"q", b"-k", b"abc"], ["argument -k: invalid int value: 'abc'",
                                        "rag search --help"]),
    ([b"search", b"q", b"-k", b"1000"], ["-k must be from 1 to 100, not 1000"]),
    ([b"search", b"q", b"--mode", b"\xff"], ["argument --mode: invalid choice"]),
    ([b"frobnicate"], ["invalid choice: 'frobnicate'"]),
])
def test_bad_arguments_give_one_line_and_exit_2(cli_index_dir, argv, needles):
    done = subprocess.run(PYTHON + argv + [b"--index", str(cli_index_dir).encode()], env=ENV,
                          capture_output=True, timeout=120)
    err = done.stderr.decode("utf-8", "backslashreplace")
    assert done.returncode == 2 and done.stdout == b"", err
    _one_error_line(done.returncode, err, *needles)


def test_a_batch_file_that_is_not_utf8_is_named_with_its_line(cli_index_dir, tmp_path, capsys):
    batch = tmp_path / "questions.txt"
    batch.write_bytes("生育津贴\n".encode() + "流星".encode() + b"\xff\n")
    code, out, err = _cli(capsys, "search", "--batch", batch, "--index", cli_index_dir)
    _one_error_line(code, err, f"batch file {batch} is not UTF-8 text (line 2, byte 0xff "
                               f"after “流星”)")


def test_batch_lines_with_control_characters_and_escapes(cli_index_dir, tmp_path, capsys):
    batch = tmp_path / "questions.jsonl"
    batch.write_text('{"id": 1, "question": "流星\\u0000雨\\ud800"}\n'
                     '{"id": 2, "question": "\\u0007"}\n', encoding="utf-8")
    code, out, err = _cli(capsys, "search", "--batch", batch, "--index", cli_index_dir)
    assert code == 0 and "Traceback" not in err
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["query"] == "流星 雨\ufffd" and first["hits"]
    assert second["id"] == 2 and "empty" in second["error"]


@pytest.fixture
def cli_index_dir(tmp_path, small_corpus):
    index = tmp_path / "index"
    build_index(small_corpus, index, model="hash-256", progress=False)
    return index


@pytest.mark.slow
@pytest.mark.parametrize("model, dim", [("e5-small", 384), ("m3e-small", 512)])
def test_the_known_size_of_each_shipped_model_is_its_real_size(model, dim):
    """The size used to refuse a foreign index without loading the model."""
    from rag.encoders import known_dim

    assert known_dim(model) == load_encoder(model).dim == dim


# -- what already held and must keep holding ---------------------------------------------


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_eight_bad_files_are_reported_at_once_and_the_index_is_untouched(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "good.jsonl", cmrc_articles(3))
    index = tmp_path / "index"
    assert _cli(capsys, "build", "--corpus", corpus, "--index", index, "--model", "hash-64")[0] == 0
    before = _snapshot(index)
    bad = {
        "empty.md": b"",
        "blank.txt": b"  \n\n",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00",
        "latin.txt": "caf\xe9 \xff".encode("latin-1"),
        "broken.jsonl": b'{"id": "x", "title": \n',
        "untitled.jsonl": '{"id": "y", "text": "没有标题。"}\n'.encode(),
        "surrogate.jsonl": b'{"id": "z", "title": "t", "text": "\\udc80"}\n',
        "front.md": "---\ntitle: [unclosed\n---\n正文。\n".encode(),
    }
    for name, data in bad.items():
        (corpus / name).write_bytes(data)
    code, out, err = _cli(capsys, "build", "--corpus", corpus, "--index", index,
                          "--model", "hash-64")
    assert code == 2 and out == "" and "Traceback" not in err
    head, *rest = err.strip().splitlines()
    assert head.startswith("rag: error: 8 problem(s) in corpus")
    problems = [line for line in rest if line.startswith("- ")]  # YAML's own error is 3 lines
    assert len(problems) == 8
    assert {name for name in bad if any(name in p for p in problems)} == set(bad)
    assert _snapshot(index) == before


def test_sigkill_mid_build_leaves_the_old_index_and_no_lock(tmp_path, small_corpus):
    index = tmp_path / "index"
    build_index(small_corpus, index, model="hash-64", progress=False)
    before = _snapshot(index)
    write_jsonl(small_corpus / "more.jsonl",  # new text: nothing cached for it
                [{**r, "id": f"more-{r['id']}", "text": "补充：" + r["text"]}
                 for r in cmrc_articles(8)])
    code = ("import sys, time; from rag import HashEncoder, build_index\n"
            "class Slow(HashEncoder):\n"
            "    def encode(self, texts, *, progress=False):\n"
            "        print('embedding', flush=True); time.sleep(60)\n"
            "build_index(sys.argv[1], sys.argv[2], encoder=Slow(64), progress=False)\n")
    builder = subprocess.Popen([sys.executable, "-c", code, str(small_corpus), str(index)],
                               env=ENV, stdout=subprocess.PIPE, text=True)
    assert builder.stdout.readline().strip() == "embedding"
    builder.kill()
    builder.wait()
    assert _snapshot(index) == before
    assert len(load_index(index).articles) == 8
    report = build_index(small_corpus, index, model="hash-64", progress=False, lock_wait=5)
    assert report.articles == 16


@pytest.mark.parametrize("victim", ["dense.faiss", "chunks.npy", "vectors.npy", "articles.npy"])
def test_garbage_in_an_index_file_is_reported_as_damage(hash_index, victim, capsys):
    (hash_index / victim).write_bytes(b"\x00garbage" * 10)
    with pytest.raises(IndexLoadError, match="damaged|inconsistent"):
        Retriever.load(hash_index, encoder=HashEncoder(256), rebuild=False, progress=False)
    _one_error_line(*_cli(capsys, "search", "问题", "--index", hash_index)[::2],
                    "rag build --force")


# -- careless index paths ------------------------------------------------------------------


@pytest.mark.parametrize("target", ["docs", "corpus", "notes.txt", "webapp"])
def test_a_build_never_replaces_what_is_not_an_index(tmp_path, small_corpus, target, capsys):
    """`--index docs` (or the corpus folder itself) used to swap the folder out and
    delete it: a user's files were lost without a word."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text("我的笔记", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("笔记", encoding="utf-8")
    (tmp_path / "webapp").mkdir()  # someone else's manifest.json
    (tmp_path / "webapp" / "manifest.json").write_text('{"name": "app"}', encoding="utf-8")
    before = _snapshot(tmp_path)
    with pytest.raises(IndexLoadError, match="not an index"):
        build_index(small_corpus, tmp_path / target, model="hash-64", progress=False)
    code, _, err = _cli(capsys, "build", "--corpus", small_corpus, "--index", tmp_path / target,
                        "--model", "hash-64")
    _one_error_line(code, err, tmp_path / target, "not an index")
    assert _snapshot(tmp_path) == before


def test_an_empty_folder_may_become_an_index(tmp_path, small_corpus):
    (tmp_path / "index").mkdir()
    assert build_index(small_corpus, tmp_path / "index", model="hash-64",
                       progress=False).articles == 8


def test_a_model_not_on_this_machine_is_refused_before_the_corpus_is_read(
        tmp_path, small_corpus, monkeypatch):
    import rag.ingest

    monkeypatch.setattr(rag.ingest, "read_corpus", lambda folder: pytest.fail("read"))
    with pytest.raises(RuntimeError, match="'BAAI/bge-small-zh' is not on this machine"):
        build_index(small_corpus, tmp_path / "index", model="BAAI/bge-small-zh",
                    progress=False)
