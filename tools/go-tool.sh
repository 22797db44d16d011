# Sourced by tools/build-<name>.sh: builds a command pinned in tools/<name>/go.mod from Go modules
# (no release downloads on these machines) into
#   ${PGCONN_BIN_DIR:-$HOME/.kubeapitest}/<name>/<version>/<name>
# once per machine. Nothing built here belongs in the repository.

# go_tool_version <name> <module>: the version go.mod pins (the single place to bump it).
go_tool_version() {
  local version
  version=$(awk -v m="$2" '$1 == "require" && $2 == m {print $3}' "$GO_TOOLS/$1/go.mod")
  [[ -n "$version" ]] || { echo "$1: no 'require $2' line in $GO_TOOLS/$1/go.mod" >&2; exit 1; }
  echo "$version"
}

# go_tool_build <name> <version> <package> <ldflags> [tags]: prints the binary's path last.
go_tool_build() {
  local name=$1 version=$2 package=$3 ldflags=$4 tags=${5:-}
  local out="${PGCONN_BIN_DIR:-$HOME/.kubeapitest}/$name/${version#v}"
  if [[ -x "$out/$name" ]]; then
    echo "$name: cached in $out"
    echo "$out/$name"
    return 0
  fi
  command -v go >/dev/null || { echo "$name: go is not on PATH and $out/$name is missing" >&2; exit 1; }
  mkdir -p "$out"
  local started=$SECONDS
  echo "$name: building ${version} (first time only)..."
  (cd "$GO_TOOLS/$name" && CGO_ENABLED=0 go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$out/$name.tmp" "$package")
  mv "$out/$name.tmp" "$out/$name"
  echo "$name: built ${version} in $((SECONDS - started))s"
  echo "$out/$name"
}

GO_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
