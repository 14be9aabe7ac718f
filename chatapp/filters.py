"""The chat's search filters (设置): dates, paper, author, articles, read
from the settings' boxes into a rag Filters, with the reader's mistakes
said in Chinese."""

from __future__ import annotations

from rag import Filters
from rag.search.filters import parse_date

DATE_HINT = "2025-07-01、2025/7/1 或 2025年7月1日"


def filter_settings(choices):
    """The filter boxes of the 设置 panel (inside a Gradio Blocks): since,
    until, source, author and a pick of articles (`choices`: (title, id))."""
    import gradio as gr

    with gr.Row():
        since = gr.Textbox(label="起始日期", placeholder="2025-07-01", elem_id="since")
        until = gr.Textbox(label="截止日期", placeholder="2025年7月31日", elem_id="until")
    with gr.Row():
        source = gr.Textbox(label="来源（报纸）", placeholder="工人日报", elem_id="source")
        author = gr.Textbox(label="作者", placeholder="多个用逗号分开", elem_id="author")
    picked = gr.Dropdown(choices, multiselect=True, label="只在这些文章中检索",
                         elem_id="only-articles")
    return since, until, source, author, picked


def from_settings(since: str = "", until: str = "", source: str = "", author: str = "",
                  articles=None) -> Filters:
    """Filters from the settings' values; a ValueError in Chinese when a date
    cannot be read or the range is empty."""
    days = []
    for label, value in (("起始日期", since), ("截止日期", until)):
        try:
            days.append(parse_date(value))
        except ValueError:
            raise ValueError(f"{label}“{str(value).strip()}”不是日期，请写成 {DATE_HINT}。") \
                from None
    if days[0] and days[1] and days[0] > days[1]:
        raise ValueError(f"起始日期 {days[0]} 晚于截止日期 {days[1]}，没有这样的日期范围。")
    return Filters.from_mapping({"since": days[0], "until": days[1], "source": source or None,
                                 "author": author or None, "article": list(articles or ())})
