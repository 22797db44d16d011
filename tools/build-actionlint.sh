#!/usr/bin/env bash
# Builds actionlint (ReleaseWorkflowIT lints .github/workflows with it) from Go modules into
#   ${PGCONN_BIN_DIR:-$HOME/.kubeapitest}/actionlint/<version>/actionlint
# once per machine; the version is the one pinned in tools/actionlint/go.mod. Prints the path last.
set -euo pipefail
source "$(dirname "$0")/go-tool.sh"

VERSION=$(go_tool_version actionlint github.com/rhysd/actionlint)
go_tool_build actionlint "$VERSION" github.com/rhysd/actionlint/cmd/actionlint \
  "-s -w -X github.com/rhysd/actionlint.version=${VERSION}"
