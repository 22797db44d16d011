#!/usr/bin/env bash
# Packs a root filesystem tarball into a one-layer image tarball in `docker save` format
# (manifest.json + config + layer), which `ctr images import` and Jib's tar:// base both read.
# Usage: pack-image.sh <rootfs.tar> <repo:tag> <out.tar> [config-json-object]
#   config-json-object: the image's "config" (Env, Entrypoint, User, ...), default {}.
# Deterministic: same rootfs and arguments, same bytes (fixed timestamps, sorted entries).
set -euo pipefail
rootfs=$1 tag=$2 out=$3 config=${4:-'{}'}

work=$(mktemp -d "${out}.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
layer_sha=$(sha256sum "$rootfs" | cut -d' ' -f1)
mkdir -p "$work/$layer_sha"
cp "$rootfs" "$work/$layer_sha/layer.tar"
printf '%s' "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-01T00:00:00Z\",\"config\":$config,\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$layer_sha\"]},\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"pgconn tools/images\"}]}" \
  > "$work/config.json"
config_sha=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$config_sha.json"
printf '%s' "[{\"Config\":\"$config_sha.json\",\"RepoTags\":[\"$tag\"],\"Layers\":[\"$layer_sha/layer.tar\"]}]" \
  > "$work/manifest.json"
(cd "$work" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$out.tmp" \
  manifest.json "$config_sha.json" "$layer_sha")
mv "$out.tmp" "$out"
