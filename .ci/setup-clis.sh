#!/usr/bin/env bash
# Installs the real agent CLIs the end-to-end tests in tests/real_clis and tests/real_acp drive, from npm (and
# bubblewrap, codex-acp's sandbox, from Debian).
# Idempotent: a version already installed is kept. Claude Code is not installed here: the tests use the `claude`
# binary bundled with the claude-agent-sdk wheel in uv.lock (.venv/.../claude_agent_sdk/_bundled/claude).
#
# Layout (under the repo, ignored by git):
#   .cache/clis/gemini-<version>/node_modules/.bin/gemini
#   .cache/clis/codex-<version>/node_modules/.bin/codex
#   .cache/clis/codex-acp-<version>/node_modules/.bin/codex-acp              (ACP agent, native, writes to disk)
#   .cache/clis/claude-agent-acp-<version>/node_modules/.bin/claude-agent-acp (ACP agent, needs Node >= 22:
#       the tests run it with .cache/node24 from setup-editors.sh; writes to disk)
# Gemini CLI is also the third ACP agent (`gemini --acp`, which writes through the client).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=$PWD/.cache/clis
GEMINI_VERSION=${GEMINI_VERSION:-0.61.0}
CODEX_VERSION=${CODEX_VERSION:-0.171.0}
CODEX_ACP_VERSION=${CODEX_ACP_VERSION:-0.16.0}
CLAUDE_AGENT_ACP_VERSION=${CLAUDE_AGENT_ACP_VERSION:-0.101.0}
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
mkdir -p "$CACHE"

install() {  # install <package> <version> <folder name> <bin name> [no-version-check]
  local dir=$CACHE/$3-$2
  if [[ -f $dir/.installed && -x $dir/node_modules/.bin/$4 ]]; then
    echo "== $1@$2 present"
    return
  fi
  echo "== npm install $1@$2"
  rm -rf "$dir"; mkdir -p "$dir"
  npm install --no-save --no-package-lock --prefix "$dir" "$1@$2" >"$dir/install.log" 2>&1 \
    || { tail -30 "$dir/install.log" >&2; exit 1; }
  [[ -x $dir/node_modules/.bin/$4 ]] || { echo "$1@$2 installed no $4" >&2; exit 1; }
  if [[ -z ${5:-} ]]; then "$dir/node_modules/.bin/$4" --version >/dev/null; fi
  touch "$dir/.installed"
}

# codex-acp sandboxes every edit and command with bubblewrap (Debian's package); without it each edit fails.
if ! command -v bwrap >/dev/null 2>&1; then
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing Debian package bubblewrap (codex-acp's sandbox); need root + apt-get to install it" >&2; exit 3
  fi
  echo "== apt-get install bubblewrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null
fi

install @google/gemini-cli "$GEMINI_VERSION" gemini gemini
install @openai/codex "$CODEX_VERSION" codex codex
# The ACP agents speak only JSON-RPC on stdio (no --version), so only their executable is checked.
install @zed-industries/codex-acp "$CODEX_ACP_VERSION" codex-acp codex-acp no-version-check
install @agentclientprotocol/claude-agent-acp "$CLAUDE_AGENT_ACP_VERSION" claude-agent-acp claude-agent-acp no-version-check
