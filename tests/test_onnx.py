"""The ONNX backend gives the same vectors as torch, so one index serves both."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rag
from rag.encoders import load_encoder

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("onnxruntime") is None, reason="no onnxruntime"),
]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def onnx_encoder(tmp_path_factory):
    from rag.encoders.onnx_backend import OnnxEncoder

    return OnnxEncoder(cache_dir=tmp_path_factory.mktemp("onnx-cache"))


def test_onnx_vectors_match_torch(onnx_encoder):
    long_text = "职业院校应健全双导师管理制度，明确企业导师的选聘标准、工作职责和待遇保障。" * 3
    texts = ["灵活就业人员能领生育津贴吗？", "What is the capital of France?", long_text, "枫桥"]
    torch_vectors = load_encoder("m3e-small").encode_passages(texts)
    onnx_vectors = onnx_encoder.encode_passages(texts)
    assert onnx_vectors.shape == torch_vectors.shape == (4, 512)
    assert np.allclose((onnx_vectors * torch_vectors).sum(axis=1), 1.0, atol=1e-4)


def test_onnx_backend_answers_from_an_m3e_index_without_torch(tmp_path):
    # As a user would: the first run may export the model into the default cache;
    # once the export exists, answering a question never imports torch.
    index = tmp_path / "index"
    rag.build_index(REPO / "corpus", index, model="m3e-small", progress=False)
    code = (
        "import sys, json; from rag.cli import main; "
        "rc = main(['search', '职业院校应该健全什么导师制度？', '--json', '--backend', 'onnx', "
        f"'--index', {str(index)!r}]); "
        "print(json.dumps({'torch': 'torch' in sys.modules}))"
    )
    warm = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert warm.returncode == 0, warm.stderr
    lines = [json.loads(line) for line in warm.stdout.splitlines() if line.startswith("{")]
    assert "双导师管理" in lines[0]["hits"][0]["text"]
    cold = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert json.loads(cold.stdout.splitlines()[-1]) == {"torch": False}


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="runs on torch, onnx, not 'tensorrt'"):
        rag.load_encoder("m3e-small", backend="tensorrt")
