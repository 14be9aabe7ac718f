"""The chat's server for other programs: the JSON API (/api/v1), the
OpenAI-compatible chat (/v1) through the official `openai` client, MCP at
/mcp through the `mcp` package's own client session, `rag mcp` over stdio;
every bad input, a missing or wrong token, a 10 MB body, a busy server.

The app runs on free ports in this process over the bundled page indexed
with the model-free HashEncoder, as ui.py serves it (`create_app(...).launch`
with `api_options`): one server open to all, one with a login and an API key.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
from pathlib import Path

import httpx
import pytest

import rag
from rag.answer import answer_question

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
import test_ui  # noqa: E402
from test_ui import page_retriever  # noqa: E402, F401  (the bundled page, model-free)

import ui  # noqa: E402
from rag.serve import limits  # noqa: E402

QUESTION = "灵活就业人员能领生育津贴吗？"
KEY = "k-7f3a"  # the API key of the locked server
LOGIN = ("ann", "secret")


def serve(retriever, *, admission=None, logins=(), api_keys=()):
    """As ui.py serves it: the chat and, on the same app, the API."""
    admission = admission or limits.Admission()
    return test_ui.serve(retriever, auth=list(logins) or None, admission=admission,
                         launch=ui.api_options(retriever, admission=admission, logins=logins,
                                               api_keys=api_keys))


@pytest.fixture(scope="module")
def page(page_retriever):  # noqa: F811  (test_ui's fixture, imported above)
    return page_retriever


@pytest.fixture(scope="module")
def url(page):
    demo, url = serve(page)
    yield url
    demo.close()


@pytest.fixture(scope="module")
def locked(page):
    demo, url = serve(page, logins=[LOGIN], api_keys=[KEY])
    yield url
    demo.close()


@pytest.fixture(scope="module")
def http(url):
    with httpx.Client(base_url=url, timeout=60) as client:
        yield client


# -- the JSON API -------------------------------------------------------------------


def test_search_returns_passages_that_are_the_articles_text(http, page):
    response = http.post("/api/v1/search", json={"question": QUESTION, "k": 3})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == QUESTION and len(data["hits"]) == 3
    assert {"abstained", "abstain_reason", "confidence", "pipeline"} <= set(data)
    for rank, hit in enumerate(data["hits"], 1):
        body = page.article(hit["article_id"]).body
        assert hit["rank"] == rank and body[hit["start"]:hit["end"]] == hit["text"]
        assert hit["citation"].startswith(f"《{hit['title']}》")
    assert data == page.search(QUESTION, 3).to_dict(debug=True)


def test_ask_in_one_step_gives_the_chats_answer(http, page):
    response = http.post("/api/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = response.json()
    assert data == answer_question(page, QUESTION).to_dict()
    assert not data["abstained"] and data["citations"]
    for c in data["citations"]:
        assert f"[{c['n']}]" in data["answer"] and c["quote"] in c["text"]


def test_a_follow_up_reads_the_history(http, page):
    data = http.post("/api/v1/ask", json={"question": "作者是谁？",
                                          "history": [QUESTION]}).json()
    assert data["kind"] == "byline"
    assert data == answer_question(page, "作者是谁？", history=[QUESTION]).to_dict()


def test_article_ids_restrict_the_hits(http, page):
    other = next(a.id for a in page.articles if a.id != "flexible-workers-maternity")
    data = http.post("/api/v1/search", json={"question": QUESTION, "k": 5,
                                             "article_ids": [other]}).json()
    assert data["hits"] and {h["article_id"] for h in data["hits"]} == {other}
    answer = http.post("/api/v1/ask", json={"question": QUESTION, "article_ids": [other]}).json()
    assert {c["article_id"] for c in answer["citations"] + answer["closest"]} <= {other}
    refused = http.post("/api/v1/search", json={"question": QUESTION, "article_ids": ["nope"]})
    assert refused.status_code == 400 and "'nope'" in refused.json()["reason"]


def test_dates_and_sources_filter_before_ranking(http, page):
    """The search's filters (rag.Filters) through the JSON API: the bundled page is
    工人日报 of 2025-06-30, so a later date leaves nothing and a bad one is a 400."""
    same_day = http.post("/api/v1/search", json={"question": QUESTION, "since": "2025-06-30",
                                                 "source": ["工人日报"]}).json()
    assert same_day["hits"] and not same_day["abstained"]
    later = http.post("/api/v1/search", json={"question": QUESTION,
                                              "since": "2025年7月1日"}).json()
    assert later["abstained"] and later["no_article_matches_filters"] and not later["hits"]
    bad = http.post("/api/v1/ask", json={"question": QUESTION, "until": "30/6/2025"})
    assert bad.status_code == 400 and "until" in bad.json()["reason"]


def test_articles_and_one_article(http, page):
    listing = http.get("/api/v1/articles").json()
    assert listing["total"] == len(page.articles) == 4
    assert [a["id"] for a in listing["articles"]] == [a.id for a in page.articles]
    assert http.get("/api/v1/articles", params={"offset": 3}).json()["articles"] == \
        listing["articles"][3:]
    first = listing["articles"][0]
    article = http.get(f"/api/v1/articles/{first['id']}").json()
    assert article["title"] == first["title"] and article["date"] == "2025-06-30"
    for p in article["paragraphs"]:
        assert article["body"][p["start"]:p["end"]] == p["text"]
    missing = http.get("/api/v1/articles/no-such-article")
    assert missing.status_code == 404
    assert missing.json() == {"status": 404, "reason": "no article 'no-such-article' in the "
                              "index (GET /api/v1/articles lists them)"}


@pytest.mark.parametrize(("body", "reason"), [
    ({"question": QUESTION, "k": 0}, "k: input should be greater than or equal to 1 (got 0)"),
    ({"question": QUESTION, "k": 11}, "k: input should be less than or equal to 10 (got 11)"),
    ({"question": QUESTION, "k": "5"}, "k: input should be a valid integer (got '5')"),
    ({"question": 5}, "question: input should be a valid string (got 5)"),
    ({"k": 3}, "question: field required"),
    ({"question": "  "}, "question: the question is empty: ask a question"),
    ({"question": "问" * 501}, "question: the question is 501 characters long; the limit is 500"),
    ({"question": QUESTION, "mode": "fuzzy"}, "mode: input should be 'hybrid', 'dense' or "
                                               "'bm25' (got 'fuzzy')"),
    ({"question": QUESTION, "history": "灵活就业"}, "history: input should be a valid list "
                                                  "(got '灵活就业')"),
    ({"question": QUESTION, "top_k": 3}, "top_k: extra inputs are not permitted (got 3)"),
    ({"question": QUESTION, "article_ids": [""]}, "article_ids.0: string should have at least "
                                                  "1 character (got '')"),
    ([QUESTION], "the body must be a JSON object"),
])
def test_bad_input_is_a_400_that_says_why(http, body, reason):
    response = http.post("/api/v1/search", json=body)
    assert response.status_code == 400
    assert response.json()["status"] == 400
    assert response.json()["reason"].startswith(reason), response.json()


def test_bad_json_and_huge_bodies(http):
    bad = http.post("/api/v1/ask", content=b'{"question": ', headers={
        "Content-Type": "application/json"})
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["reason"]
    huge = json.dumps({"question": "问" * (10 * 2**20 // 3)}).encode()  # 10 MB
    response = http.post("/api/v1/ask", content=huge, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "the limit is 1,000,000 bytes" in response.json()["reason"]

    def streamed():  # no Content-Length: the body is counted as it arrives
        for _ in range(10):
            yield b" " * 2**20

    response = http.post("/api/v1/ask", content=streamed(),
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "over 1,000,000 bytes" in response.json()["reason"]
    assert http.post("/api/v1/ask", json={"question": QUESTION}).status_code == 200


def test_unknown_endpoint_and_method_are_json(http):
    missing = http.get("/api/v1/nothing")
    assert missing.status_code == 404 and "no such endpoint" in missing.json()["reason"]
    wrong = http.get("/api/v1/search")
    assert wrong.status_code == 405 and "GET is not allowed" in wrong.json()["reason"]


def test_openapi_schema_and_docs(http):
    schema = http.get("/openapi.json").json()
    assert set(schema["paths"]) == {"/api/v1/search", "/api/v1/ask", "/api/v1/articles",
                                    "/api/v1/articles/{article_id}", "/v1/models",
                                    "/v1/chat/completions"}
    k = schema["components"]["schemas"]["SearchRequest"]["properties"]["k"]
    assert (k["minimum"], k["maximum"]) == (1, 10)
    assert "swagger" in http.get("/docs").text.lower()


def test_a_busy_server_answers_503_with_retry_after(page):
    admission = limits.Admission(workers=1, queue=1, max_wait=0.2)
    demo, url = serve(page, admission=admission)
    try:
        with admission.slot():  # the only worker is taken
            response = httpx.post(f"{url}api/v1/ask", json={"question": QUESTION}, timeout=30)
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert response.json()["reason"].startswith("busy:")
        assert httpx.post(f"{url}api/v1/ask", json={"question": QUESTION},
                          timeout=30).status_code == 200
    finally:
        demo.close()


# -- login --------------------------------------------------------------------------


def test_with_a_login_the_api_wants_a_token(locked):
    ask = {"question": QUESTION}
    none = httpx.post(f"{locked}api/v1/ask", json=ask, timeout=30)
    assert none.status_code == 401 and none.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in none.json()["reason"]
    wrong = httpx.post(f"{locked}api/v1/ask", json=ask, timeout=30,
                       headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    basic = base64.b64encode(b"ann:secret").decode()
    for header in (f"Bearer {KEY}", "Bearer ann:secret", f"Basic {basic}"):
        response = httpx.post(f"{locked}api/v1/ask", json=ask, timeout=30,
                              headers={"Authorization": header})
        assert response.status_code == 200, header
    # The token is checked before the body is read.
    huge = httpx.post(f"{locked}api/v1/ask", content=b"x" * 2_000_000, timeout=30)
    assert huge.status_code == 401
    # The page keeps Gradio's own login.
    assert httpx.get(f"{locked}config", timeout=30).status_code == 401


# -- OpenAI-compatible ----------------------------------------------------------------


def test_the_openai_client_gets_the_quotes_and_references(url, page):
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}v1", api_key="unused", max_retries=0)
    assert [m.id for m in client.models.list()] == ["rag-news"]
    completion = client.chat.completions.create(
        model="rag-news", messages=[{"role": "system", "content": "Be brief."},
                                    {"role": "user", "content": QUESTION}])
    expected = answer_question(page, QUESTION)
    content = completion.choices[0].message.content
    assert content.startswith(expected.answer) and "来源" in content
    references = completion.model_extra["references"]
    assert [r["quote"] for r in references] == [c.quote for c in expected.citations]
    assert all(r["date"] == "2025-06-30" for r in references)
    assert completion.model_extra["abstained"] is False

    stream = client.chat.completions.create(
        model="rag-news", stream=True, messages=[{"role": "user", "content": QUESTION}])
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["references"] == references


def test_openai_follow_ups_and_refusals(url, locked, page):
    import openai

    client = openai.OpenAI(base_url=f"{url}v1", api_key="unused", max_retries=0)
    completion = client.chat.completions.create(model="rag-news", messages=[
        {"role": "user", "content": QUESTION}, {"role": "assistant", "content": "……"},
        {"role": "user", "content": [{"type": "text", "text": "作者是谁？"}]}])
    expected = answer_question(page, "作者是谁？", history=[QUESTION])
    assert completion.model_extra["references"][0]["author"] == expected.citations[0].author
    with pytest.raises(openai.BadRequestError, match="greater than or equal to 1"):
        client.chat.completions.create(model="rag-news", extra_body={"k": 0},
                                       messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.BadRequestError, match="the last message must be the user's"):
        client.chat.completions.create(model="rag-news", messages=[
            {"role": "user", "content": QUESTION}, {"role": "assistant", "content": "…"}])
    with pytest.raises(openai.PermissionDeniedError, match="wrong"):
        openai.OpenAI(base_url=f"{locked}v1", api_key="nope", max_retries=0).models.list()
    allowed = openai.OpenAI(base_url=f"{locked}v1", api_key=KEY, max_retries=0)
    assert [m.id for m in allowed.models.list()] == ["rag-news"]


# -- MCP ----------------------------------------------------------------------------


async def mcp_calls(endpoint: str, headers=None) -> dict:
    import httpx2
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async with httpx2.AsyncClient(headers=headers or {}, timeout=60) as client, \
            streamable_http_client(endpoint, http_client=client) as (read, write), \
            ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        out = {"tools": {t.name: t for t in tools}}
        out["ask"] = await session.call_tool("ask_articles", {"question": QUESTION})
        out["search"] = await session.call_tool("search_articles",
                                                {"question": QUESTION, "k": 2})
        out["list"] = await session.call_tool("list_articles", {})
        out["get"] = await session.call_tool("get_article",
                                             {"article_id": "flexible-workers-maternity"})
        out["bad_k"] = await session.call_tool("search_articles", {"question": QUESTION, "k": 0})
        out["missing"] = await session.call_tool("get_article", {"article_id": "nope"})
        return out


def test_an_mcp_client_session_gets_the_same_quotes(url, page):
    out = asyncio.run(mcp_calls(f"{url}mcp"))
    tools = out["tools"]
    assert set(tools) == {"search_articles", "ask_articles", "get_article", "list_articles"}
    k = tools["search_articles"].input_schema["properties"]["k"]
    assert (k["minimum"], k["maximum"]) == (1, 10)
    assert "citations" in tools["ask_articles"].output_schema["properties"]
    assert out["ask"].structured_content == answer_question(page, QUESTION).to_dict()
    # The tool's output schema is SearchOut: its keys are always there.
    expected = page.search(QUESTION, 2).to_dict(debug=True)
    assert out["search"].structured_content == {**expected, "no_article_matches_filters": False}
    assert out["list"].structured_content["total"] == 4
    assert out["get"].structured_content["author"] == "班小辉"
    assert out["bad_k"].is_error and "greater than or equal to 1" in out["bad_k"].content[0].text
    assert out["missing"].is_error and "no article 'nope'" in out["missing"].content[0].text


def test_mcp_with_a_login_wants_the_token(locked):
    out = asyncio.run(mcp_calls(f"{locked}mcp", {"Authorization": f"Bearer {KEY}"}))
    assert out["ask"].structured_content["citations"]
    refused = httpx.post(f"{locked}mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                         timeout=30)
    assert refused.status_code == 401


def test_rag_mcp_serves_an_index_over_stdio(tmp_path):
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    from tests.conftest import BUNDLED_CORPUS

    index = tmp_path / "index"
    rag.build_index(BUNDLED_CORPUS, index, encoder=rag.HashEncoder(), progress=False)
    expected = answer_question(rag.Retriever.load(index, progress=False), QUESTION).to_dict()
    params = StdioServerParameters(command=sys.executable,
                                   args=["-m", "rag", "mcp", "--index", str(index)],
                                   env={"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"},
                                   cwd=str(tmp_path))

    async def ask():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            names = {t.name for t in (await session.list_tools()).tools}
            return names, await session.call_tool("ask_articles", {"question": QUESTION})

    names, result = asyncio.run(ask())
    assert names == {"search_articles", "ask_articles", "get_article", "list_articles"}
    # Terms of one length come in set order, which differs between processes.
    got = result.structured_content
    assert sorted(got.pop("terms")) == sorted(expected.pop("terms")) and got == expected


LIGHT = """
import sys

class Absent:  # the packages `make run` does not install
    names = {"torch", "sentence_transformers", "transformers", "pymilvus", "milvus_lite", "ray",
             "pytest", "openai", "matplotlib", "reportlab", "sklearn", "playwright", "onnxruntime"}

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ImportError(f"{name} is not installed (light install)")

sys.meta_path.insert(0, Absent())
import httpx, rag, ui
index, port = sys.argv[1], int(sys.argv[2])
retriever = rag.Retriever.load(index, progress=False)
demo = ui.create_app(retriever)
demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
            **ui.launch_options(), **ui.api_options(retriever))
data = httpx.post(f"http://127.0.0.1:{port}/api/v1/ask", timeout=60,
                  json={"question": "灵活就业人员能领生育津贴吗？"}).json()
tools = httpx.post(f"http://127.0.0.1:{port}/mcp", timeout=60,
                   json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                   headers={"Accept": "application/json, text/event-stream"})
print("RESULT", len(data["citations"]), tools.status_code)
demo.close()
"""


def test_the_chat_and_its_api_run_without_what_make_run_leaves_out(tmp_path):
    """`make run` installs no torch, Milvus, Ray or test tools: the app, its
    API and MCP must start and answer without them."""
    import subprocess

    from tests.conftest import BUNDLED_CORPUS

    index = tmp_path / "index"
    rag.build_index(BUNDLED_CORPUS, index, encoder=rag.HashEncoder(), progress=False)
    done = subprocess.run([sys.executable, "-c", LIGHT, str(index), str(test_ui.free_port())],
                          capture_output=True, text=True, timeout=300, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1",
                               "GRADIO_ANALYTICS_ENABLED": "False"})
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT"))
    citations, mcp_status = line.split()[1:]
    assert int(citations) > 0 and mcp_status == "200"


@pytest.mark.slow
def test_the_issues_curl_line_answers_with_the_real_model(real_retriever):
    """The default model over the bundled page: POST /api/v1/ask with the
    issue's question gives, in one step, the quotes that answer it."""
    demo, url = serve(real_retriever)
    try:
        data = httpx.post(f"{url}api/v1/ask", timeout=120,
                          json={"question": "灵活就业人员能领生育津贴吗？"}).json()
    finally:
        demo.close()
    assert not data["abstained"] and data["citations"]
    first = data["citations"][0]
    assert first["article_id"] == "flexible-workers-maternity"
    assert "生育津贴" in first["quote"] and first["quote"] in data["answer"].replace("\\", "")
