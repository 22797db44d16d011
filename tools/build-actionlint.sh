#!/usr/bin/env bash
# Builds actionlint from Go modules (no release downloads on these machines) into
#   ${PGCONN_BIN_DIR:-$HOME/.kubeapitest}/actionlint/<version>/actionlint
# once per machine. The version is the one pinned in tools/actionlint/go.mod.
# Nothing built here belongs in the repository. Prints the binary's path last.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mod="$here/actionlint"
VERSION=$(awk '$1 == "require" && $2 == "github.com/rhysd/actionlint" {print $3}' "$mod/go.mod")
[[ -n "$VERSION" ]] || { echo "actionlint: no 'require github.com/rhysd/actionlint' line in $mod/go.mod" >&2; exit 1; }
root=${PGCONN_BIN_DIR:-$HOME/.kubeapitest}
out="$root/actionlint/${VERSION#v}"

if [[ -x "$out/actionlint" ]]; then
  echo "actionlint: cached in $out"
  echo "$out/actionlint"
  exit 0
fi
command -v go >/dev/null || { echo "actionlint: go is not on PATH and $out/actionlint is missing" >&2; exit 1; }
mkdir -p "$out"

started=$SECONDS
echo "actionlint: building ${VERSION} (first time only)..."
(cd "$mod" && CGO_ENABLED=0 go build -trimpath \
  -ldflags "-s -w -X github.com/rhysd/actionlint.version=${VERSION}" \
  -o "$out/actionlint.tmp" github.com/rhysd/actionlint/cmd/actionlint)
mv "$out/actionlint.tmp" "$out/actionlint"
echo "actionlint: built ${VERSION} in $((SECONDS - started))s"
echo "$out/actionlint"
