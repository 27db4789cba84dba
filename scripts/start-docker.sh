#!/usr/bin/env bash
# Makes sure a Docker engine answers, starting the local dockerd if it is installed but not running.
#
# Why: on CI sandboxes and fresh VMs Docker is often installed (Debian's docker.io) but no init
# system starts it. The testkit's `auto` provider only picks Testcontainers when an engine answers,
# and scripts/build-service-images.sh needs one too.
#
# Idempotent: does nothing when `docker info` already works (a running engine, Docker Desktop,
# a remote DOCKER_HOST...). Otherwise starts `dockerd` in the background, logging to
# ${XDG_CACHE_HOME:-$HOME/.cache}/backend-sandbox/dockerd.log, and waits up to
# SANDBOX_DOCKER_WAIT seconds (default 30) for it to answer.
set -euo pipefail

WAIT="${SANDBOX_DOCKER_WAIT:-30}"
LOG_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/backend-sandbox"
LOG="$LOG_DIR/dockerd.log"

log() { printf '[start-docker] %s\n' "$*"; }
die() {
  printf '[start-docker] error: %s\n' "$*" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 ||
  die "docker CLI not found. On Debian/Ubuntu: apt-get install docker.io"

if docker info >/dev/null 2>&1; then
  log "Docker engine already answers ($(docker version --format '{{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo ok))"
  exit 0
fi

if [ -n "${DOCKER_HOST:-}" ] && [[ "$DOCKER_HOST" != unix://* ]]; then
  die "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine (this script only starts a local dockerd)"
fi

DOCKERD="$(command -v dockerd || true)"
[ -n "$DOCKERD" ] || die "no Docker engine answers and dockerd is not installed (apt-get install docker.io), or use SANDBOX_SERVICES=native|external"

# Another start may be in progress (a dockerd process exists but the socket is not up yet):
# then only wait for it instead of launching a second daemon that would fight over its pid file.
if pgrep -x dockerd >/dev/null 2>&1; then
  log "dockerd is already running but does not answer yet; waiting"
else
  [ "$(id -u)" = 0 ] || die "dockerd needs root: run 'sudo $0'"
  mkdir -p "$LOG_DIR"
  log "starting dockerd in the background (log: $LOG)"
  # setsid + nohup: the daemon must outlive this script and the shell that ran it.
  setsid nohup "$DOCKERD" >>"$LOG" 2>&1 </dev/null &
fi

for ((i = 0; i < WAIT; i++)); do
  if docker info >/dev/null 2>&1; then
    log "Docker engine answers after ${i}s ($(docker version --format '{{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo ok))"
    exit 0
  fi
  sleep 1
done

[ -f "$LOG" ] && tail -n 20 "$LOG" >&2
die "Docker engine did not answer within ${WAIT}s (see $LOG)"
