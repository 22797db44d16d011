#!/usr/bin/env bash
# Builds the Java 17 base image the operator image is layered on in tests, from Debian packages
# (no image registry is reachable here): mmdebstrap makes a minimal bookworm root filesystem with
# openjdk-17-jre-headless and a non-root user 65532, packed as a `docker save` tarball
#   ${PGCONN_IMAGE_DIR:-$HOME/.cache/pgconn-node/images}/jre17-base-<hash>.tar   (pgconn.local/jre17-base:<hash>)
# where <hash> is that of the recipe below, so changing it rebuilds; jre17-base.tar beside it
# links the current one (what operator/pom.xml's real-node profile gives Jib as tar:// base).
# Built once per machine; nothing built here belongs in the repository. For users the operator image uses eclipse-temurin:17-jre
# instead (operator/pom.xml, property jib.from.image). Prints the tarball's path last.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${PGCONN_IMAGE_DIR:-$HOME/.cache/pgconn-node/images}
# The recipe: what goes into the image. No docs, man pages or locales: a runtime image. The
# user 65532 the chart runs as (runAsUser: 65532) gets a passwd entry, so user.home is
# /home/nonroot rather than "?".
recipe=(
  --variant=minbase --include=openjdk-17-jre-headless,ca-certificates
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  # openjdk's postinst links its man page as an alternative: the directory must exist (empty).
  --essential-hook='mkdir -p "$1/usr/share/man/man1"'
  --customize-hook='echo "nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin" >> "$1/etc/passwd"'
  --customize-hook='echo "nonroot:x:65532:" >> "$1/etc/group"'
  --customize-hook='mkdir -p "$1/home/nonroot" && chown 65532:65532 "$1/home/nonroot"'
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*'
)
config='{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64"]}'
hash=$( (printf '%s\n' "${recipe[@]}" "$config"; cat "$here/images/pack-image.sh") | sha256sum | cut -c1-12)
out="$dir/jre17-base-$hash.tar"
link() { ln -sfn "$(basename "$out")" "$dir/jre17-base.tar"; }
if [[ -f "$out" ]]; then
  link
  echo "base image: cached in $out"
  echo "$out"
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "base image: mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 1; }
mkdir -p "$dir"
started=$SECONDS
rootfs=$(mktemp "$dir/rootfs.XXXXXX.tar")
trap 'rm -f "$rootfs"' EXIT

echo "base image: mmdebstrap bookworm + openjdk-17-jre-headless (first time only)..."
# The host's Debian mirror (the one apt already uses), so nothing else is contacted.
mirror=$(awk '/^URIs:/ {print $2; exit} /^deb / {print $2; exit}' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
SOURCE_DATE_EPOCH=0 mmdebstrap ${MMDEBSTRAP_FLAGS:---quiet} --mode=root --format=tar "${recipe[@]}" bookworm "$rootfs" "$mirror"
bash "$here/images/pack-image.sh" "$rootfs" "pgconn.local/jre17-base:$hash" "$out" "$config"
link
echo "base image: built $out ($(du -m "$out" | cut -f1) MiB) in $((SECONDS - started))s"
echo "$out"
