#!/usr/bin/env bash
# Runs the README's two commands on a truly fresh machine: a new Debian bookworm root made with
# debootstrap, holding only what such a machine has (Node.js 20 + npm, git, ca-certificates), a clean
# clone of the committed tree in /work/main and ../shared in /work/shared. Prints the last lines of
# both commands and exits with the test command's status. Root; heavy (the set-up installs
# everything); not part of `npm test` or CI.
#
#   bash scripts/fresh-root.sh            # FRESH_ROOT_DIR=/var/tmp/cw-fresh-root by default
#
# The debootstrap result is cached in $FRESH_ROOT_DIR/base and copied for every run, so each run
# starts from the pristine base: the clone, the set-up and npm's downloads are fresh every time.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "fresh-root.sh: run as root (debootstrap, chroot, mounts)" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$repo/../shared" && pwd)
dir=${FRESH_ROOT_DIR:-/var/tmp/cw-fresh-root}
case "$dir/" in "$repo"/*) echo "fresh-root.sh: FRESH_ROOT_DIR must be outside the repo" >&2; exit 2 ;; esac

# Mounts are made in a mount namespace of our own: whatever happens, none of them outlives the run
# or shows on the host. The trap below still unmounts them in order before the root is removed.
if [ -z "${CW_FRESH_ROOT_NS:-}" ]; then
  CW_FRESH_ROOT_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi

base=$dir/base
root=$dir/root
log=$dir/run.log
mkdir -p "$dir"

# The mirror this host uses for bookworm (one-line sources or deb822 stanzas), and its security archive.
sources() { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; }
uri_for() {
  sources | awk -v suite="$1" '
    /^deb / { for (i = 2; i <= NF; i++) if ($i == suite) for (j = 2; j < i; j++) if ($j ~ /^[a-z]+:\/\//) { print $j; exit } }
    /^URIs:/ { uri = $2 } /^Types:/ { deb = ($0 ~ /[[:space:]]deb([[:space:]]|$)/) }
    /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite && deb) { print uri; exit } }
    /^$/ { uri = ""; deb = 0 }'
}
mirror=$(uri_for bookworm)
security=$(uri_for bookworm-security)
[ -n "$mirror" ] || { echo "fresh-root.sh: no bookworm mirror in /etc/apt/sources.list*" >&2; exit 2; }

started=0
cleanup() {
  local rc=$? p left
  trap - EXIT INT TERM
  set +e
  # Every process whose root is our fresh root was started by this run (daemons included).
  if [ "$started" -eq 1 ]; then
    for sig in TERM KILL; do
      left=0
      for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] || continue
        kill "-$sig" "${p#/proc/}" 2>/dev/null && left=1
      done
      [ "$left" -eq 1 ] && [ "$sig" = TERM ] && sleep 2
    done
  fi
  # Deepest mounts first (the tests' network namespaces live under /run/netns).
  findmnt -rn -o TARGET | awk -v r="$root" '$0 == r || index($0, r "/") == 1' | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
  if findmnt -rn -o TARGET | awk -v r="$root" '$0 == r || index($0, r "/") == 1 { f = 1 } END { exit !f }'; then
    echo "fresh-root.sh: $root still has mounts; left in place" >&2
  else
    rm -rf --one-file-system "$root"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -d "$base" ]; then
  echo "debootstrap bookworm from $mirror into $base (cached for later runs)"
  rm -rf --one-file-system "$base.part"
  debootstrap --variant=minbase --include=git,ca-certificates bookworm "$base.part" "$mirror" > "$dir/debootstrap.log" 2>&1 \
    || { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
  mv "$base.part" "$base"
fi

rm -rf --one-file-system "$root"
cp -a "$base" "$root"
{
  echo "deb $mirror bookworm main"
  echo "deb $mirror bookworm-updates main"
  [ -z "$security" ] || echo "deb $security bookworm-security main"
} > "$root/etc/apt/sources.list"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
# A chroot has no init: a daemon started by a package's postinst would listen on the host's network.
# On a real machine the set-up stops those services again, so "not running" is the state it leaves.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
# This host reaches the internet through a TLS-intercepting egress proxy: its local CA certificates
# (public certificates only) go into the root's bundle, or npm could not reach the registry.
if compgen -G "/usr/local/share/ca-certificates/*.crt" > /dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates > /dev/null 2>&1
fi

# Node.js 20 + npm exactly as this host has them: the node binary, its headers (node-gyp builds the
# optional pcap module against them: nodejs.org, where it would fetch them, is not reachable here)
# and the npm package from npm's prefix.
node=$(readlink -f "$(command -v node)")
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
prefix=$(cd "$(dirname "$node")/.." && pwd)
install -D -m 755 "$node" "$root$prefix/bin/node"
mkdir -p "$root$prefix/lib/node_modules" "$root$prefix/include" "$root$prefix/etc"
cp -a "$npm_dir" "$root$prefix/lib/node_modules/npm"
[ ! -d "$prefix/include/node" ] || cp -a "$prefix/include/node" "$root$prefix/include/node"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root$prefix/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root$prefix/bin/npx"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=%s\n' "$prefix" > "$root$prefix/etc/npmrc"

# A clean clone of the committed tree (uncommitted changes are not part of the run).
sha=$(git -C "$repo" rev-parse HEAD)
[ -z "$(git -C "$repo" status --porcelain)" ] || echo "note: uncommitted changes in $repo are not part of this run"
mkdir -p "$root/work"
git clone -q --no-hardlinks "$repo" "$root/work/main"
git -C "$root/work/main" checkout -q --detach "$sha"
cp -a "$shared" "$root/work/shared"

# A machine's / is a mount point; a copied directory is not, and `ip netns exec` (the live tests)
# cannot make a non-mount / a slave ("mount --make-rslave /" fails). Bind the root onto itself.
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
mount -t tmpfs -o mode=755 run "$root/run"
mkdir -p "$root/run/lock"

# One command as a login on the fresh machine would run it, in its own session; the trap ends it.
inroot() {
  started=1
  setsid chroot "$root" /usr/bin/env -i HOME=/root TERM=xterm LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd /work/main && $1" >> "$log" 2>&1 < /dev/null &
  wait $!
}

: > "$log"
echo "fresh root $root at $sha; full output in $log"
t0=$SECONDS
main='npm ci && node bin/comms-watch.mjs analyze captures/mixed.pcap --config captures/cluster.yaml --keylog captures/mixed.keylog'
echo "== $main" >> "$log"
set +e
inroot "$main"
main_rc=$?
t1=$SECONDS
tests='bash scripts/setup-system.sh && npm ci && npm test'
echo "== $tests" >> "$log"
mark=$(wc -l < "$log")
inroot "$tests"
test_rc=$?
t2=$SECONDS
set -e

echo "== $main  (exit $main_rc, $((t1 - t0)) s)"
sed -n "1,${mark}p" "$log" | tail -n 12
echo "== $tests  (exit $test_rc, $((t2 - t1)) s)"
tail -n +"$((mark + 1))" "$log" | grep -E '^FAIL ' || true
tail -n 5 "$log"
exit "$test_rc"
