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
