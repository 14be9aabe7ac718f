"""The collections of one Milvus index and the few ways we touch them.

    <name>_passages  pk (a 63-bit hash of the passage id), article_id, start, end,
                     paragraph, section, key (content hash of the embedded text),
                     dense vector; own BM25: dl (tokens) and sparse (BM25 weights);
                     Milvus BM25: text (the search text) and bm25 (its function's output)
    <name>_articles  the articles for citations: pk (hash of id and part), id, part,
                     seq (place in the corpus), author, affiliation, fingerprint, data
                     (the Article as JSON, cut into parts: a VARCHAR holds at most
                     65,535 bytes)
    <name>_vocab     own BM25 only: token (pk), id (its sparse dimension), df

The manifest, the BM25 statistics and the corpus stamp are properties of
the passages collection, so the index needs nothing outside Milvus.
Milvus wants a vector field in every collection: the articles and the
vocabulary carry a two-number placeholder.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

PASSAGE_FIELDS = ("article_id", "start", "end", "paragraph", "section")
FILTER_FIELDS = ("date", "source")  # articles collections made before filters lack them
MAX_ID_BYTES = 4096
MAX_TEXT_BYTES = 65_535
MAX_TOKEN_BYTES = 512  # a longer "word" (a URL, a run of digits) is not indexed
STUB = "stub"
STUB_VECTOR = [0.0, 1.0]
HNSW = {"M": 32, "efConstruction": 80}  # as the FAISS graph (faiss_store.py)
PAGE = 1000  # rows a call, when reading or writing many


def row_key(*parts) -> int:
    """A stable 63-bit primary key: positive int64, uniform, so that
    `pk < x` picks a random share of the rows."""
    text = "\x00".join(map(str, parts))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


def literal(value: str) -> str:
    """`value` as a string literal of a Milvus filter expression (pymilvus's
    filter templates are not served by milvus-lite)."""
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise ValueError(f"{value!r} holds control characters")
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def one_of(field: str, values) -> str:
    """The filter `field in [...]` for strings or ints."""
    items = [literal(v) if isinstance(v, str) else str(int(v)) for v in values]
    return f"{field} in [{', '.join(items)}]"


def _analyzer() -> dict:
    """Milvus's jieba tokenizer (search mode, its default) without the
    question scaffolding our own tokenizer drops, nor punctuation (the stop
    filter is in Milvus 2.5+; `removepunct` only in newer releases)."""
    from ...text import STOPWORDS

    punctuation = list("，。、；：？！“”‘’（）《》〈〉【】「」『』…—·,.;:?!\"'()[]<>-")
    return {"tokenizer": "jieba",
            "filter": [{"type": "stop", "stop_words": sorted(STOPWORDS) + punctuation}]}


def create_passages(client, name: str, dim: int, bm25: str) -> None:
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("article_id", DataType.VARCHAR, max_length=MAX_ID_BYTES)
    for field in ("start", "end", "paragraph"):
        schema.add_field(field, DataType.INT32)
    schema.add_field("section", DataType.VARCHAR, max_length=MAX_ID_BYTES)
    schema.add_field("key", DataType.VARCHAR, max_length=64)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    index = client.prepare_index_params()
    index.add_index("dense", index_type="HNSW", metric_type="IP", params=HNSW)
    index.add_index("article_id", index_type="INVERTED")
    if bm25 == "own":
        schema.add_field("dl", DataType.INT32)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    else:
        from ..keywords import BM25_PARAMS

        schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT_BYTES,
                         enable_analyzer=True, analyzer_params=_analyzer())
        schema.add_field("bm25", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                     input_field_names=["text"], output_field_names=["bm25"]))
        index.add_index("bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                        params={"bm25_k1": BM25_PARAMS["k1"], "bm25_b": BM25_PARAMS["b"]})
    client.create_collection(name, schema=schema, index_params=index)


def create_articles(client, name: str) -> None:
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("id", DataType.VARCHAR, max_length=MAX_ID_BYTES)
    schema.add_field("part", DataType.INT32)
    schema.add_field("seq", DataType.INT64)  # its place in the corpus (the listing's order)
    schema.add_field("author", DataType.VARCHAR, max_length=MAX_ID_BYTES)
    schema.add_field("affiliation", DataType.VARCHAR, max_length=MAX_ID_BYTES)
    for field in FILTER_FIELDS:  # what search filters read without parsing articles
        schema.add_field(field, DataType.VARCHAR, max_length=MAX_ID_BYTES)
    schema.add_field("fingerprint", DataType.VARCHAR, max_length=64)
    schema.add_field("data", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)
    schema.add_field(STUB, DataType.FLOAT_VECTOR, dim=len(STUB_VECTOR))
    index = client.prepare_index_params()
    index.add_index(STUB, index_type="FLAT", metric_type="IP")
    index.add_index("id", index_type="INVERTED")
    client.create_collection(name, schema=schema, index_params=index)


def create_vocab(client, name: str) -> None:
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False)
    schema.add_field("token", DataType.VARCHAR, is_primary=True, max_length=MAX_TOKEN_BYTES)
    schema.add_field("id", DataType.INT64)
    schema.add_field("df", DataType.INT64)
    schema.add_field(STUB, DataType.FLOAT_VECTOR, dim=len(STUB_VECTOR))
    index = client.prepare_index_params()
    index.add_index(STUB, index_type="FLAT", metric_type="IP")
    index.add_index("id", index_type="INVERTED")
    client.create_collection(name, schema=schema, index_params=index)


def article_rows(article, fingerprint: str, seq: int, *, filters: bool = True) -> list[dict]:
    """An article as rows of the articles collection (its JSON cut into parts
    under Milvus's VARCHAR limit, at character boundaries)."""
    data = json.dumps(article.to_dict(), ensure_ascii=False)
    parts, start = [], 0
    while start < len(data) or not parts:
        end = start + MAX_TEXT_BYTES // 4  # UTF-8: at most 4 bytes a character
        parts.append(data[start:end])
        start = end
    extra = {f: capped(getattr(article, f)) for f in FILTER_FIELDS} if filters else {}
    return [{"pk": row_key(article.id, n), "id": article.id, "part": n, "seq": seq,
             "author": capped(article.author), "affiliation": capped(article.affiliation),
             **extra, "fingerprint": fingerprint, "data": part, STUB: STUB_VECTOR}
            for n, part in enumerate(parts)]


def has_fields(client, name: str, fields) -> bool:
    described = client.describe_collection(name)
    return set(fields) <= {f["name"] for f in described.get("fields", ())}


def capped(text: str) -> str:
    """`text` cut to fit a short VARCHAR field (bylines, section headings:
    one longer than 4 KB is cut)."""
    data = text.encode()
    return text if len(data) <= MAX_ID_BYTES else data[:MAX_ID_BYTES].decode(errors="ignore")


def query_all(client, name: str, *, expected: int, fields: list[str], filter: str = "",
              below: int = 2**63):
    """Every row with `pk < below` matching `filter`, a page at a time (an
    iterator of lists of rows). Keys are uniform hashes, so cutting the key
    range into `expected / PAGE` slices gives pages of about PAGE rows.
    (Not pymilvus's query iterator: milvus-lite cannot serve the timestamp
    it asks for first, and logs a traceback for it.)"""
    slices = max(1, -(-int(expected) * below // 2**63 // PAGE))
    bounds = [below * i // slices for i in range(slices + 1)]
    for low, high in zip(bounds, bounds[1:], strict=False):
        condition = f"pk >= {low}" + (f" and pk < {high}" if high < 2**63 else "")
        if filter:
            condition = f"({condition}) and ({filter})"
        yield client.query(name, filter=condition, output_fields=fields)


def query_in(client, name: str, field: str, values, *, fields: list[str], extra: str = "",
             page: int = PAGE):
    """Rows whose `field` is one of `values`, asked for `page` values at a time."""
    values = list(values)
    out = []
    for start in range(0, len(values), page):
        condition = one_of(field, values[start : start + page])
        if extra:
            condition = f"({condition}) and ({extra})"
        out += client.query(name, filter=condition, output_fields=fields)
    return out


def sparse_dict(value) -> dict[int, float]:
    """A sparse vector as pymilvus hands it back (a dict, or a scipy row)."""
    if isinstance(value, dict):
        return {int(k): float(v) for k, v in value.items()}
    row = value.tocoo()
    return {int(k): float(v) for k, v in zip(row.col, row.data, strict=True)}


def as_vectors(rows: list[dict], field: str = "dense") -> np.ndarray:
    return np.asarray([r[field] for r in rows], dtype=np.float32)
