#!/usr/bin/env bash
# Builds the two service images the testkit needs, from Debian packages only:
#
#   backend-sandbox/redis:7      (Debian's redis-server 7.0)   override: SANDBOX_REDIS_IMAGE
#   backend-sandbox/postgres:15  (Debian's postgresql-15)       override: SANDBOX_POSTGRES_IMAGE
#
# Why: some machines (CI sandboxes, air-gapped labs) reach the Debian mirror and the npm registry
# but no container registry, so `redis:7` / `postgres:15` cannot be pulled. Docker itself runs fine
# there, so we assemble a root filesystem with debootstrap and turn it into an image with
# `docker import`. The images behave like the official ones as far as @testcontainers/redis and
# @testcontainers/postgresql (v12) and the testkit rely on: same entrypoint conventions, same
# environment variables, same ports, `redis-cli` / `psql` / `pg_isready` on PATH, a shell, awk and
# bash for Testcontainers' internal port check. See docs/offline-images.md.
#
# Usage: scripts/build-service-images.sh [--force] [--refresh-base] [redis|postgres ...]
#   --force         rebuild the images even if they already exist
#   --refresh-base  also re-run debootstrap instead of reusing the cached base root filesystem
#   redis|postgres  build only these (default: both)
#
# Environment:
#   SANDBOX_REDIS_IMAGE, SANDBOX_POSTGRES_IMAGE  image tags (defaults above)
#   SANDBOX_DEBIAN_MIRROR  Debian mirror to use (default: read from this machine's apt sources)
#   SANDBOX_DEBIAN_SUITE   Debian suite (default: bookworm, which ships redis 7.0 and postgresql-15)
#   XDG_CACHE_HOME         cache root (default: ~/.cache); cache in $XDG_CACHE_HOME/backend-sandbox/service-images/
set -euo pipefail

# The tags are written once, in packages/testkit/service-images.json ("offline").
IMAGES_JSON="$(dirname "$0")/../packages/testkit/service-images.json"
offline_tag() { node -p "require(process.argv[1]).offline.$1" "$(realpath "$IMAGES_JSON")"; }
REDIS_IMAGE="${SANDBOX_REDIS_IMAGE:-$(offline_tag redis)}"
POSTGRES_IMAGE="${SANDBOX_POSTGRES_IMAGE:-$(offline_tag postgres)}"
SUITE="${SANDBOX_DEBIAN_SUITE:-bookworm}"
PG_MAJOR=15
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/backend-sandbox/service-images"
SCRIPT_START=$SECONDS

log() { printf '[build-service-images] %s\n' "$*"; }
die() {
  printf '[build-service-images] error: %s\n' "$*" >&2
  exit 1
}
elapsed() { printf '%ss' "$((SECONDS - $1))"; }

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

FORCE=0
REFRESH_BASE=0
WANT=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --refresh-base) REFRESH_BASE=1 FORCE=1 ;;
    redis | postgres) WANT+=("$arg") ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done
[ "${#WANT[@]}" -gt 0 ] || WANT=(redis postgres)

# --- preflight: fail early with a message that says what to do ------------------------------------
command -v docker >/dev/null 2>&1 ||
  die "docker CLI not found. On Debian/Ubuntu: apt-get install docker.io (then scripts/start-docker.sh)"
docker info >/dev/null 2>&1 ||
  die "the Docker engine does not answer ('docker info' failed). Start it with scripts/start-docker.sh"

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
image_tag() { if [ "$1" = redis ]; then echo "$REDIS_IMAGE"; else echo "$POSTGRES_IMAGE"; fi; }

TODO=()
for name in "${WANT[@]}"; do
  tag="$(image_tag "$name")"
  if [ "$FORCE" = 0 ] && image_exists "$tag"; then
    log "$tag already exists, skipping (use --force to rebuild)"
  else
    TODO+=("$name")
  fi
done
if [ "${#TODO[@]}" -eq 0 ]; then
  log "nothing to do"
  exit 0
fi

# Only needed when we really build something, so that a machine with the images but without
# debootstrap can still run this script as a no-op check.
command -v debootstrap >/dev/null 2>&1 ||
  die "debootstrap not found. On Debian/Ubuntu: apt-get install debootstrap"
[ "$(id -u)" = 0 ] || die "debootstrap and chroot need root: run 'sudo $0 $*'"

# --- Debian mirror: the one this machine's apt already uses for "$SUITE main" ----------------------
# We never hard-code a mirror: the machine's apt sources know which one is reachable (a local
# mirror, a proxy, a snapshot). Both formats are read: one-line "deb [opts] URI suite comp..." in
# *.list files and deb822 paragraphs (Types/URIs/Suites/Components) in *.sources files. Only an
# entry listing exactly "$SUITE" (not "$SUITE-security"/"$SUITE-updates") with component "main"
# qualifies; among those, a URI ending in /debian is preferred over third-party repositories.
find_mirror() {
  local files=() f
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ "${#files[@]}" -gt 0 ] || return 0
  awk -v suite="$SUITE" '
    function has(list, word) { return (" " list " ") ~ (" " word " ") }
    function emit(uri) { if (uri ~ /^(https?|file):/) print uri }
    function flush(   n, i, u) {
      if (has(types, "deb") && tolower(enabled) != "no" && has(suites, suite) && has(comps, "main")) {
        n = split(uris, u, /[ \t]+/)
        for (i = 1; i <= n; i++) emit(u[i])
      }
      types = uris = suites = comps = enabled = key = ""
    }
    FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
    /^[ \t]*#/ { next }
    !deb822 {
      line = $0; sub(/#.*/, "", line)
      if (line ~ /^[ \t]*deb[ \t]/) {
        gsub(/\[[^]]*\]/, "", line)           # drop [arch=... signed-by=...] options
        n = split(line, w, /[ \t]+/); i = (w[1] == "" ? 2 : 1)
        uri = w[i + 1]; s = w[i + 2]; c = ""
        for (k = i + 3; k <= n; k++) c = c " " w[k]
        if (s == suite && has(c, "main")) emit(uri)
      }
      next
    }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { v = $0; gsub(/^[ \t]+|[ \t]+$/, "", v)  # continuation line of a multi-line field
               if (key == "uris") uris = uris " " v; else if (key == "suites") suites = suites " " v
               else if (key == "components") comps = comps " " v; next }
    {
      key = tolower(substr($0, 1, index($0, ":") - 1)); v = substr($0, index($0, ":") + 1)
      gsub(/^[ \t]+|[ \t]+$/, "", v)
      if (key == "types") types = v; else if (key == "uris") uris = v
      else if (key == "suites") suites = v; else if (key == "components") comps = v
      else if (key == "enabled") enabled = v
    }
    END { flush() }
  ' "${files[@]}" | awk '{ if ($0 ~ /\/debian\/?$/) print 0, $0; else print 1, $0 }' |
    sort -s -k1,1n | head -n 1 | cut -d' ' -f2-
}

# --- working area, locking and cleanup --------------------------------------------------------------
mkdir -p "$CACHE_DIR/debs"
# Two concurrent runs (e.g. parallel CI jobs) would fight over the cache and the tags.
exec 9>"$CACHE_DIR/.lock"
if command -v flock >/dev/null 2>&1; then
  flock -n 9 || {
    log "another build holds $CACHE_DIR/.lock, waiting for it"
    flock 9
  }
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/backend-sandbox-images.XXXXXX")"
MOUNTS=()
cleanup() {
  local m
  for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null || true; done
  # --one-file-system: never follow a mount that could still be inside the chroot.
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
BASE_TAR="$CACHE_DIR/debian-$SUITE-minbase-$ARCH.tar"

# One debootstrap run serves both images: the minimal base (with fresh apt lists) is cached as a
# tarball and unpacked once per image, which then only installs its own packages. Downloaded .deb
# files are cached too, so a rebuild (--force) mostly works offline and takes seconds.
build_base() {
  if [ "$REFRESH_BASE" = 0 ] && [ -s "$BASE_TAR" ]; then
    log "reusing cached base root filesystem $BASE_TAR"
    return
  fi
  local mirror="${SANDBOX_DEBIAN_MIRROR:-$(find_mirror)}"
  [ -n "$mirror" ] || die "no apt source for '$SUITE main' found in /etc/apt/sources.list{,.d/*}; set SANDBOX_DEBIAN_MIRROR"
  local t0=$SECONDS root="$WORK/base"
  log "debootstrap --variant=minbase $SUITE from $mirror (a minute or two; output in $WORK/debootstrap.log)"
  if ! debootstrap --variant=minbase --cache-dir="$CACHE_DIR/debs" "$SUITE" "$root" "$mirror" \
    >"$WORK/debootstrap.log" 2>&1; then
    tail -n 30 "$WORK/debootstrap.log" >&2
    die "debootstrap failed (see above)"
  fi
  log "debootstrap done in $(elapsed "$t0"); refreshing apt lists"
  # Resolve package names once here; per-image steps then do not need to fetch indexes again.
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  chroot "$root" apt-get -qq update >"$WORK/apt-update.log" 2>&1 ||
    { cat "$WORK/apt-update.log" >&2; die "apt-get update in the base failed"; }
  # /dev holds device nodes from debootstrap; Docker supplies its own /dev, so do not ship them.
  # The .debs debootstrap left behind are already in the shared cache; apt's *.bin caches rebuild.
  tar -C "$root" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/cache/apt/*.bin' \
    -cf "$BASE_TAR.tmp" .
  mv "$BASE_TAR.tmp" "$BASE_TAR"
  rm -rf --one-file-system "$root"
  log "base cached as $BASE_TAR ($(du -h "$BASE_TAR" | cut -f1)) in $(elapsed "$t0")"
}

# Unpacks the base into a fresh folder ($ROOT) and makes it usable for apt/dpkg inside a chroot.
# (Sets a global rather than printing the path: $(...) would run it in a subshell and lose MOUNTS.)
ROOT=""
new_root() {
  local root="$WORK/$1"
  ROOT="$root"
  mkdir -p "$root"
  tar -C "$root" --numeric-owner -xpf "$BASE_TAR"
  mkdir -p "$root/dev" "$root/proc"
  [ -e "$root/dev/null" ] || mknod -m 666 "$root/dev/null" c 1 3
  [ -e "$root/dev/urandom" ] || mknod -m 666 "$root/dev/urandom" c 1 9
  [ -e "$root/dev/random" ] || mknod -m 666 "$root/dev/random" c 1 8
  # Some maintainer scripts read /proc; a container without mount rights can still do without.
  if mount -t proc proc "$root/proc" 2>/dev/null; then MOUNTS+=("$root/proc"); fi
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  # Nothing may start a service inside the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
}

# apt-get install inside the chroot, using (and refilling) the shared .deb cache.
chroot_install() {
  local root="$1" t0=$SECONDS
  shift
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y --no-install-recommends
    -o Dpkg::Options::=--force-confold -o APT::Sandbox::User=root)
  find "$CACHE_DIR/debs" -maxdepth 1 -name '*.deb' -exec cp -t "$root/var/cache/apt/archives/" {} + 2>/dev/null || true
  if ! chroot "$root" "${apt[@]}" install "$@" >>"$WORK/apt.log" 2>&1; then
    # Stale lists in the cached base (the mirror moved on to a new point release): refresh, retry.
    log "install failed, refreshing apt lists and retrying"
    chroot "$root" apt-get -qq update >>"$WORK/apt.log" 2>&1 || true
    chroot "$root" "${apt[@]}" install "$@" >>"$WORK/apt.log" 2>&1 ||
      { tail -n 40 "$WORK/apt.log" >&2; die "apt-get install $* failed (see above)"; }
  fi
  find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n -t "$CACHE_DIR/debs/" {} + 2>/dev/null || true
  log "  installed $* in $(elapsed "$t0")"
}

# Drops what a service container never needs, and what Docker provides at run time.
slim_root() {
  local root="${1:?}" m
  for m in "${MOUNTS[@]}"; do
    if [ "$m" = "$root/proc" ]; then umount -l "$m" 2>/dev/null || true; fi
  done
  rm -f "$root/usr/sbin/policy-rc.d"
  rm -rf --one-file-system "${root:?}"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/lintian/* "$root"/usr/share/linda/* \
    "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/var/tmp/* \
    "${root:?}"/dev/* "${root:?}"/proc/*
  # Translations: keep only the alias file (C.UTF-8 messages are built in).
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  # Docker bind-mounts its own resolv.conf, hosts and hostname.
  : >"$root/etc/resolv.conf"
  rm -f "$root/etc/hostname"
  [ -e "$root/etc/machine-id" ] && : >"$root/etc/machine-id"
  # Keep later `apt-get install` runs in a derived container from bringing docs back.
  mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-exclude /usr/share/man/*' \
    'path-exclude /usr/share/info/*' >"$root/etc/dpkg/dpkg.cfg.d/backend-sandbox-nodoc"
}

# `docker import` flattens the folder into a one-layer image; --change sets what a Dockerfile would.
import_root() {
  local root="$1" tag="$2"
  shift 2
  local old t0=$SECONDS
  log "  docker import $tag"
  old="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
  local args=() c
  for c in "$@"; do args+=(--change "$c"); done
  tar -C "$root" --numeric-owner -c . | docker import "${args[@]}" \
    --message "built by scripts/build-service-images.sh from Debian $SUITE packages" - "$tag" >/dev/null
  # After --force the previous image is left untagged; drop it unless a container still uses it.
  if [ -n "$old" ] && [ "$old" != "$(docker image inspect --format '{{.Id}}' "$tag")" ]; then
    docker rmi "$old" >/dev/null 2>&1 || true
  fi
  log "built $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'), import took $(elapsed "$t0"))"
}

# --- redis ----------------------------------------------------------------------------------------
build_redis() {
  local t0=$SECONDS root
  log "redis: installing redis-server into a copy of the base"
  new_root redis
  root="$ROOT"
  chroot_install "$root" redis-server redis-tools
  mkdir -p "$root/data" "$root/usr/local/bin"
  chroot "$root" chown redis:redis /data
  # Entrypoint compatible with the official image's: `docker run img --port 7000` and
  # `docker run img /path/redis.conf` run redis-server; anything else (bash, redis-cli) runs as is.
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/bash
# Entrypoint of backend-sandbox/redis (scripts/build-service-images.sh), modelled on the official
# redis image's: first argument "-..." or "*.conf" means "arguments for redis-server".
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ]; then
  shift
  # The official image compiles redis with protected mode off; Debian's binary keeps it on when
  # no config file is given, which refuses clients from outside the container without a password.
  # Put the default first so a later --protected-mode yes (or a config file) still wins.
  if [ "${1%.conf}" != "${1:-}" ]; then
    conf="$1"
    shift
    set -- redis-server "$conf" "$@"
  else
    set -- redis-server --protected-mode no "$@"
  fi
  # Like the official image: fix ownership of /data (e.g. a bind mount), then drop root.
  if [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' + 2>/dev/null || true
    umask 0077
    export HOME=/var/lib/redis
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi

exec "$@"
EOF
  chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
  slim_root "$root"
  import_root "$root" "$REDIS_IMAGE" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'WORKDIR /data' \
    'EXPOSE 6379' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' \
    'CMD ["redis-server"]'
  rm -rf --one-file-system "$root"
  log "redis: done in $(elapsed "$t0")"
}

# --- postgres -------------------------------------------------------------------------------------
build_postgres() {
  local t0=$SECONDS root
  log "postgres: installing postgresql-$PG_MAJOR into a copy of the base"
  new_root postgres
  root="$ROOT"
  # As in the official image: no "main" cluster from the package; the entrypoint runs initdb.
  mkdir -p "$root/etc/postgresql-common/createcluster.d"
  echo 'create_main_cluster = false' >"$root/etc/postgresql-common/createcluster.d/backend-sandbox.conf"
  chroot_install "$root" "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR"
  # JIT is off the path of every test query yet costs ~120 MB (LLVM). Without llvmjit.so the server
  # silently runs with JIT disabled, exactly as a build without --with-llvm would.
  rm -rf "$root/usr/lib/postgresql/$PG_MAJOR/lib/llvmjit"*.so "$root/usr/lib/postgresql/$PG_MAJOR/lib/bitcode"
  chroot "$root" dpkg --purge --force-depends libllvm14 libz3-4 >>"$WORK/apt.log" 2>&1 || true
  # Official image: the sample config listens on all addresses; the entrypoint overrides it with
  # listen_addresses='' while initialising, so clients only get in once setup is complete.
  sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" \
    "$root/usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample"
  grep -q "^listen_addresses = '\*'" "$root/usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample" ||
    die "could not set listen_addresses in postgresql.conf.sample"
  mkdir -p "$root/var/lib/postgresql/data" "$root/var/run/postgresql" "$root/docker-entrypoint-initdb.d" \
    "$root/usr/local/bin"
  chroot "$root" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
  chmod 700 "$root/var/lib/postgresql/data"
  chmod 3777 "$root/var/run/postgresql"
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/usr/bin/env bash
# Entrypoint of backend-sandbox/postgres (scripts/build-service-images.sh): a compact version of
# the official postgres image's docker-entrypoint.sh on top of Debian's postgresql packages.
# Honours POSTGRES_USER (default postgres), POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE),
# POSTGRES_DB (default: the user name), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD and
# /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz.
set -Eeuo pipefail

# `docker run img -c fsync=off` means `postgres -c fsync=off`.
if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi
# Anything else (bash, psql, pg_isready ...) runs as given.
if [ "$1" != postgres ]; then
  exec "$@"
fi

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

# As root: prepare folders (they may be fresh volumes), then run this script again as postgres.
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chmod 00700 "$PGDATA" || :
  chown postgres:postgres /var/run/postgresql
  chmod 03775 /var/run/postgresql
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
  export HOME=/var/lib/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  POSTGRES_PASSWORD="$(<"$POSTGRES_PASSWORD_FILE")"
fi
: "${POSTGRES_USER:=postgres}" "${POSTGRES_PASSWORD:=}" "${POSTGRES_INITDB_ARGS:=}"
: "${POSTGRES_DB:=$POSTGRES_USER}" "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       Set POSTGRES_PASSWORD to a non-empty value for the superuser, or use
       POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password.
MSG
    exit 1
  fi

  # UTF8 and the C.UTF-8 locale (built into Debian's glibc, no locales package needed).
  initdb_args=(--username="$POSTGRES_USER" --encoding=UTF8 --locale=C.UTF-8)
  # The password goes through a pipe, never the command line. (The <(...) must sit on the initdb
  # command itself: one stored in an array is already closed when initdb runs.)
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
  if [ -n "$POSTGRES_PASSWORD" ]; then
    initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
  else
    initdb "${initdb_args[@]}" $POSTGRES_INITDB_ARGS
  fi

  # Local socket and loopback stay "trust" (initdb's default, as in the official image: docker
  # exec psql -U user works); connections from outside the container need the password.
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

  # Temporary server on the unix socket only, so nobody connects before setup is done. It logs
  # the first "database system is ready to accept connections"; the final server logs the second.
  PGUSER="$POSTGRES_USER" pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start

  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
  if [ "$POSTGRES_DB" != postgres ]; then
    exists="$("${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" --tuples-only \
      <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
    if [ -z "${exists//[[:space:]]/}" ]; then
      "${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";' >/dev/null
    fi
  fi

  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          echo "$0: running $f"
          "$f"
        else
          echo "$0: sourcing $f"
          # shellcheck disable=SC1090
          . "$f"
        fi
        ;;
      *.sql) echo "$0: running $f" && "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "$0: running $f" && gunzip -c "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" ;;
      *) echo "$0: ignoring $f" ;;
    esac
  done
  unset PGPASSWORD

  pg_ctl -D "$PGDATA" -m fast -w stop
  echo
  echo 'PostgreSQL init process complete; ready for start up.'
  echo
else
  echo
  echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
  echo
fi

# The official image sets STOPSIGNAL SIGINT ("fast" shutdown), but `docker import` cannot set a
# stop signal. So postgres runs as our child and we translate: `docker stop` (SIGTERM) becomes
# SIGINT, instead of a "smart" shutdown that waits for every client to leave and gets killed.
"$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || :' TERM INT
trap 'kill -QUIT "$pid" 2>/dev/null || :' QUIT
trap 'kill -HUP "$pid" 2>/dev/null || :' HUP
while :; do
  status=0
  wait "$pid" || status=$?
  # wait returns early when a trapped signal arrives; keep waiting while postgres still runs.
  kill -0 "$pid" 2>/dev/null || break
done
exit "$status"
EOF
  chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
  slim_root "$root"
  import_root "$root" "$POSTGRES_IMAGE" \
    "ENV PATH=/usr/lib/postgresql/$PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "ENV PG_MAJOR=$PG_MAJOR" \
    'ENV PGDATA=/var/lib/postgresql/data' \
    'ENV LANG=C.UTF-8' \
    'EXPOSE 5432' \
    'ENTRYPOINT ["docker-entrypoint.sh"]' \
    'CMD ["postgres"]'
  rm -rf --one-file-system "$root"
  log "postgres: done in $(elapsed "$t0")"
}

build_base
for name in "${TODO[@]}"; do
  "build_$name"
done
log "all done in $(elapsed "$SCRIPT_START")"
