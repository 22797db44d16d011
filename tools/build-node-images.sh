#!/usr/bin/env bash
# Builds the small images the real test node needs (no image registry is reachable here), as
# `docker save` tarballs that `ctr images import` reads:
#   pause.tar     registry.k8s.io/pause:3.10  the sandbox image containerd is configured with
#   demo-app.tar  pgconn.local/demo-app:dev   Go + pgx: reads DATABASE_URL, opens its pool to the
#                                             limit, /health runs SELECT 1 (tools/images/demo-app)
# into ${PGCONN_IMAGE_DIR:-$HOME/.cache/pgconn-node/images}, each from its Go module under
# tools/images/, statically linked. A tarball is rebuilt only when its sources change (their hash
# is kept beside it). Nothing built here belongs in the repository.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${PGCONN_IMAGE_DIR:-$HOME/.cache/pgconn-node/images}
mkdir -p "$dir"

# name  module-dir  image-tag  binary-path-in-image  extra config (JSON members)
build_image() {
  local name=$1 mod=$here/images/$2 tag=$3 bin=$4 extra=${5:-}
  local out="$dir/$name.tar"
  local hash
  hash=$( (cd "$mod" && find . -type f | sort | xargs sha256sum; cat "$here/images/pack-image.sh"; echo "$tag $bin $extra") | sha256sum | cut -c1-16)
  if [[ -f "$out" && "$(cat "$out.hash" 2>/dev/null)" == "$hash" ]]; then
    echo "image $name: cached in $out"
    return
  fi
  command -v go >/dev/null || { echo "image $name: go is not on PATH" >&2; exit 1; }
  local started=$SECONDS work
  work=$(mktemp -d)
  mkdir -p "$work/rootfs/$(dirname "$bin")" "$work/rootfs/tmp"
  chmod 1777 "$work/rootfs/tmp"
  (cd "$mod" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/rootfs$bin" .)
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
  bash "$here/images/pack-image.sh" "$work/rootfs.tar" "$tag" "$out" "{\"Entrypoint\":[\"$bin\"]$extra}"
  rm -rf "$work"
  echo "$hash" > "$out.hash"
  echo "image $name: built $out ($(du -k "$out" | cut -f1) KiB) in $((SECONDS - started))s"
}

build_image pause pause registry.k8s.io/pause:3.10 /pause
build_image demo-app demo-app pgconn.local/demo-app:dev /demo-app ',"User":"65532:65532","ExposedPorts":{"8080/tcp":{}}'
