#!/usr/bin/env bash
# Builds promtool (PrometheusRuleIT checks and unit-tests the chart's alerting rules with it) from
# Go modules into
#   ${PGCONN_BIN_DIR:-$HOME/.kubeapitest}/promtool/<version>/promtool
# once per machine; the version is the one pinned in tools/promtool/go.mod (Prometheus tags its Go
# module v0.3MM.P for release 3.MM.P). Prints the path last.
set -euo pipefail
source "$(dirname "$0")/go-tool.sh"

VERSION=$(go_tool_version promtool github.com/prometheus/prometheus)
go_tool_build promtool "$VERSION" github.com/prometheus/prometheus/cmd/promtool \
  "-s -w -X github.com/prometheus/common/version.Version=${VERSION}"
