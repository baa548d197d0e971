# Helpers shared by scripts/run and scripts/test. Sourced, not executed.
# Everything here is idempotent: a second run finds what the first one installed.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Build outputs live outside the clone, so a fresh clone (CI) reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/pomoshnik/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# One-shot builds gain nothing from incremental caches, which grow by gigabytes a day.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'ошибка: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "нужны права root (или sudo) для: $*"
  fi
}

APT_UPDATED=0
# ensure_apt PKG...: installs the Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -q; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The native build needs a C compiler (bundled SQLite) and libpq for diesel's PostgreSQL.
ensure_native_build_deps() {
  command -v cargo >/dev/null || die "cargo не найден: установите Rust через rustup"
  ensure_apt build-essential pkg-config libpq-dev ca-certificates
}

ensure_rust_tools() {
  cargo fmt --version >/dev/null 2>&1 || die "нет rustfmt в наборе Rust (rustup component add rustfmt)"
  cargo clippy --version >/dev/null 2>&1 || die "нет clippy в наборе Rust (rustup component add clippy)"
}

# start_postgres: a throwaway PostgreSQL server as the postgres user, in a temp dir, on a
# free loopback port. Sets PG_URL and registers its cleanup in PG_CLEANUP.
start_postgres() {
  ensure_apt postgresql
  local bindir
  bindir="$(pg_config --bindir 2>/dev/null || true)"
  if [ ! -x "$bindir/initdb" ]; then
    bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  fi
  [ -x "$bindir/initdb" ] || die "не найден initdb PostgreSQL"
  id postgres >/dev/null 2>&1 || die "нет системного пользователя postgres"
  PG_DIR="$(mktemp -d /tmp/pomoshnik-pg.XXXXXX)"
  chown postgres "$PG_DIR"
  PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  as_root runuser -u postgres -- "$bindir/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; die "initdb не удался"; }
  as_root runuser -u postgres -- "$bindir/pg_ctl" -D "$PG_DIR/data" -w -t 60 -l "$PG_DIR/log" \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start >/dev/null \
    || { cat "$PG_DIR/log" >&2; die "PostgreSQL не запустился"; }
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  PG_BINDIR="$bindir"
  export PG_URL
  log "PostgreSQL on port $PG_PORT"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
    as_root runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

# --- deployment (scripts/package, scripts/test-deploy) -------------------------------------

# cargo-deb builds the Debian package; pinned so the package's layout does not change under
# us. Installed once into ~/.cargo/bin like the other cargo tools.
CARGO_DEB_VERSION=3.8.0
ensure_cargo_deb() {
  if [ "$(cargo deb --version 2>/dev/null | awk '{ print $2 }')" != "$CARGO_DEB_VERSION" ]; then
    log "cargo install cargo-deb $CARGO_DEB_VERSION"
    cargo install --locked cargo-deb --version "$CARGO_DEB_VERSION" --force
  fi
}

# ensure_apt_no_start PKG...: like ensure_apt, for packages that start (and enable) a
# daemon on install (nginx, prometheus): we need their tools (nginx -t, promtool), not the
# daemons. A policy-rc.d forbids starting for the install (an existing one is left alone),
# and the units the install enabled are disabled again.
ensure_apt_no_start() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local policy=/usr/sbin/policy-rc.d placed=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# scripts/lib.sh: no daemon starts during this install\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    placed=1
  fi
  local status=0
  ensure_apt "${missing[@]}" || status=$?
  [ "$placed" -eq 1 ] && as_root rm -f "$policy"
  [ "$status" -eq 0 ] || die "не удалось установить: ${missing[*]}"
  for pkg in "${missing[@]}"; do
    case "$pkg" in nginx | prometheus)
      as_root systemctl disable --quiet "$pkg.service" 2>/dev/null || true
      as_root systemctl stop "$pkg.service" 2>/dev/null || true
      ;;
    esac
  done
}

# What scripts/test-deploy checks with: nginx (with the brotli module the recipe loads),
# promtool (Debian's prometheus), systemd-analyze, openssl for a throwaway certificate.
ensure_deploy_tools() {
  ensure_apt systemd openssl curl dpkg-dev
  ensure_apt_no_start nginx libnginx-mod-http-brotli-static prometheus
  ensure_cargo_deb
}
