"""`rag add URL` and the chat's web address box, against a local web server
(no internet here), and the bundled corpus/ and index/ left as committed:
what a user adds goes to a library folder git ignores."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import BUNDLED_CORPUS

import rag
from chatapp import upload
from rag.cli import main
from rag.library.fetch import USER_AGENT, FetchError, fetch_page

PAGES = Path(__file__).parent / "webpages"
REPO = Path(__file__).resolve().parents[1]


class Site(SimpleHTTPRequestHandler):
    seen: list[str] = []  # user agents of the requests

    def do_GET(self):  # noqa: N802 - http.server's name
        Site.seen.append(self.headers.get("User-Agent", ""))
        if self.path == "/slow.html":
            time.sleep(1.5)
        if self.path == "/robots.txt":
            body = b"User-agent: *\nDisallow: /private/\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "news").mkdir()
    (root / "private").mkdir()
    shutil.copy(PAGES / "xinhua_lede.html", root / "news" / "lede.html")
    shutil.copy(PAGES / "people_gb2312.html", root / "news" / "skills.html")
    shutil.copy(PAGES / "netease_source.html", root / "private" / "p.html")
    shutil.copy(PAGES / "bbc_sitename.html", root / "slow.html")
    (root / "report.pdf").write_bytes(b"%PDF-1.4 not a page")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Site, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A git checkout like the repository's: the sample corpus and its index
    committed, the repository's .gitignore; the working directory."""
    repo = tmp_path / "repo"
    shutil.copytree(BUNDLED_CORPUS, repo / "corpus")
    rag.build_index(repo / "corpus", repo / "index", encoder=rag.HashEncoder(), progress=False)
    shutil.copy(REPO / ".gitignore", repo / ".gitignore")
    git = partial(subprocess.run, cwd=repo, check=True, capture_output=True, text=True)
    git(["git", "init", "-q"])
    git(["git", "add", "-A"])
    git(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "sample"])
    monkeypatch.chdir(repo)
    monkeypatch.delenv("RAG_LIBRARY", raising=False)
    monkeypatch.delenv("RAG_INDEX", raising=False)
    monkeypatch.delenv("RAG_CORPUS", raising=False)
    return repo


def _status(repo: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=repo, check=True,
                          capture_output=True, text=True).stdout


def test_rag_add_url_fetches_the_page_into_the_library(site, checkout, capsys):
    before = _digest(checkout / "corpus"), _digest(checkout / "index")
    url = f"{site}/news/lede.html"
    code = main(["add", url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith(f"added {url} as added/127.0.0.1-lede-") and "《多地推进" in out
    assert USER_AGENT in Site.seen
    saved = next((checkout / "library" / "corpus" / "added").glob("*.html"))
    assert saved.read_bytes().startswith(b"<!-- saved from url=(")
    # Searches now read the library: the sample's articles and the page.
    code = main(["list", "--json"])
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and len(listed) == 5
    retriever = rag.Retriever.load(checkout / "library" / "index", rebuild=False,
                                   progress=False)
    page = retriever.article(saved.relative_to(checkout / "library" / "corpus")
                             .with_suffix("").as_posix())
    assert (page.url, page.author, page.source) == (url, "唐霁", "新华社")
    # The bundled sample is as committed.
    assert (_digest(checkout / "corpus"), _digest(checkout / "index")) == before
    assert _status(checkout) == ""


def test_a_page_that_cannot_be_fetched_says_why(site, checkout, capsys):
    cases = {f"{site}/private/p.html": "the site's robots.txt does not allow fetching",
             f"{site}/news/missing.html": "the server answered 404",
             f"{site}/report.pdf": "not a web page (the server sent application/pdf)",
             "http://127.0.0.1:9/x.html": "cannot connect"}
    for url, reason in cases.items():
        code = main(["add", url])
        err = capsys.readouterr().err
        assert code == 2 and f"rag: error: {url}: {reason}" in err, err
    with pytest.raises(FetchError, match="no answer within 0.5 seconds") as caught:
        fetch_page(f"{site}/slow.html", timeout=0.5)
    assert caught.value.reason_zh == "0.5 秒内没有响应"
    assert not (checkout / "library" / "corpus" / "added").exists()


def _app_library(checkout: Path):
    """The library as `python ui.py` opens it in this checkout (uploads on)."""
    args = argparse.Namespace(index="index", corpus="corpus", library=None, model=None,
                              backend=None)
    return upload.open_library(args, uploads=True)


def test_uploads_and_web_pages_from_the_chat_leave_the_checkout_clean(site, checkout,
                                                                      tmp_path):
    library = _app_library(checkout)
    assert len(library.retriever.articles) == 4  # the sample, until something is added
    note = tmp_path / "note.md"
    note.write_text("# 渔港码头启用冷链仓库\n\n新建的冷链仓库可以同时存放三百吨海鲜。\n",
                    encoding="utf-8")
    done = upload.upload(library, [note])
    assert len(done.added) == 1 and "note.md" in done.html
    done = upload.upload_url(library, f"{site}/news/skills.html")
    assert len(done.added) == 1 and f"{site}/news/skills.html" in done.html
    refused = upload.upload_url(library, f"{site}/private/p.html")
    assert not refused.added and "该网站的 robots.txt 不允许抓取这个网页" in refused.html
    assert "不是网页地址" in upload.upload_url(library, "ftp://example.com/a").html
    assert len(library.retriever.articles) == 6
    assert _status(checkout) == ""  # corpus/ and index/ untouched, library/ ignored
    again = _app_library(checkout)  # a restarted app serves the library
    assert len(again.retriever.articles) == 6
    skills = again.retriever.article(done.added[0])
    assert (skills.author, skills.source) == ("赵琳", "工人日报")


def test_the_chat_filters_are_read_from_its_settings():
    from chatapp.filters import from_settings

    got = from_settings("2025/7/1", "", "工人日报", "", ["a", "b"])
    assert got == rag.Filters.from_mapping({"since": "2025-07-01", "source": "工人日报",
                                            "article": ["a", "b"]})
    with pytest.raises(ValueError, match="起始日期“7月1日”不是日期，请写成 2025-07-01"):
        from_settings("7月1日")
    with pytest.raises(ValueError, match="晚于截止日期"):
        from_settings("2025-07-10", "2025-07-01")


def test_the_chat_page_offers_the_filters_and_the_address_box(checkout):
    import ui

    demo = ui.create_app(_app_library(checkout))
    components = {c["props"].get("elem_id"): c for c in demo.config["components"]
                  if c.get("props", {}).get("elem_id")}
    for box in ("since", "until", "source", "author", "only-articles", "url", "url-add"):
        assert box in components, box
    picker = components["only-articles"]["props"]
    assert picker["multiselect"] and len(picker["choices"]) == 4
    bare = {c["props"].get("elem_id") for c in ui.create_app(
        upload.Library(_app_library(checkout).retriever)).config["components"]}
    assert "url" not in bare and "since" in bare  # read-only: filters, but no adding
