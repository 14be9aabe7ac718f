"""Why a file was not added, in the reader's language: the loaders state
their reasons in English (the CLI's language); the Chinese panel shows them
in Chinese. A reason not listed here is shown as the loader wrote it."""

from __future__ import annotations

import re

# (the loader's English, in a pattern; the Chinese, with the pattern's groups)
_ZH = (
    (r"the PDF is encrypted", "PDF 设有密码（已加密），请另存一份不加密的副本再添加"),
    (r"not a readable PDF", "不是可以读取的 PDF（文件已损坏，或并不是 PDF）"),
    (r"no text found: the PDF has no text layer and OCR read nothing",
     "PDF 没有文字层，文字识别（OCR）也没有读出文字：页面是空白的，或只有图片"),
    (r"no text found in the image", "文字识别（OCR）没有在图片中读出文字"),
    (r"not a readable image", "不是可以读取的图片（文件已损坏，或并不是图片）"),
    (r"reading it needs OCR", "这是扫描件，识别文字需要 rapidocr 组件，但本机没有安装"),
    (r"page (\d+): its fonts have no Unicode map",
     "第 {0} 页的字体没有文字编码表，读出的文字会是乱码"),
    (r"the PDF has no pages", "PDF 没有页面"),
    (r"no text left once running heads", "去掉页眉、页脚和页码后没有正文"),
    (r"only (\d+%) of the PDF's (\d+) characters were indexed",
     "PDF 中共 {1} 字，只收录了 {0}"),
    (r"(\S+\.page\.yaml): (.*)", "页面说明文件 {0} 与页面不符（{1}）"),
    (r"does not look like a scanned page",
     "看起来不是扫描的页面（是照片，或根本不是图片）：只有印着文字的页面图片才会识别"),
    (r"file is empty", "文件是空的"),
    (r"no such file or folder", "文件或文件夹不存在"),
    (r"looks like a binary file", "看起来是二进制文件，不是文本"),
    (r"not UTF-8 or GBK/GB18030 text", "不是 UTF-8 或 GBK/GB18030 编码的文本"),
)


def reason_text(reason: str, language: str = "zh") -> str:
    """`reason` for a reader of `language`."""
    if language != "zh":
        return reason
    for pattern, zh in _ZH:
        m = re.search(pattern, reason)
        if m:
            return zh.format(*m.groups())
    return reason
