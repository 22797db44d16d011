#!/usr/bin/env bash
# Builds the test control plane from Go modules (no release downloads on these machines):
# etcd, kube-apiserver and kubectl, plus kube-controller-manager, kube-scheduler and kwok
# (fake kubelets) with --with-controllers, and kubelet (a real node: testenv.RealNode) with
# --with-node. Output goes to the layout io.fabric8:kube-api-test reads,
#   ${PGCONN_BIN_DIR:-$HOME/.kubeapitest}/k8s/<version>-linux-amd64/
# so a machine builds them once. Nothing built here belongs in the repository.
set -euo pipefail

K8S_VERSION=1.34.4
here=$(cd "$(dirname "$0")" && pwd)
root=${PGCONN_BIN_DIR:-$HOME/.kubeapitest}
out="$root/k8s/${K8S_VERSION}-linux-amd64"
binaries=(etcd kube-apiserver kubectl)
for arg in "$@"; do
  case "$arg" in
    --with-controllers) binaries+=(kube-controller-manager kube-scheduler kwok) ;;
    --with-node) binaries+=(kube-controller-manager kube-scheduler kubelet) ;;
    *) echo "usage: $0 [--with-controllers] [--with-node]" >&2; exit 2 ;;
  esac
done

missing=()
for b in $(printf '%s\n' "${binaries[@]}" | awk '!seen[$0]++'); do [[ -x "$out/$b" ]] || missing+=("$b"); done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "control plane: cached in $out"
  exit 0
fi
command -v go >/dev/null || { echo "control plane: go is not on PATH and $out lacks: ${missing[*]}" >&2; exit 1; }
mkdir -p "$out"

# Without these the binaries report v0.0.0-master+\$Format:%H\$, which clients fail to parse.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=v${K8S_VERSION} -X $pkg.gitMajor=1 -X $pkg.gitMinor=34"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=2026-01-01T00:00:00Z"
done

build() { # name module-dir package [ldflags]
  local started=$SECONDS
  echo "control plane: building $1 (first time only; a few minutes on 2 cores)..."
  (cd "$here/$2" && CGO_ENABLED=0 go build -trimpath -ldflags "${4:-$ldflags}" -o "$out/$1.tmp" "$3")
  mv "$out/$1.tmp" "$out/$1"
  echo "control plane: built $1 in $((SECONDS - started))s"
}

for b in "${missing[@]}"; do
  case "$b" in
    etcd) build etcd etcd go.etcd.io/etcd/server/v3 ;;
    # kwok reports its own version (sigs.k8s.io/kwok/pkg/consts); the Kubernetes keys above
    # would only mislabel the client-go it links.
    kwok) build kwok kwok sigs.k8s.io/kwok/cmd/kwok "-s -w" ;;
    *) build "$b" k8s "k8s.io/kubernetes/cmd/$b" ;;
  esac
done
echo "control plane: ready in $out"
