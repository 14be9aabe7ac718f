"""What the chat says, in the question's language: an English question gets
English labels and messages, with the Chinese quotes kept verbatim."""

from __future__ import annotations

from rag import ABSTAIN_MESSAGE, LOW_RELEVANCE, UNSURE_MESSAGE

LABELS = {
    "zh": {
        "lang": "zh",
        "sources": "来源",
        "paragraph": "第{n}段",
        "byline": "署名",
        "headline": "标题",
        "context": "在原文中查看上下文",
        "cite": "引用",
        "copy": "复制引用",
        "copied": "已复制",
        "source_n": "来源 {n}",
        "open_source": "查看原文段落",
        "unmentioned": "以下段落未提及{names}。",
        "quote_open": "“",
        "quote_close": "”",
        "list_sep": "、",
        "searching": "正在检索…",
        "abstain": ABSTAIN_MESSAGE,
        "unsure": UNSURE_MESSAGE,
        "low": LOW_RELEVANCE,
        "you": "你的问题",
        "answer": "回答",
        # the upload on the 文章 tab
        "upload": "添加文章",
        "upload_hint": "把文件拖到下面或点一下选择，可以一次选多个：{types}，每个不超过 {limit}。",
        "reading": "正在读取 {n} 个文件…",
        "embedding passages": "正在计算段落向量",
        "tokenizing passages": "正在分词",
        "building the vector index": "正在建立向量索引",
        "opening the new index": "正在载入新的索引…",
        "unit": "段",
        "added": "已添加 {n} 篇文章，现在就可以提问。",
        "added_none": "没有添加文章。",
        "saved_as": "保存为 {file}",
        "passages": "{n} 段",
        "already": "已在文库中，未重复添加",
        "same_as": "与 {file} 中的《{title}》相同",
        "not_added": "未添加",
        "bad_type": "不支持的文件类型 {suffix}，可以添加 {types} 文件",
        "no_suffix": "文件没有扩展名，可以添加 {types} 文件",
        "too_big": "文件有 {size}，超过单个文件 {limit} 的上限",
        "failed": "未能添加（{reason}），文库没有改变。",
        "not_opened": "文章已添加，但新的索引未能打开（{reason}）；重启应用后即可检索。",
        "count": "共 {total} 篇。",
        "count_some": "共 {total} 篇，列出前 {n} 篇。",
        # adding a web page by its address (文章 tab)
        "url": "网页地址",
        "url_placeholder": "https://…（抓取该网页上的文章，遵守网站的 robots.txt）",
        "url_button": "抓取并添加",
        "fetching": "正在抓取网页…",
        "fetch_failed": "未能抓取 {url}：{reason}。",
    },
    "en": {
        "lang": "en",
        "sources": "Sources",
        "paragraph": "para. {n}",
        "byline": "byline",
        "headline": "headline",
        "context": "Show in the article",
        "cite": "Cite",
        "copy": "Copy citations",
        "copied": "Copied",
        "source_n": "Source {n}",
        "open_source": "Open the passage",
        "unmentioned": "The passages below do not mention {names}.",
        "quote_open": "“",
        "quote_close": "”",
        "list_sep": ", ",
        "searching": "Searching…",
        "abstain": "The articles in this collection do not cover this question.",
        "unsure": "These quotes may not answer the question directly: check them.",
        "low": "Closest passages (low relevance: not an answer, for reference only)",
        "you": "Your question",
        "answer": "Answer",
        "upload": "Add articles",
        "upload_hint": "Drop files below or click to choose, several at once: {types}, "
                       "at most {limit} each.",
        "reading": "Reading the files ({n})…",
        "embedding passages": "Embedding passages",
        "tokenizing passages": "Tokenizing passages",
        "building the vector index": "Building the vector index",
        "opening the new index": "Opening the new index…",
        "unit": "passages",
        "added": "Articles added: {n}. Ask about them now.",
        "added_none": "No article was added.",
        "saved_as": "saved as {file}",
        "passages": "{n} passages",
        "already": "Already in the library, not added again",
        "same_as": "same as 《{title}》 in {file}",
        "not_added": "Not added",
        "bad_type": "{suffix} files are not read; add {types} files",
        "no_suffix": "a file without a suffix is not read; add {types} files",
        "too_big": "the file is {size}, over the {limit} limit for one file",
        "failed": "Nothing was added ({reason}); the library is unchanged.",
        "not_opened": "The articles were added, but the new index could not be opened "
                      "({reason}); restart the app to search them.",
        "count": "{total} articles.",
        "count_some": "{total} articles; the first {n} are listed.",
        "url": "Web address",
        "url_placeholder": "https://… (fetches the article on that page; robots.txt is respected)",
        "url_button": "Fetch and add",
        "fetching": "Fetching the page…",
        "fetch_failed": "Could not fetch {url}: {reason}.",
    },
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["zh"])


def language_of(text: str) -> str:
    """"en" for a message without Chinese characters (as rag's Query reads it),
    for what is shown before the answer is there."""
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"
