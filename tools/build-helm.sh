#!/usr/bin/env bash
# Builds helm (the chart tests) from Go modules into
#   ${PGCONN_BIN_DIR:-$HOME/.kubeapitest}/helm/<version>/helm
# once per machine; the version is the one pinned in tools/helm/go.mod. Prints the path last.
set -euo pipefail
source "$(dirname "$0")/go-tool.sh"

HELM_VERSION=$(go_tool_version helm helm.sh/helm/v3)

# What helm's Makefile sets for a release: without them `helm version` prints v3.x-dev-ish
# output and .Capabilities.KubeVersion defaults to v1.20 (the Makefile derives the default
# from the client-go it was built with: v0.N -> 1.N).
k8s_minor=$(cd "$GO_TOOLS/helm" && go list -m -f '{{.Version}}' k8s.io/client-go | cut -d. -f2)
ldflags="-s -w"
ldflags+=" -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=${k8s_minor}"
done

go_tool_build helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm "$ldflags"
