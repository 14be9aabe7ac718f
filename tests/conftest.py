"""Shared fixtures. HF_HUB_OFFLINE is set before anything imports the model stack."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
CMRC = SHARED / "eval" / "cmrc2018_trial.json"
BUNDLED_CORPUS = REPO / "corpus"


def cmrc_articles(n: int = 8) -> list[dict]:
    """The first `n` CMRC 2018 trial passages as JSONL article records."""
    if not CMRC.exists():
        pytest.skip(f"{CMRC} is missing (the repo expects ../shared beside it)")
    data = json.loads(CMRC.read_text(encoding="utf-8"))
    records = []
    for doc in data["data"]:
        for para in doc["paragraphs"]:
            context = para["context"].strip()
            records.append(
                {
                    "id": para["id"],
                    "title": f"{context[:12]}…",
                    "text": context,
                    "author": "CMRC 2018",
                    "source": "cmrc2018_trial",
                }
            )
            if len(records) == n:
                return records
    return records


def cmrc_questions(records: list[dict]) -> list[dict]:
    """CMRC questions whose passage is among `records`: {id, question, article_id}."""
    wanted = {r["id"] for r in records}
    data = json.loads(CMRC.read_text(encoding="utf-8"))
    return [
        {"id": qa["id"], "question": qa["question"], "article_id": para["id"]}
        for doc in data["data"]
        for para in doc["paragraphs"]
        if para["id"] in wanted
        for qa in para["qas"]
    ]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


@pytest.fixture
def hash_encoder():
    from rag import HashEncoder

    return HashEncoder(256)


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """A corpus folder: one JSONL file of 8 real CMRC passages."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "cmrc.jsonl", cmrc_articles(8))
    return folder


@pytest.fixture
def hash_index(tmp_path, small_corpus, hash_encoder) -> Path:
    """An index of `small_corpus` built with the model-free HashEncoder."""
    from rag import build_index

    index = tmp_path / "index"
    build_index(small_corpus, index, encoder=hash_encoder, progress=False)
    return index


@pytest.fixture(scope="session")
def seed(tmp_path_factory):
    """The bundled corpus (the seed page) indexed with the model-free HashEncoder;
    shared, so tests change it only through `seed.with_params(...)` copies."""
    from rag import HashEncoder, Retriever, build_index

    index = tmp_path_factory.mktemp("seed-hash") / "index"
    build_index(BUNDLED_CORPUS, index, encoder=HashEncoder(), progress=False)
    return Retriever.load(index, encoder=HashEncoder(), rebuild=False, progress=False)


@pytest.fixture(scope="session")
def real_retriever(tmp_path_factory):
    """The bundled corpus indexed with the default model (e5-small); for @pytest.mark.slow."""
    from rag import Retriever

    index = tmp_path_factory.mktemp("real") / "index"
    return Retriever.load(index, corpus=BUNDLED_CORPUS, progress=False)


@pytest.fixture(scope="session")
def m3e_retriever(tmp_path_factory):
    """The bundled corpus indexed with m3e-small, the other shipped model; slow."""
    from rag import Retriever

    index = tmp_path_factory.mktemp("real-m3e") / "index"
    return Retriever.load(index, corpus=BUNDLED_CORPUS, model="m3e-small", progress=False)


@pytest.fixture(scope="session")
def page_maker():
    """Renders newspaper pages to PDF (tests/newspaper_pdf): needs reportlab,
    fontTools, Debian's fonts-noto-cjk and the CMRC passages in ../shared."""
    pytest.importorskip("reportlab")
    pytest.importorskip("fontTools")
    from newspaper_pdf import PageMaker, TextPool, fonts

    if fonts.missing():
        pytest.skip(fonts.missing())
    if not CMRC.exists():
        pytest.skip(f"{CMRC} is missing (the repo expects ../shared beside it)")
    from rag import load_corpus

    return PageMaker(TextPool.load(CMRC), load_corpus(BUNDLED_CORPUS))
