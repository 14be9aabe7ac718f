"""Near-miss abstention: every question asked with and without its own paragraph.

    python benchmarks/nearmiss.py [--datasets drcd,cmrc] [--limit N] [--sweep] [--sweep-limit N]
                                  [--out benchmarks/results/nearmiss]

A document's paragraphs alternate between two folds, one index each. A question
is asked against its own fold (answerable) and the other (unanswerable: its
document's other paragraphs are there, its own is not) unless a paragraph of
the other fold holds an answer string (dropped, counted). See NOTES. Rows per
(question, variant) go to benchmarks/.cache/nearmiss/<set>.rows.jsonl.
Uses only rag's public API (build_index, Retriever.load, search).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CACHE = ROOT / "benchmarks" / ".cache" / "nearmiss"
sys.path.insert(0, str(ROOT))

from rag import Article, RetrievalParams, Retriever, build_index, load_encoder  # noqa: E402
from rag.encoders import DEFAULT_MODEL  # noqa: E402
from rag.evaluate import Question, is_hit  # noqa: E402
from rag.search.profiles import profile_for  # noqa: E402

SEED = 20240607
TRAD_SHARE = 0.2
DATASETS = {  # name: (files as (source, path), convert to simplified, folds across documents)
    "drcd": ([("dev", SHARED / "train" / "DRCD_dev.json"),
              ("test", SHARED / "train" / "DRCD_test.json")], True, False),
    "cmrc": ([("trial", SHARED / "eval" / "cmrc2018_trial.json")], False, False),
    "cmrc-xdoc": ([("trial", SHARED / "eval" / "cmrc2018_trial.json")], False, True),
}
# The curve: the cosine bar (min_cosine_latin moved with it) x the word-coverage bar.
SWEEP = [{"min_cosine": c, "min_cosine_latin": round(c - 0.03, 3), "min_coverage": v}
         for v in (0.5, 0.7, 0.9, 1.01) for c in (0.60, 0.65, 0.70, 0.725, 0.75, 0.80, 0.85, 0.90)]
def today(model: str) -> dict:
    params = RetrievalParams().fitted(profile_for(model))
    return {k: getattr(params, k) for k in ("min_cosine", "min_cosine_latin", "min_coverage")}
_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACE.sub("", text)


def kept_traditional(qid: str, share: float, seed: int = SEED) -> bool:
    """A fixed draw per question id, the same whatever subset is run."""
    digest = hashlib.blake2b(f"{seed}:{qid}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") / 2**64 < share


def build_dataset(name: str, files, *, convert: bool, across_docs: bool = False, limit: int = 0,
                  trad_share: float = TRAD_SHARE, seed: int = SEED) -> dict:
    """Fold articles, the (question, variant) pairs to ask and the dropped ones; documents
    of several `files` with one id are merged (`across_docs`: the file is one document)."""
    t2s = __import__("opencc").OpenCC("t2s").convert if convert else (lambda s: s)
    docs: dict[str, dict] = {}  # document id -> title and paragraphs (source, pid, para, pos)
    for source, path in files:
        for d, doc in enumerate(json.loads(Path(path).read_text(encoding="utf-8"))["data"]):
            doc_id = str(doc.get("id", f"{source}{d}"))
            entry = docs.setdefault(doc_id, {"title": doc.get("title", ""), "paras": []})
            for n, para in enumerate(doc["paragraphs"]):
                pid = str(para.get("id") or f"{doc_id}-{n}")
                entry["paras"].append((source, pid, para, len(entry["paras"])))
    keys = sorted(docs)
    if limit:
        keys = sorted(random.Random(seed).sample(keys, min(limit, len(keys))))
    groups: dict[str, list] = {}
    for doc_id in keys:
        for source, pid, para, pos in docs[doc_id]["paras"]:
            tail = pid.rsplit("-", 1)[-1] if pid.startswith(f"{doc_id}-") else ""
            order = (int(tail), pos) if tail.isdigit() else (pos, pos)
            groups.setdefault("all" if across_docs else doc_id, []).append(
                (order, doc_id, source, pid, para))
    articles: dict[str, list[Article]] = {"A": [], "B": []}
    asked, doc_of = [], {}  # (fold, other side?, question record); article id -> document
    for members in groups.values():
        members.sort(key=lambda m: m[0])
        for i, (_, doc_id, source, pid, para) in enumerate(members):
            fold = "AB"[i % 2]
            tail = pid[len(doc_id) + 1:] if pid.startswith(f"{doc_id}-") else str(i)
            article_id = f"{name}-{source}-{doc_id}-{tail}"
            title, doc_of[article_id] = t2s(docs[doc_id]["title"]), doc_id
            articles[fold].append(Article(id=article_id, title=title, body=t2s(para["context"])))
            for qa in para["qas"]:
                trad = convert and kept_traditional(qa["id"], trad_share, seed)
                asked.append((fold, len(members) > 1, {
                    "dataset": name, "qid": qa["id"], "source": source, "doc": doc_id,
                    "article_id": article_id, "traditional": trad,
                    "question": qa["question"] if trad else t2s(qa["question"]),
                    "answers": sorted({t2s(a["text"]) for a in qa["answers"]})}))
    # Every paragraph of a fold in one string: one substring test per answer.
    texts = {f: "\x00".join(squash(a.body) for a in articles[f]) for f in "AB"}
    variants, dropped = [], []
    for fold, other_side, q in asked:
        variants.append({**q, "answerable": True, "index": fold})
        if not other_side:
            continue
        other = "B" if fold == "A" else "A"
        if any(squash(a) and squash(a) in texts[other] for a in q["answers"]):
            same = "\x00".join(squash(a.body) for a in articles[other]
                                if doc_of[a.id] == q["doc"])
            dropped.append({"qid": q["qid"], "source": q["source"], "traditional": q["traditional"],
                            "same_doc": any(squash(a) and squash(a) in same for a in q["answers"])})
        else:
            variants.append({**q, "answerable": False, "index": other})
    return {"articles": articles, "variants": variants, "dropped": dropped, "doc_of": doc_of}


class MemoEncoder:
    """The model, each question embedded once however often it is asked (same vectors)."""

    def __init__(self, encoder):
        self.encoder, self.name, self.dim, self.memo = encoder, encoder.name, encoder.dim, {}

    def encode_passages(self, texts, *, progress: bool = False):
        return self.encoder.encode_passages(texts, progress=progress)

    def encode_queries(self, texts):
        if len(texts) != 1:
            return self.encoder.encode_queries(texts)
        if texts[0] not in self.memo:
            self.memo[texts[0]] = self.encoder.encode_queries(texts)
        return self.memo[texts[0]].copy()


def cache_for(model: str) -> Path:
    """Indexes and rows of one encoder (the vectors differ from model to model)."""
    return CACHE if model == "m3e-small" else CACHE.parent / f"nearmiss-{model}"


def drcd_folds(encoder, params=None) -> tuple[dict, dict]:
    """The DRCD near-miss data and a retriever over each fold's index (built once per encoder)."""
    files, convert, across = DATASETS["drcd"]
    data = build_dataset("drcd", files, convert=convert, across_docs=across)
    retrievers = {}
    for fold, articles in data["articles"].items():
        folder = cache_for(encoder.name) / "drcd" / fold
        build_index(articles, folder, encoder=encoder, progress=True)
        retrievers[fold] = Retriever.load(folder, encoder=encoder, rebuild=False, progress=False,
                                          params=params or RetrievalParams())
    return data, retrievers


def ask(dirs, data, variants, encoder, params=None, *, full=True) -> list:
    """One row per variant (full) or just whether it abstained."""
    params = params or RetrievalParams()
    retrievers = {f: Retriever.load(d, encoder=encoder, rebuild=False, progress=False,
                                    params=params) for f, d in dirs.items()}
    out = []
    for v in variants:
        try:
            res = retrievers[v["index"]].search(v["question"], k=5, mode="hybrid")
            hits, abstained = res.hits, res.abstained
        except ValueError:
            hits, abstained = (), True
        if not full:
            out.append(abstained)
            continue
        rank = None
        if v["answerable"]:
            q = Question(v["qid"], v["question"], tuple(v["answers"]), "", v["article_id"])
            rank = next((i + 1 for i, h in enumerate(hits) if is_hit(h, q)), None)
        out.append({**{k: v[k] for k in ("dataset", "qid", "source", "doc", "article_id",
                                         "traditional", "answerable", "index", "question",
                                         "answers")},
                    "abstained": abstained, "rank": rank,
                    "top_score": round(hits[0].score, 6) if hits else None,
                    "top_same_doc": bool(hits) and data["doc_of"][hits[0].article_id] == v["doc"],
                    "top5": [[h.article_id, round(h.score, 6)] for h in hits[:5]]})
    return out


def summary(rows: list[dict], abstained: list[bool] | None = None) -> dict:
    abstained = [r["abstained"] for r in rows] if abstained is None else abstained
    ans = [(r, a) for r, a in zip(rows, abstained, strict=True) if r["answerable"]]
    una = [a for r, a in zip(rows, abstained, strict=True) if not r["answerable"]]
    right, wrong = sum(una), sum(a for _, a in ans)
    return {
        "answerable": len(ans), "unanswerable": len(una),
        "hit@1": sum(r["rank"] == 1 for r, _ in ans) / len(ans) if ans else None,
        "hit@5": sum(bool(r["rank"]) for r, _ in ans) / len(ans) if ans else None,
        "abstained_unanswerable": right, "false_abstentions": wrong,
        "precision": right / (right + wrong) if una and right + wrong else None,
        "recall": right / len(una) if una else None,
        "false_abstention_rate": wrong / len(ans) if ans else None,
    }


def curve(rows, sweep, subset) -> tuple[list, dict]:
    """Curve points on the swept rows of one group, and per false-abstention budget (1%, 2%,
    5%) the point of best recall within it (None when no point is)."""
    points, pos = [], {i: n for n, i in enumerate(sweep["rows"])}
    keep = [i for i in subset if i in pos]
    for key, abst in sweep["settings"].items():
        s = summary([rows[i] for i in keep], [abst[pos[i]] for i in keep])
        points.append({"setting": json.loads(key), **{k: s[k] for k in (
            "precision", "recall", "false_abstention_rate", "abstained_unanswerable",
            "false_abstentions")}})
    points.sort(key=lambda p: (p["recall"] or 0, -(p["false_abstention_rate"] or 0)))
    best = {}
    for budget in (0.01, 0.02, 0.05):
        ok = [p for p in points if p["recall"] is not None
              and p["false_abstention_rate"] <= budget + 1e-12]
        best[f"{budget:.0%}"] = ok[-1] if ok else None  # sorted: best recall, then lowest rate
    return points, best


SUBSETS = {  # extra groups reported for a dataset: name -> which rows (and dropped) it holds
    "drcd": {"drcd-test": lambda r: r["source"] == "test",
             "drcd-traditional": lambda r: r["traditional"],
             "drcd-simplified": lambda r: not r["traditional"]},
}
NOTES = """Each question is asked against its own fold's index (answerable) and the other fold's
(unanswerable near miss: same document, own paragraph absent); hybrid, k=5, m3e-small. Abstention
precision = right abstentions / abstentions; recall = unanswerable abstained on / unanswerable;
false-abstention rate = answerable abstained on / answerable.

- `dropped`: unanswerable variants left out as a paragraph of the other fold (`same doc`: of the
  question's own document) holds an answer string: on DRCD 83% of 1-2-character answers, 3%
  of those over 8 characters, so the unanswerable set leans to long, rare answers.
- DRCD dev and test split the same Wikipedia articles; documents are merged by id before folding.
  `drcd-test` keeps DRCD_test questions only, but their documents also appear in DRCD_dev.
- CMRC trial documents all have one paragraph: `cmrc` is answerable-only. `cmrc-xdoc` folds over
  the whole file: its unanswerable questions are off-topic, not near misses.
- The curve sweeps min_cosine (min_cosine_latin 0.03 below it) x min_coverage; the tables list the
  points no other beats on both recall and false-abstention rate, and today's (all in the .json).
  The lowest false-abstention rate swept is left by the checks no bar moves (fact kind, place)."""


def fmt(x, digits=3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def where(p: dict | None) -> str:
    st = p and p["setting"]
    return f"{fmt(p['recall'])} ({st['min_cosine']}, {st['min_coverage']})" if p else "none"


def frontier(points: list[dict], current: dict) -> list[dict]:
    """Points no other point beats on recall and false-abstention rate, and today's."""
    out, seen = [], set()
    for p in points:
        key = (p["recall"], p["false_abstention_rate"])
        beaten = any(q["recall"] >= key[0] and q["false_abstention_rate"] <= key[1]
                     and (q["recall"], q["false_abstention_rate"]) != key for q in points)
        if p["setting"] == current or not (beaten or key in seen):
            out.append(p)
        seen.add(key)
    return out


def markdown(report: dict) -> str:
    lines = ["# Near-miss abstention", "", NOTES, "",
             "| set | answerable | unanswerable | dropped (same doc) | hit@1 | hit@5 | abst. P "
             "| abst. R | false-abst. rate (n) | recall at false abst. <= 1% / 2% / 5% "
             "(min_cosine, min_coverage) | lowest false-abst. rate swept |", "|" + "---|" * 11]
    for g, s in report["groups"].items():
        at = " / ".join(where(p) for p in s.get("best_at", {}).values())
        low = min((p["false_abstention_rate"] for p in s.get("curve", ())), default=None)
        lines.append(f"| {g} | {s['answerable']} | {s['unanswerable']} | {s['dropped']} "
                     f"({s['dropped_same_doc']}) | {fmt(s['hit@1'])} | {fmt(s['hit@5'])} "
                     f"| {fmt(s['precision'])} | {fmt(s['recall'])} "
                     f"| {fmt(s['false_abstention_rate'])} ({s['false_abstentions']}) "
                     f"| {at or '–'} | {fmt(low)} |")
    for g, s in report["groups"].items():
        if not s.get("curve"):
            continue
        lines += ["", f"## {g}: precision-recall curve ({s['swept']} (question, variant) pairs)",
                  "", "| min_cosine | min_coverage | precision | recall | false-abst. rate |",
                  "|---|---|---|---|---|"]
        current = today(report.get("model", "m3e-small"))
        for p in frontier(s["curve"], current):
            st = p["setting"]
            mark = " (today)" if st == current else ""
            lines.append(f"| {st['min_cosine']}{mark} | {st['min_coverage']} "
                         f"| {fmt(p['precision'])} | {fmt(p['recall'])} "
                         f"| {fmt(p['false_abstention_rate'])} |")
    lines += ["", "Timings (s): "
              + ", ".join(f"{k} {v:.0f}" for k, v in report["timings"].items())]
    return "\n".join(lines) + "\n"


def run_dataset(name: str, args, encoder, timings: dict) -> tuple[dict, dict]:
    """Build, ask, sweep (reusing what the cache holds); the groups' numbers and the config.
    Timings are kept in the cache too, so a report rebuilt from it still shows them."""
    files, convert, across = DATASETS[name]
    tag = f"{name}-limit{args.limit}" if args.limit else name
    cache = cache_for(encoder.name)
    cache.mkdir(parents=True, exist_ok=True)
    spent_file = cache / f"{tag}.timings.json"
    spent = json.loads(spent_file.read_text("utf-8")) if spent_file.exists() else {}
    started = time.perf_counter()
    data = build_dataset(name, files, convert=convert, across_docs=across, limit=args.limit)
    dirs = {f: cache / tag / f for f, arts in data["articles"].items() if arts}
    built = not all(d.exists() for d in dirs.values())
    passages = {f: getattr(build_index(data["articles"][f], d, encoder=encoder, progress=False),
                           "chunks", None) for f, d in dirs.items()}
    if built or args.fresh or "data+index" not in spent:
        spent["data+index"] = time.perf_counter() - started
    keys = [[v["qid"], v["index"]] for v in data["variants"]]
    rows_file, sweep_file = cache / f"{tag}.rows.jsonl", cache / f"{tag}.sweep.json"
    rows = []
    if rows_file.exists() and not args.fresh:
        rows = [json.loads(line) for line in rows_file.read_text("utf-8").splitlines()]
    if [[r["qid"], r["index"]] for r in rows] != keys:
        started = time.perf_counter()
        rows = ask(dirs, data, data["variants"], encoder)
        spent["search"] = time.perf_counter() - started
        rows_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                             "utf-8")
    sweep = None
    if args.sweep and any(not r["answerable"] for r in rows):
        qids = sorted({r["qid"] for r in rows})
        if args.sweep_limit:
            qids = random.Random(SEED).sample(qids, min(args.sweep_limit, len(qids)))
        chosen = set(qids)
        sweep = {"rows": [i for i, r in enumerate(rows) if r["qid"] in chosen], "settings": {},
                 "keys": keys}
        if sweep_file.exists() and not args.fresh:
            cached = json.loads(sweep_file.read_text("utf-8"))
            if cached["rows"] == sweep["rows"] and cached["keys"] == keys:
                sweep = cached
        if not sweep["settings"]:
            spent["sweep"] = 0.0
        started = time.perf_counter()
        for setting in SWEEP:
            key = json.dumps(setting, sort_keys=True)
            if key not in sweep["settings"]:
                swept = [data["variants"][i] for i in sweep["rows"]]
                sweep["settings"][key] = ask(dirs, data, swept, encoder,
                                             RetrievalParams(**setting), full=False)
                sweep_file.write_text(json.dumps(sweep), "utf-8")
                spent["sweep"] = spent.get("sweep", 0.0) + time.perf_counter() - started
                started = time.perf_counter()
    spent_file.write_text(json.dumps(spent), "utf-8")
    timings.update({f"{name} {k}": v for k, v in spent.items()})
    groups = {}
    for g, keep in {name: lambda r: True, **SUBSETS.get(name, {})}.items():
        subset = [i for i, r in enumerate(rows) if keep(r)]
        dropped = [d for d in data["dropped"] if keep(d)]
        s = {**summary([rows[i] for i in subset]), "dropped": len(dropped),
             "dropped_same_doc": sum(d["same_doc"] for d in dropped)}
        if sweep and g in (name, "drcd-test"):
            s["curve"], s["best_at"] = curve(rows, sweep, subset)
            s["swept"] = len(set(subset) & set(sweep["rows"]))
        groups[g] = s
    config = {"documents": len({v["doc"] for v in data["variants"]}),
              "paragraphs": {f: len(a) for f, a in data["articles"].items()},
              "passages": passages, "variants": len(rows),
              "limit": args.limit, "sweep_limit": args.sweep_limit if sweep else None}
    return groups, config


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="drcd,cmrc,cmrc-xdoc")
    parser.add_argument("--limit", type=int, default=0, help="a seeded sample of N documents")
    parser.add_argument("--sweep", action="store_true", help="trace the precision-recall curve")
    parser.add_argument("--sweep-limit", type=int, default=0,
                        help="sweep only a seeded sample of N questions (both variants)")
    parser.add_argument("--fresh", action="store_true", help="ignore cached rows and sweeps")
    parser.add_argument("--model", default=DEFAULT_MODEL,
                        help="the encoder (default: %(default)s)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "nearmiss"))
    args = parser.parse_args(argv)
    encoder = MemoEncoder(load_encoder(args.model))
    timings, groups, config = {}, {}, {}
    for name in args.datasets.split(","):
        more, config[name] = run_dataset(name, args, encoder, timings)
        groups.update(more)
    report = {"about": NOTES, "model": encoder.name,
              "today": RetrievalParams().fitted(profile_for(encoder.name)).to_dict(),
              "config": config,
              "groups": groups, "timings": {k: round(v, 1) for k, v in timings.items()}}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    out.with_suffix(".md").write_text(markdown(report), "utf-8")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
