#!/usr/bin/env bash
# Builds helm from Go modules (no release downloads on these machines) into
#   ${PGCONN_BIN_DIR:-$HOME/.kubeapitest}/helm/<version>/helm
# once per machine. The version is the one pinned in tools/helm/go.mod.
# Nothing built here belongs in the repository. Prints the binary's path last.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mod="$here/helm"
# The pinned version, read from go.mod so there is a single place to bump it.
HELM_VERSION=$(awk '$1 == "require" && $2 == "helm.sh/helm/v3" {print $3}' "$mod/go.mod")
[[ -n "$HELM_VERSION" ]] || { echo "helm: no 'require helm.sh/helm/v3' line in $mod/go.mod" >&2; exit 1; }
root=${PGCONN_BIN_DIR:-$HOME/.kubeapitest}
out="$root/helm/${HELM_VERSION#v}"

if [[ -x "$out/helm" ]]; then
  echo "helm: cached in $out"
  echo "$out/helm"
  exit 0
fi
command -v go >/dev/null || { echo "helm: go is not on PATH and $out/helm is missing" >&2; exit 1; }
mkdir -p "$out"

# What helm's Makefile sets for a release: without them `helm version` prints v3.x-dev-ish
# output and .Capabilities.KubeVersion defaults to v1.20 (the Makefile derives the default
# from the client-go it was built with: v0.N -> 1.N).
k8s_minor=$(cd "$mod" && go list -m -f '{{.Version}}' k8s.io/client-go | cut -d. -f2)
ldflags="-s -w"
ldflags+=" -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=${k8s_minor}"
done

started=$SECONDS
echo "helm: building ${HELM_VERSION} (first time only; a few minutes on 2 cores)..."
(cd "$mod" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out/helm.tmp" helm.sh/helm/v3/cmd/helm)
mv "$out/helm.tmp" "$out/helm"
echo "helm: built ${HELM_VERSION} in $((SECONDS - started))s"
echo "$out/helm"
