"""How long `rag add` and `rag remove` take on the bundled corpus with the real model.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/library.py [--repeats 3] [--model m3e-small]

Works on a copy of corpus/ and index/ in a temporary folder. The article added
is the first CMRC 2018 trial passage written as a Markdown file. Measured:
- in-process, as the chat's upload will call it (the encoder already loaded):
  `add_files` of the article, `remove_articles` of it (a file of its own: moved
  aside), and `remove_articles` of one article of the seed page (excluded);
- the command (`python -m rag add/remove`, a new process: imports and model load
  included), with the torch and the ONNX backend.
Results: benchmarks/results/library.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RESULTS = REPO / "benchmarks" / "results"
sys.path.insert(0, str(REPO))


def article_file(folder: Path) -> Path:
    data = json.loads((SHARED / "eval" / "cmrc2018_trial.json").read_text("utf-8"))
    para = data["data"][0]["paragraphs"][0]
    title = data["data"][0].get("title") or para["context"][:12]
    path = folder / "new-article.md"
    path.write_text(f"# {title}\n\n{para['context'].strip()}\n", encoding="utf-8")
    return path


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def run_cli(*argv) -> float:
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rag", *map(str, argv)], cwd=REPO,
                          capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"})
    if done.returncode:
        raise RuntimeError(done.stderr)
    return time.perf_counter() - t


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default="m3e-small")
    args = parser.parse_args(argv)

    from rag import add_files, build_index, load_encoder, remove_articles

    work = Path(tempfile.mkdtemp(prefix="rag-library-bench-"))
    try:
        corpus, index = work / "corpus", work / "index"
        shutil.copytree(REPO / "corpus", corpus)
        shutil.copytree(REPO / "index", index)
        new = article_file(work)
        t, encoder = timed(lambda: load_encoder(args.model))
        result = {"model": args.model, "model_load_s": round(t, 2), "repeats": args.repeats,
                  "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "add": [],
                  "remove_own_file": [], "remove_from_page": []}
        options = {"encoder": encoder, "progress": False}
        build_index(corpus, index, **options)  # as the chat leaves it: fresh, its summary beside
        for _ in range(args.repeats):
            t, added = timed(lambda: add_files([new], corpus, index, **options))
            [article] = added.added[0].articles
            result["add"].append({"s": round(t, 3), "embedded": added.embedded,
                                  "reused": added.reused, "article_passages": article.passages})
            ids = [article.id]
            t, _ = timed(lambda: remove_articles(ids, corpus, index, **options))  # noqa: B023
            result["remove_own_file"].append(round(t, 3))
            t, _ = timed(lambda: remove_articles(["labour-movement-history"], corpus, index,
                                                 **options))
            result["remove_from_page"].append(round(t, 3))
            (corpus / ".rag-removed.json").unlink()  # restore the page's article
            shutil.rmtree(corpus / ".removed")
            build_index(corpus, index, **options)
        where = ["--corpus", corpus, "--index", index]
        for backend in ("torch", "onnx"):
            t_add = run_cli("add", new, *where, "--backend", backend)
            t_remove = run_cli("remove", "added/new-article", *where, "--backend", backend)
            shutil.rmtree(corpus / ".removed")
            result[f"cli_{backend}"] = {"add_s": round(t_add, 2), "remove_s": round(t_remove, 2)}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "library.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    med = statistics.median
    add = result["add"]
    lines = [
        "# Adding and removing one article (bundled corpus, 4 articles, 54 passages)",
        "",
        f"Model {args.model}, OMP_NUM_THREADS={result['omp_num_threads']}, "
        f"median of {args.repeats}; `benchmarks/library.py`.",
        "",
        "| operation | seconds | passages embedded |",
        "|---|---|---|",
        f"| `add_files` one article (encoder loaded) | {med(a['s'] for a in add):.2f} | "
        f"{add[0]['embedded']} of {add[0]['embedded'] + add[0]['reused']} "
        f"(the article has {add[0]['article_passages']}) |",
        f"| `remove_articles`, its own file (moved aside) | "
        f"{med(result['remove_own_file']):.2f} | 0 |",
        f"| `remove_articles`, one article of the seed page (excluded) | "
        f"{med(result['remove_from_page']):.2f} | 0 |",
    ]
    for backend in ("torch", "onnx"):
        cli = result[f"cli_{backend}"]
        lines.append(f"| `rag add` command, {backend} (new process, model load included) | "
                     f"{cli['add_s']:.2f} | {add[0]['embedded']} |")
        lines.append(f"| `rag remove` command, {backend} | {cli['remove_s']:.2f} | 0 |")
    (RESULTS / "library.md").write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
