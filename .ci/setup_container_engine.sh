#!/usr/bin/env bash
# Start a Docker-API container engine and build the codegym sandbox image, for the Docker backend's tests.
#
# No Docker engine runs on the CI machines, but Debian's podman does (as root, with runc and the cgroupfs cgroup
# manager) and `podman system service` serves the Docker API that the docker SDK drives. No container registry is
# reachable there either, so the image is built from a debootstrap root filesystem (cached in
# /var/cache/codegym, so later runs only re-import it). Idempotent: every step is skipped when already done.
#
# Usage:  bash .ci/setup_container_engine.sh      (env: PYTHON, CODEGYM_PODMAN_SOCKET, CODEGYM_CACHE_DIR)
# Exit status 0: engine answering and image present. Non-zero: the Docker tests will skip, saying why.
set -euo pipefail

SOCKET="${CODEGYM_PODMAN_SOCKET:-/run/podman/podman.sock}"
URL="unix://${SOCKET}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  if [[ -x "$REPO/.venv/bin/python" ]]; then PYTHON="$REPO/.venv/bin/python"; else PYTHON="python3"; fi
fi
T0=$(date +%s)
step() { echo "[container-engine +$(( $(date +%s) - T0 ))s] $*"; }
fail() { echo "[container-engine] FAILED: $*" >&2; exit 1; }

ping_engine() { curl -sf --max-time 3 --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1; }

if ping_engine; then
  step "engine already answering at $URL"
else
  [[ "$(id -u)" == 0 ]] || fail "needs root to install and start podman (run as root, or start an engine yourself)"

  # 1. Packages.
  missing=()
  for pkg in podman runc debootstrap curl; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if (( ${#missing[@]} )); then
    step "installing ${missing[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || fail "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || fail "apt-get install failed"
  else
    step "podman, runc and debootstrap already installed"
  fi

  # 2. Engine configuration: runc, cgroupfs (no systemd here), file event log (no journald), and default ulimits
  #    within this machine's hard limits (podman's defaults exceed them and container start-up fails).
  nofile_hard=$(ulimit -Hn); nproc_hard=$(ulimit -Hu)
  nofile=4096; nproc=4096
  [[ "$nofile_hard" != unlimited && "$nofile_hard" -lt $nofile ]] && nofile=$nofile_hard
  [[ "$nproc_hard" != unlimited && "$nproc_hard" -lt $nproc ]] && nproc=$nproc_hard
  conf=$(cat <<CONF
# Written by codegym .ci/setup_container_engine.sh
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
)
  mkdir -p /etc/containers
  if [[ "$(cat /etc/containers/containers.conf 2>/dev/null)" != "$conf" ]]; then
    [[ -f /etc/containers/containers.conf && ! -f /etc/containers/containers.conf.orig ]] && \
      cp /etc/containers/containers.conf /etc/containers/containers.conf.orig
    printf '%s\n' "$conf" > /etc/containers/containers.conf
    step "wrote /etc/containers/containers.conf (runc, cgroupfs, ulimits nofile=$nofile nproc=$nproc)"
  fi

  # 3. The Docker-API service on a unix socket, detached so it outlives this script.
  mkdir -p "$(dirname "$SOCKET")"
  rm -f "$SOCKET"
  step "starting podman system service at $URL"
  # From /: conmon writes files such as "oom" (a container hit its memory limit) into its working directory.
  (cd / && setsid nohup podman system service --time=0 "$URL" >/var/log/codegym-podman-service.log 2>&1 < /dev/null &)
  for _ in $(seq 1 60); do ping_engine && break; sleep 0.5; done
  ping_engine || { tail -20 /var/log/codegym-podman-service.log >&2; fail "podman service did not answer at $URL"; }
  step "engine answering ($(podman --version))"
fi

# 4. The sandbox image (debootstrap root filesystem where no registry is reachable; cached tarball reused).
step "sandbox image: codegym sandbox build-image --if-missing"
CODEGYM_DOCKER_HOST="$URL" "$PYTHON" -m codegym.cli sandbox build-image --if-missing --base-url "$URL" \
  || fail "building the sandbox image failed"

# 5. Leftovers of earlier runs whose owner died.
"$PYTHON" -m codegym.cli sandbox prune --base-url "$URL" >/dev/null || true
step "ready: CODEGYM_DOCKER_HOST=$URL (the Docker backend also finds this socket by itself)"
