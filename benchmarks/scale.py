"""The synthetic scale curve of benchmarks/speed.py: corpora of 10k-1M passages.

Real text cannot be embedded a million times on two cores, so:
- passages are 2-5 real sentences (seed corpus + CMRC) drawn at random and
  joined, 10 passages an article;
- a passage's vector is the renormalised mean of its sentences' real
  embeddings. m3e-small mean-pools its tokens, so this is close to what the
  model would give the joined text (cosine 0.92 on average, measured on 200
  such passages), and, unlike noisy copies of a few hundred real vectors, it
  gives a corpus where nearest neighbours are distinct passages, as in a real
  archive. `--vectors noisy-copies` keeps the old generator as a stress test;
- BM25 tokens: each distinct sentence is tokenized once and a passage gets its
  sentences' tokens; the time full tokenization would take is extrapolated
  from the measured rate on real passages.
Search latency excludes the query encoding: the Retriever gets an encoder
that returns the question's precomputed real embedding.
"""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

import numpy as np
from bench_common import FixedEncoder, dir_mb, profile_search, rss_mb, summary_ms


def synth_corpus(n: int, sentences: list[str], rng, per_article: int = 10):
    """n passages, each 2-5 random real sentences joined; 10 passages an article."""
    from rag.types import Article, Chunk, chunk_id

    counts = rng.integers(2, 6, size=n)
    picks = rng.integers(0, len(sentences), size=int(counts.sum()))
    articles, chunks, sentence_ids = [], [], []
    pos = 0
    for a0 in range(0, n, per_article):
        aid = f"syn-{a0 // per_article:07d}"
        body_parts, offset = [], 0
        for i in range(a0, min(n, a0 + per_article)):
            ids = picks[pos : pos + counts[i]]
            pos += counts[i]
            text = "".join(sentences[j] for j in ids)
            if body_parts:
                offset += 2
            chunks.append(Chunk(id=chunk_id(aid, offset, offset + len(text)), article_id=aid,
                                text=text, start=offset, end=offset + len(text),
                                paragraph=i - a0 + 1))
            sentence_ids.append(ids)
            body_parts.append(text)
            offset += len(text)
        articles.append(
            Article(id=aid, title=f"合成文章{a0 // per_article}", body="\n\n".join(body_parts))
        )
    return articles, chunks, sentence_ids


def sentence_mean_vectors(sentence_ids, sentence_vectors: np.ndarray) -> np.ndarray:
    """Row i = the renormalised mean of passage i's sentence embeddings."""
    out = np.empty((len(sentence_ids), sentence_vectors.shape[1]), dtype=np.float32)
    for i, ids in enumerate(sentence_ids):
        out[i] = sentence_vectors[ids].sum(axis=0)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def noisy_copy_vectors(n: int, pool: np.ndarray, noise: float, rng) -> np.ndarray:
    """Stress test: real passage embeddings drawn with replacement plus
    Gaussian noise of norm ~`noise`, renormalised. Each query then has
    hundreds of near-identical neighbours, which no approximate index ranks
    the way exact search does."""
    rows = pool[rng.integers(0, len(pool), size=n)]
    rows = rows + rng.normal(0.0, noise / np.sqrt(pool.shape[1]), size=rows.shape)
    rows = rows.astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def exact_topk(vectors: np.ndarray, queries: np.ndarray, k: int,
               block: int = 200_000) -> np.ndarray:
    """Exact inner-product top-k by brute force (IndexFlatIP's answer), blockwise."""
    best_s = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(queries), 0), dtype=np.int64)
    for s in range(0, len(vectors), block):
        sims = queries @ vectors[s : s + block].T
        kk = min(k, sims.shape[1])
        part = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        cand_s = np.concatenate([best_s, np.take_along_axis(sims, part, 1)], axis=1)
        cand_i = np.concatenate([best_i, part + s], axis=1)
        order = np.argsort(-cand_s, axis=1)[:, :k]
        best_s = np.take_along_axis(cand_s, order, 1)
        best_i = np.take_along_axis(cand_i, order, 1)
    return best_i


def synth_mentions(sentences: list[str], sentence_ids):
    """Typed mentions of synthetic passages: each pool sentence is tagged once
    and a passage's are its sentences' (tagging a million passages one by one
    would take hours)."""
    from rag.index.mentions import Mentions, mask_of
    from rag.text import fold

    masks = [mask_of(fold(s)) for s in sentences]
    rows = []
    for ids in sentence_ids:
        own = [masks[j] for j in ids]
        passage = 0
        for m in own:
            passage |= m
        rows.append((passage, own))
    return Mentions.of(rows)


def worker_scale_build(spec: dict) -> dict:
    """Generate a synthetic index of n passages and save it as `rag build` would."""
    import bm25s

    from rag.index import ChunkParams, StoredIndex, save_index, search_text
    from rag.index.build import RECIPE
    from rag.index.faiss_store import FaissStore, choose_index_type
    from rag.index.keywords import BM25_PARAMS
    from rag.index.manifest import FORMAT_VERSION, content_key
    from rag.text import tokenize

    n = spec["n"]
    rng = np.random.default_rng(spec.get("seed", 0))
    work = Path(spec["workdir"])
    sentences = json.loads((work / "sentences.json").read_text(encoding="utf-8"))
    qvecs = np.load(work / "query_vectors.npy")
    timings = {}
    t = time.perf_counter()
    articles, chunks, sentence_ids = synth_corpus(n, sentences, rng)
    if spec["vectors"] == "noisy-copies":
        vectors = noisy_copy_vectors(n, np.load(work / "pool_vectors.npy"), spec["noise"], rng)
    else:
        vectors = sentence_mean_vectors(sentence_ids, np.load(work / "sentence_vectors.npy"))
    timings["generate_s"] = time.perf_counter() - t

    by_id = {a.id: a for a in articles}
    sample = chunks[: min(n, spec.get("tokenize_sample", 3000))]
    t = time.perf_counter()
    for c in sample:
        tokenize(search_text(c, by_id[c.article_id]))
    rate = len(sample) / (time.perf_counter() - t)
    t = time.perf_counter()
    sent_tokens = [tokenize(s) for s in sentences]
    corpus_tokens = [[tok for j in ids for tok in sent_tokens[j]] for ids in sentence_ids]
    timings["tokens_from_cache_s"] = time.perf_counter() - t
    t = time.perf_counter()
    bm25 = bm25s.BM25(**BM25_PARAMS)
    bm25.index(corpus_tokens, show_progress=False)
    timings["bm25_index_s"] = time.perf_counter() - t
    del corpus_tokens, by_id
    gc.collect()

    index_type = spec.get("index_type") or choose_index_type(n)
    t = time.perf_counter()
    store = FaissStore.create(int(vectors.shape[1]), index_type)
    store.add(vectors)
    timings["faiss_build_s"] = time.perf_counter() - t
    t = time.perf_counter()
    np.save(work / f"truth-{n}.npy", exact_topk(vectors, qvecs, 10))
    timings["exact_topk_s"] = time.perf_counter() - t
    keys = [content_key("synthetic", c.id) for c in chunks]
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": spec["model"],
        "dim": int(vectors.shape[1]),
        "chunking": ChunkParams().to_dict(),
        "corpus_fingerprint": "synthetic",
        "recipe": RECIPE,
        **store.describe(),
        "corpus_dir": None,
        "articles": len(articles),
        "chunks": n,
        "synthetic": {"vectors": spec["vectors"], "seed": spec.get("seed", 0)},
    }
    t = time.perf_counter()
    t = time.perf_counter()
    mentions = synth_mentions(sentences, sentence_ids)
    timings["mentions_s"] = time.perf_counter() - t
    save_index(spec["index"], StoredIndex(manifest, articles, chunks, keys, vectors, store, bm25,
                                          mentions=mentions))
    timings["save_s"] = time.perf_counter() - t
    files = {
        p.name: dir_mb(p) if p.is_dir() else round(p.stat().st_size / 2**20, 1)
        for p in Path(spec["index"]).iterdir()
    }
    return {
        "n": n,
        "index_type": index_type,
        **{k: round(v, 2) for k, v in timings.items()},
        "tokenize_passages_per_s": round(rate, 1),
        "bm25_full_tokenize_estimate_s": round(n / rate, 1),
        "files_mb": files,
        "index_dir_mb": dir_mb(Path(spec["index"])),
    }


def _faiss_sweep(retriever, qvecs, truth, candidates: int) -> dict:
    """recall@10 against exact search and latency, of the FAISS index alone
    ("raw") and of what search ranks by: its candidates re-scored exactly."""
    store = retriever.store
    index = store.index
    vectors = retriever.stored.vectors
    hnsw = getattr(index, "hnsw", None)
    saved = hnsw.efSearch if hnsw is not None else 0
    sweep = {}
    for ef in sorted({64, 128, 256, 512, saved}) if hnsw is not None else [0]:
        if hnsw is not None:
            hnsw.efSearch = ef
        times, raw, reranked = [], [], []
        for q, true in zip(qvecs, truth, strict=True):
            t = time.perf_counter()
            ids = store.search(q, candidates)
            rows = np.sort(ids)
            best = rows[np.argsort(-(np.asarray(vectors[rows], dtype=np.float32) @ q))[:10]]
            times.append(time.perf_counter() - t)
            raw.append(len(set(ids[:10].tolist()) & set(true.tolist())) / 10)
            reranked.append(len(set(best.tolist()) & set(true.tolist())) / 10)
        sweep[str(ef)] = {"raw_recall_at_10": round(float(np.mean(raw)), 4),
                          "recall_at_10": round(float(np.mean(reranked)), 4),
                          **summary_ms(times)}
    if hnsw is not None:
        hnsw.efSearch = saved
    return {"knob": "efSearch" if hnsw is not None else "exact", "value": saved, "sweep": sweep}


def _memory() -> dict:
    """Resident memory split into anonymous (heap) and file-backed (mapped
    index files: clean pages the kernel can drop and re-read), MB."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "RssAnon:", "RssFile:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0]) / 1024
    return {"rss": out.get("VmRSS", 0), "anon": out.get("RssAnon", 0),
            "file": out.get("RssFile", 0)}


def worker_scale_search(spec: dict) -> dict:
    """Open a synthetic index (time, memory), then search with a fixed encoder."""
    from rag import Retriever
    from rag.index import load_index
    from rag.text import normalize

    index = Path(spec["index"])
    work = Path(spec["workdir"])
    qtexts = spec["queries"]
    qvecs = np.load(work / "query_vectors.npy")
    truth = np.load(work / f"truth-{spec['n']}.npy")
    # Libraries are not the index: import them and load jieba's dictionary first.
    import bm25s  # noqa: F401
    import faiss  # noqa: F401

    from rag.text import tokenize

    tokenize(normalize("預熱 warm-up"))
    gc.collect()
    before = _memory()
    t = time.perf_counter()
    stored = load_index(index)
    vecs = {normalize(q.strip()): v for q, v in zip(qtexts, qvecs, strict=False)}
    encoder = FixedEncoder(stored.manifest["model"], qvecs.shape[1], vecs)
    retriever = Retriever(stored, encoder)
    load_s = time.perf_counter() - t
    loaded = _memory()
    # An English question's dense side ranks by its Chinese translation terms;
    # its own real vector stands in for them (these timings exclude encoding).
    from rag.search import crosslingual

    for text, vector in list(vecs.items()):
        if text.isascii():
            expansion = crosslingual.translate(text, stored.bm25.vocab_dict).expansion
            encoder.setdefault(expansion, vector)

    out = {
        "n": spec["n"],
        "index_type": stored.manifest["index_type"],
        "load_index_s": round(load_s, 3),
        "process_rss_before_load_mb": round(before["rss"], 1),
    }
    out["faiss"] = _faiss_sweep(retriever, qvecs, truth, retriever.params.candidates)
    own = out["faiss"]["sweep"][str(out["faiss"]["value"])]
    out["recall_at_10"] = own["recall_at_10"]
    out["raw_recall_at_10"] = own["raw_recall_at_10"]

    for mode in ("dense", "bm25", "hybrid"):
        for q in qtexts[:3]:
            retriever.search(q, k=5, mode=mode)
        times = []
        deadline = time.perf_counter() + spec.get("mode_budget_s", 60)
        for _rep in range(spec["repeats"]):
            for q in qtexts:
                t = time.perf_counter()
                retriever.search(q, k=5, mode=mode)
                times.append(time.perf_counter() - t)
            if time.perf_counter() > deadline:
                break
        out[mode] = summary_ms(times)
    out["profile"] = profile_search(retriever, qtexts[:20])
    searched = _memory()
    out["memory_mb"] = {
        step: {k: round(m[k] - before[k], 1) for k in m}
        for step, m in (("after_load", loaded), ("after_queries", searched))
    }
    # What the index costs a serving process: everything it added, heap and
    # mapped pages alike, after all the queries above.
    out["index_rss_mb"] = out["memory_mb"]["after_queries"]["rss"]
    out.update(rss_mb())
    return out
