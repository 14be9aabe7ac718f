"""Smoke test of benchmarks/speed.py: the quick mode runs end to end with the
model-free HashEncoder and writes its report. No timing is asserted."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "eval"


def test_speed_quick_writes_report(tmp_path):
    if not (SHARED / "cmrc2018_trial.json").exists() or not (SHARED / "seed_qa_dev.jsonl").exists():
        pytest.skip(f"{SHARED} is missing (the repo expects ../shared beside it)")
    out = tmp_path / "speed"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "speed.py"),
            "--quick",
            "--model",
            "hash-256",
            "--out",
            str(out),
            "--workdir",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]

    report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert report["quick"] is True and report["model"] == "hash-256"
    seed = report["latency"]["seed"]
    for key in (
        "encode",
        "search",
        "ratio_p50",
        "ratio_p95",
        "load_index_s",
        "profile",
        "peak_rss_mb",
    ):
        assert key in seed, key
    for key in ("p50_ms", "p95_ms"):
        assert key in seed["search"] and key in seed["encode"]
    build = report["build"]
    for key in (
        "build_over_encode_throughput",
        "noop_rebuild_s",
        "add_one_embedded",
        "add_one_article_chunks",
        "peak_rss_mb",
    ):
        assert key in build, key
    assert build["noop_up_to_date"] is True
    assert build["add_one_embedded"] == build["add_one_article_chunks"]
    cold = report["cold_start"]
    assert {"wall_median_s", "load_index_s", "model_load_s"} <= set(cold)
    if importlib.util.find_spec("pymilvus"):  # the store column: the same passages in each
        stores = report["stores"]["stores"]
        assert set(stores) == {"faiss", "milvus-lite"}
        for store in stores.values():
            assert {"passages_per_s", "disk_mb"} <= set(store["build"])
            assert {"open_s", "first_query_s", "hybrid", "store_rss_mb"} <= set(store["search"])
        assert stores["faiss"]["build"]["chunks"] == stores["milvus-lite"]["build"]["chunks"]
        assert "Stores: FAISS and milvus-lite" in out.with_suffix(".md").read_text()
    [scale] = report["scale"]
    assert scale["n"] == 2000
    search = scale["search"]
    for key in (
        "hybrid",
        "dense",
        "bm25",
        "recall_at_10",
        "index_rss_mb",
        "load_index_s",
        "peak_rss_mb",
    ):
        assert key in search, key
    assert "peak_rss_mb" in scale["build"] and "bm25_index_s" in scale["build"]
    for key in ("search_over_encode_p50", "build_over_encode_throughput", "noop_rebuild_s"):
        assert key in report["targets"], key

    md = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Targets" in md and "## Scale" in md
    assert out.with_suffix(".png").stat().st_size > 0
