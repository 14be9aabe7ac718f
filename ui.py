"""Chat over the bundled newspaper articles: `python ui.py`, then open http://127.0.0.1:7860.

A thin shell: retrieval and answer building live in `rag`; this file only lays
out the page and turns an `Answer` into escaped HTML.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import threading
import time

from rag import (
    LOW_RELEVANCE,
    Answer,
    Citation,
    answer_question,
    citation_line,
    escape_markdown,
    normalize,
)

TITLE = "报纸文章问答"
INTRO = (
    "用中文（简体或繁體）或英文提问。回答只摘录文章原句，每句后面的 [1]、[2] 对应下方的出处；"
    "点开出处可以在原文上下文中核对。文章里没有答案时会直说。"
)
EXAMPLES = [
    "灵活就业人员能领生育津贴吗？",
    "职业院校应该健全什么导师制度？",
    "如何評價職業院校學生的能力？",
    "What should the revision of the Social Insurance Law make clear?",
]
MODE_CHOICES = [("混合（推荐）", "hybrid"), ("语义", "dense"), ("关键词", "bm25")]
CSS = """
.src{border-left:3px solid #d0d7de;padding:2px 10px;margin:10px 0}
.src blockquote{margin:4px 0;padding:0;border:none}
mark{background:#ffe58f;color:inherit}
.src strong,.low strong{background:#d6e4ff;font-weight:600}
.ctx p{margin:4px 0}.ctx .here{background:#f6f8fa}
.cite{font-size:90%;color:#57606a;user-select:all}
.low{opacity:.85}
@media (max-width:640px){.gradio-container{padding:4px !important}}
"""


MAX_LISTED = 500  # articles listed in the 文章 tab


# -- rendering -------------------------------------------------------------------


def highlight(text: str, terms=(), quote: str = "") -> str:
    """Escaped `text` with `quote` in <mark> and the question's words (`terms`,
    normalised, longest first) in <strong>."""
    flags = [[False, False] for _ in text]
    at = text.find(quote) if quote else -1
    for i in range(max(at, 0), at + len(quote) if at >= 0 else 0):
        flags[i][0] = True
    norm = normalize(text)
    if terms and len(norm) == len(text):  # offsets only line up when lengths agree
        for term in terms:
            for m in re.finditer(re.escape(term), norm):
                for i in range(m.start(), m.end()):
                    flags[i][1] = True
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and flags[j] == flags[i]:
            j += 1
        piece = html.escape(text[i:j])
        if flags[i][1]:
            piece = f"<strong>{piece}</strong>"
        if flags[i][0]:
            piece = f"<mark>{piece}</mark>"
        out.append(piece)
        i = j
    return "".join(out)


def _context(retriever, c: Citation, terms) -> str:
    """The cited paragraph between its neighbours, so the quote can be checked."""
    article = retriever.article(c.article_id)
    if c.kind == "byline":
        return "".join(f"<p>{html.escape(line)}</p>" for line in c.text.splitlines())
    paragraphs = article.paragraphs()
    rows = []
    for p in paragraphs[max(c.paragraph - 2, 0) : c.paragraph + 1]:
        here = p.number == c.paragraph
        body = highlight(p.text, terms, c.quote) if here else html.escape(p.text)
        rows.append(f'<p class="{"here" if here else ""}">【第{p.number}段】{body}</p>')
    return "".join(rows)


def _source_html(retriever, c: Citation, terms) -> str:
    article = retriever.article(c.article_id)
    where = f"第{c.paragraph}段" if c.paragraph else ""
    head = " · ".join(html.escape(x) for x in (f"《{c.title}》", c.author, c.section, where) if x)
    return (
        f'<div class="src"><p><b>[{c.n}]</b> {head}</p>'
        f"<blockquote>{highlight(c.text, terms, c.quote)}</blockquote>"
        f"<details><summary>在原文中查看上下文</summary>"
        f'<div class="ctx">{_context(retriever, c, terms)}</div></details>'
        f'<p class="cite">{html.escape(citation_line(c, article))}</p></div>'
    )


def render_answer(retriever, answer: Answer) -> str:
    """One chat message: the quoted answer, then its sources (all text escaped).

    HTML is kept on one line: a blank line or indentation would hand the rest
    back to the markdown renderer."""
    parts = [answer.answer, "\n\n"]
    if answer.abstained:
        if answer.closest:
            items = "".join(
                f"<li>{html.escape(h.citation)}：{highlight(h.text, answer.terms)}</li>"
                for h in answer.closest
            )
            parts.append(
                f'<details class="low"><summary>{LOW_RELEVANCE}</summary><ul>{items}</ul></details>'
            )
        return "".join(parts)
    parts.append("<b>出处</b>")
    parts += [_source_html(retriever, c, answer.terms) for c in answer.citations]
    return "".join(parts)


def article_html(retriever, article_id: str | None) -> str:
    if not article_id:
        return "<p>从上面的列表中选择一篇文章。</p>"
    a = retriever.article(article_id)
    meta = " · ".join(html.escape(x) for x in (a.author, a.affiliation, a.date, a.source) if x)
    rows = [f"<h3>{html.escape(a.title)}</h3>", f"<p><i>{meta}</i></p>"]
    if a.deck:
        rows.append(f"<blockquote>{html.escape(a.deck)}</blockquote>")
    section = ""
    for p in a.paragraphs():
        if p.section and p.section != section:
            section = p.section
            rows.append(f"<h4>{html.escape(section)}</h4>")
        rows.append(f"<p>【第{p.number}段】{html.escape(p.text)}</p>")
    return "".join(rows)


# -- the app ---------------------------------------------------------------------


def create_app(retriever):
    import gradio as gr

    def ask(question: str, k: int = 5, mode: str = "hybrid",
            history: list[str] | None = None) -> dict:
        """Answer a question with quoted sentences and citations (JSON)."""
        return answer_question(retriever, question, k=int(k), mode=mode,
                               history=history or ()).to_dict()

    def respond(message, chat, asked, k, mode):
        message = (message or "").strip()
        if not message:
            gr.Warning("请先输入一个问题。")
            return chat, asked, message, gr.skip()
        # Earlier questions come from state, not the chat: the chat holds escaped text.
        answer = answer_question(retriever, message, k=int(k), mode=mode, history=asked)
        cites = "\n".join(
            citation_line(c, retriever.article(c.article_id)) for c in answer.citations
        )
        chat = list(chat or []) + [
            {"role": "user", "content": escape_markdown(message)},
            {"role": "assistant", "content": render_answer(retriever, answer)},
        ]
        return chat, [*asked, message], "", cites

    # A big archive is searched, not browsed: list the first articles only,
    # so the page stays small and opening it does not parse every article.
    listed = retriever.articles[:MAX_LISTED]
    rows = [[a.title, a.author, a.affiliation, a.date, a.source] for a in listed]
    shown = (f"共 {len(retriever.articles)} 篇，列出前 {MAX_LISTED} 篇。"
             if len(retriever.articles) > MAX_LISTED else f"共 {len(retriever.articles)} 篇。")
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"## {TITLE}\n{INTRO}")
        asked = gr.State([])  # this session's questions, as typed
        with gr.Tab("问答"):
            chatbot = gr.Chatbot(label="对话", height=560, buttons=["copy"], elem_id="chat",
                                 placeholder="在下面输入问题，或点一个示例问题。")
            with gr.Row(equal_height=True):
                box = gr.Textbox(show_label=False, scale=5, elem_id="question", autofocus=True,
                                 placeholder="输入问题后按回车（中文、繁體或 English）")
                send = gr.Button("提问", variant="primary", scale=1, min_width=80)
                clear = gr.Button("清空对话", scale=1, min_width=80)
            gr.Examples(EXAMPLES, inputs=box, label="示例问题")
            cites = gr.Textbox(label="引用（纯文本，可复制）", lines=2, interactive=False,
                               buttons=["copy"], elem_id="cites")
            with gr.Accordion("设置", open=False):
                k = gr.Slider(1, 10, value=5, step=1, label="检索的段落数")
                mode = gr.Radio(MODE_CHOICES, value="hybrid", label="检索方式")
        with gr.Tab("文章"):
            gr.Markdown(shown)
            gr.Dataframe(rows, headers=["标题", "作者", "单位", "日期", "来源"],
                         interactive=False, wrap=True)
            pick = gr.Dropdown([(a.title, a.id) for a in listed], label="查看全文")
            full = gr.HTML(article_html(retriever, None))
        pick.change(lambda i: article_html(retriever, i), pick, full, api_visibility="private")
        for event in (box.submit, send.click):
            event(respond, [box, chatbot, asked, k, mode], [chatbot, asked, box, cites],
                  api_visibility="private")
        clear.click(lambda: ([], [], "", ""), None, [chatbot, asked, box, cites],
                    api_visibility="private")
        chatbot.clear(lambda: ([], ""), None, [asked, cites], api_visibility="private")
        gr.api(ask, api_name="ask")
    return demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=f"{TITLE}: a chat over the article corpus")
    parser.add_argument("--index", default="index", help="index folder (built if missing/stale)")
    parser.add_argument("--corpus", default="corpus", help="corpus folder to index")
    parser.add_argument("--model", default=None, help="embedding model (default: bundled)")
    parser.add_argument("--backend", choices=("torch", "onnx"),
                        default=os.environ.get("RAG_BACKEND") or "torch",
                        help="run the model with torch or ONNX Runtime (faster, same vectors)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--share", action="store_true", help="public Gradio link (off by default)")
    args = parser.parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

    from rag import Retriever

    started = time.perf_counter()
    print(f"Loading the index at {args.index} (building it from {args.corpus} if needed)…",
          file=sys.stderr, flush=True)
    retriever = Retriever.load(args.index, corpus=args.corpus, model=args.model, progress=True,
                               backend=args.backend)
    print(f"Ready: {len(retriever.articles)} articles, {time.perf_counter() - started:.1f}s.",
          file=sys.stderr, flush=True)
    # While the page loads, so that the first questions do not wait ~3 s.
    threading.Thread(target=retriever.warm_up, name="rag-warm-up", daemon=True).start()
    create_app(retriever).launch(server_name=args.host, server_port=args.port, share=args.share,
                                 css=CSS)


if __name__ == "__main__":
    main()
