#!/usr/bin/env bash
# Gathers what a CI run leaves for people into one folder, .ci/artifacts/ (ignored by git), so a CI system that
# keeps a folder keeps them all: the built VS Code extension (users install it without Node) and whatever the
# editor tests wrote under test-artifacts/ (code-server screenshots of each check, logs of a failed run).
# MANIFEST lists each file, tab-separated: path (relative to the folder), size in bytes, sha256. Run by .ci/run at
# the end, passed or failed.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.ci/artifacts
VSIX=editors/vscode/claif-vscode.vsix

# A file left from an earlier run would pass for this one's.
rm -rf "$OUT"
mkdir -p "$OUT"
[[ -f $VSIX ]] && cp "$VSIX" "$OUT/"
[[ -d test-artifacts ]] && cp -R test-artifacts/. "$OUT/"

manifest=$(
  cd "$OUT"
  printf '# file\tsize\tsha256 (collected %s)\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  find . -type f -printf '%P\n' | LC_ALL=C sort | while IFS= read -r file; do
    printf '%s\t%s\t%s\n' "$file" "$(stat -c %s "$file")" "$(sha256sum "$file" | cut -d' ' -f1)"
  done
)
printf '%s\n' "$manifest" > "$OUT/MANIFEST"

count=$(($(wc -l < "$OUT/MANIFEST") - 1))
echo "== artefacts: $count files in $PWD/$OUT (listed with sizes and sha256 in $OUT/MANIFEST)"
if [[ -f $OUT/$(basename "$VSIX") ]]; then
  echo "   the VS Code extension: $PWD/$OUT/$(basename "$VSIX") (code --install-extension claif-vscode.vsix)"
else
  echo "   no $VSIX was built"
fi
