"""A tiny random-weight multimodal projector ("mmproj") GGUF for tests, written with the pinned llama.cpp's gguf-py.

It lets the photo-describing path (libmtmd: mtmd_init_from_file, mtmd_helper_bitmap_init_from_buf,
mtmd_tokenize, mtmd_helper_eval_chunks, then ordinary decoding) run end to end with the default
text model (SmolLM2-135M-Instruct, n_embd 576) without a real vision model. The weights are seeded
noise, so the "captions" are nonsense; the same seed writes the same file byte for byte.

The layout is what llama.cpp's `convert_hf_to_gguf.py --mmproj` writes for a LLaVA-style model and
what tools/mtmd/clip.cpp (clip_model_loader::load_hparams / load_tensors, graph models/llava.cpp)
loads for projector type "mlp":

  KV      general.architecture = "clip", clip.has_vision_encoder = true, clip.projector_type = "mlp",
          clip.use_gelu = true, clip.vision.{image_size 32, patch_size 8, embedding_length 32,
          feed_forward_length 64, block_count 2, attention.head_count 2,
          attention.layer_norm_epsilon 1e-6, projection_dim = n_embd, image_mean, image_std}
  tensors (f32; numpy shapes, gguf dims are the reverse)
          v.patch_embd.weight (32, 3, 8, 8), v.patch_embd.bias (32),
          v.position_embd.weight (16, 32)                     16 patches: (32/8) squared, no class token
          v.blk.{0,1}.{attn_q,attn_k,attn_v,attn_out}.{weight (32, 32), bias (32)},
          v.blk.{0,1}.{ln1,ln2}.{weight,bias} (32),
          v.blk.{0,1}.ffn_up.weight (64, 32), .bias (64), v.blk.{0,1}.ffn_down.weight (32, 64), .bias (32)
          v.post_ln.{weight,bias} (32)
          mm.0.weight (32, 32), mm.0.bias (32), mm.2.weight (n_embd, 32), mm.2.bias (n_embd)

An image becomes 16 embeddings of n_embd floats (one chunk of 16 image tokens, no marker tokens
around it). The llava graph runs the blocks before the last one (LLaVA takes the second-to-last
layer's features), so block 1 is loaded but unused: two blocks make one that really runs. ffn_up and
ffn_down differ in shape on purpose: clip.cpp swaps them when ffn_down's inner dimension equals
embedding_length (old llava files). The file is about 180 KB at n_embd 576.

Why not "idefics3" (SmolVLM's projector)? libmtmd surrounds each idefics3 image with the text
model's `<fake_token_around_image>` and `<global-img>` tokens, looked up by exact piece; SmolLM2's
vocabulary (49152 tokens) has neither, so mtmd_tokenize (rc 0) puts token -1 into the text chunks
and mtmd_helper_eval_chunks then aborts the process (GGML_ASSERT(idx >= 0), mtmd-helper.cpp:226).
`projector_type="idefics3"` still writes that layout (siglip tower with all blocks and post_ln,
pixel shuffle by clip.vision.projector.scale_factor 2, then mm.model.fc.weight (n_embd, 32*4);
clip.vision.preproc_image_size 32, so an image becomes an overview and one slice of 4 tokens each)
for a text model that has those tokens, or to check that a caller refuses such a pair before
evaluating (a text chunk holding -1 is the sign).

Checked against the pinned source's libmtmd (static, CPU, use_gpu false, warmup false) with
SmolLM2-135M-Instruct Q4_1: mtmd_init_from_file accepts the "mlp" file with the text model and logs
no warning; a 640x488 JPEG and a 48x40 PNG each become one 16-token image chunk between the chat
prompt's text chunks (30 tokens in all); encoding takes about 1 ms, mtmd_helper_eval_chunks succeeds,
and 16 greedy tokens are fluent nonsense that differs between the two images and is identical
across runs.

Library: `make_projector(out_path, n_embd=576, seed=0, projector_type="mlp")`. CLI:

  python tests/e2e/vision_projector.py OUT.gguf [--n-embd 576] [--seed 0] [--projector-type mlp|idefics3]

gguf-py is found on PYTHONPATH (scripts/e2e and scripts/bench put it there) or, failing that,
through `scripts/path llama-python`.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

PROJECTOR_TYPES = ("mlp", "idefics3")
IMAGE_SIZE = 32
PATCH_SIZE = 8
HIDDEN = 32
FFN = 64
HEADS = 2
BLOCKS = 2
MM_HIDDEN = 32
SCALE_FACTOR = 2  # idefics3 pixel shuffle: 2x2 patches become one token
EPS = 1e-6
# SigLIP's normalisation, as SmolVLM's preprocessor_config.json has it.
IMAGE_MEAN = (0.5, 0.5, 0.5)
IMAGE_STD = (0.5, 0.5, 0.5)


class ProjectorError(Exception):
    """The projector cannot be made from these arguments (the message says why and what to change)."""


def _import_gguf():
    """Imports gguf-py: from PYTHONPATH, else from the directory `scripts/path llama-python` names."""
    try:
        import gguf  # noqa: PLC0415

        return gguf
    except ImportError:
        pass
    script = Path(__file__).resolve().parents[2] / "scripts" / "path"
    try:
        directory = subprocess.run([str(script), "llama-python"], capture_output=True, text=True,
                                   check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        raise ImportError(f"gguf-py is not importable and `scripts/path llama-python` failed ({error}); "
                          "run 'scripts/setup' and put $(scripts/path llama-python)/gguf-py on PYTHONPATH") from error
    gguf_py = os.path.join(directory, "gguf-py")
    if not os.path.isdir(os.path.join(gguf_py, "gguf")):
        raise ImportError(f"no gguf-py at {gguf_py}; run 'scripts/setup' (it extracts the pinned llama.cpp's gguf-py)")
    sys.path.insert(0, gguf_py)
    import gguf  # noqa: PLC0415

    return gguf


def _tensors(rng, n_embd, projector_type):
    """Yields (name, float32 array) in file order; numpy shapes are (n_out, n_in), gguf reverses them.

    Matrices are normal with standard deviation 1/sqrt(n_in) (activations keep unit scale), norms
    are 1 plus small noise, biases small; the projector's last matrix is scaled down so the image
    embeddings are of the order of the text model's token embeddings (about 0.05 per element).
    """
    def matrix(n_out, n_in, gain=1.0):
        return rng.normal(0.0, gain / np.sqrt(n_in), size=(n_out, n_in))

    def small(*shape, std=0.02):
        return rng.normal(0.0, std, size=shape)

    n_patches = (IMAGE_SIZE // PATCH_SIZE) ** 2
    fan_in = 3 * PATCH_SIZE * PATCH_SIZE
    yield "v.patch_embd.weight", rng.normal(0.0, 1.0 / np.sqrt(fan_in), size=(HIDDEN, 3, PATCH_SIZE, PATCH_SIZE))
    yield "v.patch_embd.bias", small(HIDDEN)
    yield "v.position_embd.weight", small(n_patches, HIDDEN, std=0.1)
    for block in range(BLOCKS):
        prefix = f"v.blk.{block}"
        for name in ("attn_q", "attn_k", "attn_v", "attn_out"):
            yield f"{prefix}.{name}.weight", matrix(HIDDEN, HIDDEN)
            yield f"{prefix}.{name}.bias", small(HIDDEN)
        for name in ("ln1", "ln2"):
            yield f"{prefix}.{name}.weight", 1.0 + small(HIDDEN)
            yield f"{prefix}.{name}.bias", small(HIDDEN)
        yield f"{prefix}.ffn_up.weight", matrix(FFN, HIDDEN)
        yield f"{prefix}.ffn_up.bias", small(FFN)
        yield f"{prefix}.ffn_down.weight", matrix(HIDDEN, FFN, gain=0.5)
        yield f"{prefix}.ffn_down.bias", small(HIDDEN)
    yield "v.post_ln.weight", 1.0 + small(HIDDEN)
    yield "v.post_ln.bias", small(HIDDEN)
    if projector_type == "mlp":
        yield "mm.0.weight", matrix(MM_HIDDEN, HIDDEN)
        yield "mm.0.bias", small(MM_HIDDEN)
        yield "mm.2.weight", matrix(n_embd, MM_HIDDEN, gain=0.1)
        yield "mm.2.bias", small(n_embd, std=0.01)
    else:
        merged = HIDDEN * SCALE_FACTOR * SCALE_FACTOR
        yield "mm.model.fc.weight", matrix(n_embd, merged, gain=0.05)


def make_projector(out_path, n_embd=576, seed=0, projector_type="mlp"):
    """Writes a tiny seeded random-weight mmproj GGUF to `out_path` and returns a summary dict.

    n_embd: the text model's embedding width (llama.embedding_length; 576 for SmolLM2-135M);
    libmtmd refuses a projector whose output width differs. seed: numpy seed for the weights.
    projector_type: "mlp" (LLaVA-style, works with any text vocabulary) or "idefics3" (SmolVLM's;
    needs the text vocabulary to have <fake_token_around_image> and <global-img>).
    """
    if projector_type not in PROJECTOR_TYPES:
        raise ProjectorError(f"projector_type must be one of {', '.join(PROJECTOR_TYPES)}, not {projector_type!r}")
    if int(n_embd) != n_embd or n_embd < 1:
        raise ProjectorError(f"n_embd must be a positive integer (the text model's llama.embedding_length), not {n_embd!r}")
    n_embd = int(n_embd)
    gguf = _import_gguf()
    rng = np.random.default_rng(seed)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    writer = gguf.GGUFWriter(str(partial), "clip")
    n_tensors = 0
    try:
        writer.add_type(gguf.GGUFType.MMPROJ)
        writer.add_name(f"haven-test-mmproj-{projector_type}")
        writer.add_description("random weights for tests; its captions are nonsense")
        writer.add_file_type(gguf.LlamaFileType.ALL_F32)
        writer.add_bool("clip.has_vision_encoder", True)
        writer.add_string("clip.projector_type", projector_type)
        writer.add_bool("clip.use_gelu", True)
        writer.add_uint32("clip.vision.image_size", IMAGE_SIZE)
        writer.add_uint32("clip.vision.patch_size", PATCH_SIZE)
        writer.add_uint32("clip.vision.embedding_length", HIDDEN)
        writer.add_uint32("clip.vision.feed_forward_length", FFN)
        writer.add_uint32("clip.vision.block_count", BLOCKS)
        writer.add_uint32("clip.vision.projection_dim", n_embd)
        writer.add_uint32("clip.vision.attention.head_count", HEADS)
        writer.add_float32("clip.vision.attention.layer_norm_epsilon", EPS)
        writer.add_array("clip.vision.image_mean", [float(v) for v in IMAGE_MEAN])
        writer.add_array("clip.vision.image_std", [float(v) for v in IMAGE_STD])
        if projector_type == "idefics3":
            writer.add_uint32("clip.vision.projector.scale_factor", SCALE_FACTOR)
            writer.add_uint32("clip.vision.preproc_image_size", IMAGE_SIZE)
        for name, values in _tensors(rng, n_embd, projector_type):
            writer.add_tensor(name, np.ascontiguousarray(values, dtype=np.float32))
            n_tensors += 1
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()
    os.replace(partial, out_path)
    n_patches = (IMAGE_SIZE // PATCH_SIZE) ** 2
    return {
        "path": str(out_path),
        "projector_type": projector_type,
        "n_embd": n_embd,
        "seed": seed,
        "tensors": n_tensors,
        "bytes": out_path.stat().st_size,
        "image_size": IMAGE_SIZE,
        "tokens_per_tile": n_patches if projector_type == "mlp" else n_patches // (SCALE_FACTOR * SCALE_FACTOR),
    }


def main(argv=None):
    """CLI: writes one projector and prints a one-line summary; exits 2 with a message on bad input."""
    parser = argparse.ArgumentParser(
        description="Write a tiny random-weight multimodal projector (mmproj) GGUF for libmtmd tests.")
    parser.add_argument("out", help="where to write the projector GGUF")
    parser.add_argument("--n-embd", type=int, default=576,
                        help="the text model's embedding width (default 576, SmolLM2-135M)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--projector-type", choices=PROJECTOR_TYPES, default="mlp",
                        help="mlp: LLaVA-style, any text vocabulary (default); idefics3: SmolVLM's, needs its image tokens")
    options = parser.parse_args(argv)
    try:
        summary = make_projector(options.out, n_embd=options.n_embd, seed=options.seed,
                                 projector_type=options.projector_type)
    except (ProjectorError, ImportError, OSError) as error:
        parser.exit(2, f"error: {error}\n")
    print(f"wrote {summary['path']}: {summary['projector_type']} projector, n_embd {summary['n_embd']}, "
          f"seed {summary['seed']}, {summary['tensors']} tensors, {summary['bytes']} bytes, "
          f"{summary['image_size']}px tiles of {summary['tokens_per_tile']} image tokens")
    return 0


if __name__ == "__main__":
    sys.exit(main())
