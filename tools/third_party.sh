#!/usr/bin/env bash
# Gets, checks, builds and caches the third-party sources pinned in tools/third_party.tsv:
# Supabase Auth (Go) and the PostgreSQL extensions pg_net, supabase_vault, supautils, pgmq.
#
#   tools/third_party.sh env               build what is missing; print KEY=VALUE lines for ./dev
#   tools/third_party.sh source NAME       print the folder of NAME's checked source
#   tools/third_party.sh build-auth        print the path of the built `auth` binary
#   tools/third_party.sh install-extension NAME
#
# Where a source comes from, in order:
#   1. $EDGE_GUARD_VENDOR_DIR/<archive>: its SHA-256 must equal the pin's (a mismatch is a hard error);
#   2. otherwise `git clone --branch <tag> <repository>`: HEAD must be the pinned commit (hard error too);
#   3. otherwise one line naming both ways, and exit 1.
# Sources and builds are cached outside the clone, keyed by the pin's SHA-256, in
# ${EDGE_GUARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/edge-guard}: a second run, or a fresh clone
# on the same machine, builds nothing. Extensions are installed into the PostgreSQL named by
# $PG_CONFIG (default /usr/lib/postgresql/15/bin/pg_config), with sudo when not root.
set -euo pipefail
shopt -s inherit_errexit

here=$(cd "$(dirname "$0")" && pwd)
PINS=${EDGE_GUARD_THIRD_PARTY_PINS:-$here/third_party.tsv}
CACHE=${EDGE_GUARD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/edge-guard}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
EXTENSIONS=(pg_net supabase_vault supautils pgmq)

say() { echo "[dev] $*" >&2; }
# shellcheck source=progress.sh
source "$here/progress.sh"
die() {
  echo "[dev] error: $*" >&2
  exit 1
}

# Sets P_NAME P_VERSION P_REPO P_TAG P_COMMIT P_ARCHIVE P_SHA P_BUILD from NAME's row.
pin() {
  local line
  line=$(awk -F'\t' -v n="$1" '!/^#/ && $1 == n' "$PINS")
  [ -n "$line" ] || die "no pin named \"$1\" in $PINS"
  IFS=$'\t' read -r P_NAME P_VERSION P_REPO P_TAG P_COMMIT P_ARCHIVE P_SHA P_BUILD <<<"$line"
  [[ $P_SHA =~ ^[0-9a-f]{64}$ && $P_COMMIT =~ ^[0-9a-f]{40}$ ]] ||
    die "the pin of $1 in $PINS needs a 40-hex commit and a 64-hex sha256"
}

# Unpacks or clones NAME's source into a new folder under $CACHE/src; prints the folder.
fetch_source() {
  local tmp archive="" sum head
  tmp=$(mktemp -d "$CACHE/src/.tmp.XXXXXX")
  [ -n "${EDGE_GUARD_VENDOR_DIR:-}" ] && archive="$EDGE_GUARD_VENDOR_DIR/$P_ARCHIVE"
  if [ -n "$archive" ] && [ -f "$archive" ]; then
    sum=$(sha256sum "$archive" | cut -d' ' -f1)
    if [ "$sum" != "$P_SHA" ]; then
      rm -rf "$tmp"
      die "$archive has SHA-256 $sum but tools/third_party.tsv pins $P_SHA for $P_NAME $P_VERSION: not using it"
    fi
    tar -xzf "$archive" -C "$tmp" --strip-components=1 || die "cannot unpack $archive"
    echo "archive $P_ARCHIVE sha256 $P_SHA" >"$tmp/.edge-guard-source"
  elif say "cloning $P_REPO at $P_TAG (no $P_ARCHIVE in EDGE_GUARD_VENDOR_DIR)" &&
    git clone -q -c advice.detachedHead=false --depth 1 --branch "$P_TAG" "$P_REPO" "$tmp" >&2 2>/dev/null; then
    head=$(git -C "$tmp" rev-parse HEAD)
    if [ "$head" != "$P_COMMIT" ]; then
      rm -rf "$tmp"
      die "$P_REPO at $P_TAG is commit $head but tools/third_party.tsv pins $P_COMMIT for $P_NAME: not using it"
    fi
    echo "clone $P_REPO $P_TAG commit $P_COMMIT" >"$tmp/.edge-guard-source"
  else
    rm -rf "$tmp"
    die "cannot get $P_NAME $P_VERSION: put $P_ARCHIVE (sha256 $P_SHA) in the folder named by EDGE_GUARD_VENDOR_DIR (now: ${EDGE_GUARD_VENDOR_DIR:-unset}), or let \"git clone --branch $P_TAG $P_REPO\" reach GitHub"
  fi
  echo "$tmp"
}

# Prints the folder of NAME's checked source, fetching it once.
source_dir() {
  pin "$1"
  local dir="$CACHE/src/$P_NAME-$P_VERSION-${P_SHA:0:12}" tmp
  if [ ! -f "$dir/.edge-guard-source" ]; then
    mkdir -p "$CACHE/src"
    tmp=$(fetch_source)
    rm -rf "$dir"
    mv "$tmp" "$dir"
  fi
  echo "$dir"
}

# Prints the path of the `auth` binary built from the pinned Supabase Auth source.
build_auth() {
  local src bin
  src=$(source_dir supabase-auth)
  pin supabase-auth
  bin="$CACHE/bin/auth-$P_VERSION-${P_SHA:0:12}"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null ||
      die "building Supabase Auth $P_VERSION needs Go 1.26 or later on the PATH (its go.mod asks for it)"
    mkdir -p "$CACHE/bin"
    go_build() {
      (cd "$src/$P_BUILD" && CGO_ENABLED=0 go build -trimpath \
        -ldflags "-X github.com/supabase/auth/internal/utilities.Version=v$P_VERSION" -o "$bin.tmp" .) \
        >"$CACHE/bin/auth-build.log" 2>&1
    }
    if ! with_progress "building Supabase Auth $P_VERSION from source (cached in $CACHE/bin)" 120 go_build; then
      tail -n 40 "$CACHE/bin/auth-build.log" >&2
      die "go build of Supabase Auth $P_VERSION failed (last lines above; all in $CACHE/bin/auth-build.log)"
    fi
    mv "$bin.tmp" "$bin"
  fi
  echo "$bin"
}

# Builds NAME with PGXS and installs it into $PG_CONFIG's PostgreSQL, unless this exact build is there.
install_extension() {
  local src sudo="" stamp marker
  src=$(source_dir "$1")
  pin "$1"
  [ -x "$PG_CONFIG" ] || die "$PG_CONFIG is missing: install postgresql-server-dev-15"
  stamp="$CACHE/installed/$P_NAME-$P_VERSION-${P_SHA:0:12}-$("$PG_CONFIG" --version | tr -c 'A-Za-z0-9.\n' _)"
  if [ "$P_NAME" = supautils ]; then
    marker="$("$PG_CONFIG" --pkglibdir)/supautils.so"
  else
    marker="$("$PG_CONFIG" --sharedir)/extension/$P_NAME.control"
  fi
  if [ -f "$stamp" ] && [ -f "$marker" ] && cmp -s "$stamp" "$marker"; then return; fi
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  pgxs_make() { make -s -C "$src/$P_BUILD" PG_CONFIG="$PG_CONFIG" -j2 >&2; }
  with_progress "building $P_NAME $P_VERSION with PGXS for $("$PG_CONFIG" --version)" 20 pgxs_make ||
    die "make of $P_NAME $P_VERSION failed (output above)"
  $sudo make -s -C "$src/$P_BUILD" PG_CONFIG="$PG_CONFIG" install >&2 || die "make install of $P_NAME failed"
  mkdir -p "$CACHE/installed"
  cp "$marker" "$stamp"
  say "installed $P_NAME $P_VERSION"
}

locked() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9
}

case "${1:-}" in
  env)
    locked
    for e in "${EXTENSIONS[@]}"; do install_extension "$e"; done
    echo "EDGE_GUARD_AUTH_BIN=$(build_auth)"
    echo "EDGE_GUARD_AUTH_MIGRATIONS=$(source_dir supabase-auth)/migrations"
    ;;
  source) locked && source_dir "${2:?name}" ;;
  build-auth) locked && build_auth ;;
  install-extension) locked && install_extension "${2:?name}" ;;
  *)
    echo "usage: tools/third_party.sh env | source NAME | build-auth | install-extension NAME" >&2
    exit 2
    ;;
esac
