"""The load benchmark in small: the app in its own process, a few concurrent
gradio_client callers over a model-free index, and a 100,000-character
question sent meanwhile; then the JSON API's /api/v1/ask and /api/v1/search
under as many callers. Every answer must be its own question's, none may fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_concurrent_callers_get_their_own_answers_and_a_huge_question_is_refused(tmp_path):
    out = tmp_path / "load"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "load.py"), "--quick",
                           "--out", str(out)], capture_output=True, text=True, timeout=400,
                          cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    for run in ("one_at_a_time", "concurrent", "without_long_question", "with_long_question"):
        assert result[run]["errors"] == 0 and result[run]["mixed"] == 0, result[run]
        assert result[run]["questions"] > 0
    assert result["concurrent"]["questions"] == 24
    long = result["with_long_question"]["long_question"]
    assert long["sent"] >= 1
    assert long["replies"] == ["the question is 100,000 characters long; the limit is 500"]
    for path in ("/api/v1/ask", "/api/v1/search"):
        for run in ("one_at_a_time", "concurrent"):
            got = result["api"][path][run]
            assert got["errors"] == 0 and got["mixed"] == 0 and got["questions"] > 0, got
    assert result["api"]["/api/v1/search"]["concurrent"]["questions"] == 24
    report = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "questions/s" in report and "`/api/v1/search` 4 clients" in report
