"""Embedding spread over worker processes on this machine, or over a Ray
cluster: at archive scale, encoding is what a build spends its time on.

The texts are cut into exactly the batches one process would encode
(longest first, `batch` a call), and each batch is encoded whole by one
worker, so every vector is computed from the same inputs as in a
single-process build. Each worker loads the model once, by name: every
machine of a Ray cluster needs this project installed and the model on disk.
"""

from __future__ import annotations

import os

import numpy as np

from .progress import Progress


def batches(texts: list[str], size: int) -> list[list[int]]:
    """Positions of `texts` in encoding batches: longest first, as
    sentence-transformers orders one call's texts, so that each batch pads
    to similar lengths."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    return [order[start : start + size] for start in range(0, len(order), size)]


def embed_parallel(texts: list[str], *, model: str, backend: str | None = None, workers: int = 2,
                   ray: str | None = None, batch: int = 256,
                   progress: bool = True) -> np.ndarray:
    """The vectors of `texts` (row i = texts[i]), encoded by `workers`
    processes, or by `workers` Ray actors at `ray` ("local" starts a Ray on
    this machine; with workers=1, one actor a CPU of the cluster)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    plan = batches(texts, batch)
    jobs = [[texts[i] for i in rows] for rows in plan]
    out: np.ndarray | None = None
    with Progress(len(texts), "embedding passages", enabled=progress, bar_from=65) as bar:
        encoded = (_on_ray(jobs, model, backend, workers, ray) if ray
                   else _in_processes(jobs, model, backend, workers))
        for rows, vectors in zip(plan, encoded, strict=True):
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
            bar.update(len(rows))
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


# -- worker processes on this machine ------------------------------------------

_encoder = None


def _start_worker(model: str, backend: str, threads: int) -> None:
    # Before the model's libraries are imported: each worker gets its share
    # of the cores instead of all of them.
    os.environ["OMP_NUM_THREADS"] = str(threads)
    global _encoder
    from ..encoders import load_encoder, resolve_backend

    _encoder = load_encoder(model, backend=backend)
    if not model.startswith("hash-") and resolve_backend(model, backend) == "torch":
        import torch

        torch.set_num_threads(threads)


def _encode(texts: list[str]) -> np.ndarray:
    return np.asarray(_encoder.encode_passages(texts), dtype=np.float32)


def _in_processes(jobs, model: str, backend: str, workers: int):
    """Encoded batches in order, from a pool of spawned processes (not
    forked: the parent may hold threads, of the model or of a database client)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    threads = max(1, (os.cpu_count() or 1) // workers)
    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker,
                             initargs=(model, backend, threads)) as pool:
        yield from pool.map(_encode, jobs)


# -- a Ray cluster ----------------------------------------------------------------


class _RayEncoder:
    def __init__(self, model: str, backend: str):
        from ..encoders import load_encoder

        self.encoder = load_encoder(model, backend=backend)

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.encoder.encode_passages(texts), dtype=np.float32)


def _on_ray(jobs, model: str, backend: str, workers: int, address: str):
    """Encoded batches in order, from Ray actors that each hold the model."""
    try:
        import ray
        from ray.util import ActorPool
    except ImportError as err:
        raise RuntimeError("--ray needs Ray: pip install 'rag-news[ray]'") from err
    started_here = not ray.is_initialized()
    if started_here:
        local = address == "local"
        ray.init(address="local" if local else address, num_cpus=workers if local else None,
                 include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        count = workers if workers > 1 else max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor = ray.remote(num_cpus=1)(_RayEncoder)
        actors = [actor.remote(model, backend) for _ in range(count)]
        pool = ActorPool(actors)
        yield from pool.map(lambda a, texts: a.encode.remote(texts), jobs)
        for a in actors:
            ray.kill(a)
    finally:
        if started_here:
            ray.shutdown()
