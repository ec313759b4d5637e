#!/usr/bin/env bash
# Installs the real agent CLIs the end-to-end tests in tests/real_clis drive, from npm only. Idempotent: a
# version already installed is kept. Claude Code is not installed here: the tests use the `claude` binary
# bundled with the claude-agent-sdk wheel in uv.lock (.venv/.../claude_agent_sdk/_bundled/claude).
#
# Layout (under the repo, ignored by git):
#   .cache/clis/gemini-<version>/node_modules/.bin/gemini
#   .cache/clis/codex-<version>/node_modules/.bin/codex
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=$PWD/.cache/clis
GEMINI_VERSION=${GEMINI_VERSION:-0.61.0}
CODEX_VERSION=${CODEX_VERSION:-0.171.0}
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
mkdir -p "$CACHE"

install() {  # install <package> <version> <folder name> <bin name>
  local dir=$CACHE/$3-$2
  if [[ -f $dir/.installed && -x $dir/node_modules/.bin/$4 ]]; then
    echo "== $1@$2 present"
    return
  fi
  echo "== npm install $1@$2"
  rm -rf "$dir"; mkdir -p "$dir"
  npm install --no-save --no-package-lock --prefix "$dir" "$1@$2" >"$dir/install.log" 2>&1 \
    || { tail -30 "$dir/install.log" >&2; exit 1; }
  "$dir/node_modules/.bin/$4" --version >/dev/null
  touch "$dir/.installed"
}

install @google/gemini-cli "$GEMINI_VERSION" gemini gemini
install @openai/codex "$CODEX_VERSION" codex codex
