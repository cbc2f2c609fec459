#!/usr/bin/env bash
# Wait until no process holds the dpkg/apt locks, then exit 0; exit 1 with the holder's pid and command after a timeout.
#
#   bash scripts/wait-dpkg-lock.sh [TIMEOUT_SECONDS]          (default: $SEQPE_APT_LOCK_TIMEOUT, else 600)
#
# Why: on a freshly booted Debian/Ubuntu machine unattended-upgrades (or another apt-get) often holds the dpkg lock for
# minutes, and a plain `apt-get install` then fails at once with "Could not get lock /var/lib/dpkg/lock-frontend".
# apt-get's own `-o DPkg::Lock::Timeout=N` (scripts/setup.sh passes it too) waits only for the two dpkg locks and says
# nothing while it waits; `apt-get update` also takes /var/lib/apt/lists/lock. So we look at all three and say who holds
# them.
#
# How a lock is seen: dpkg and apt take POSIX (fcntl) locks, which flock(1)-based checks cannot see; /proc/locks lists
# every POSIX and flock lock as `N: TYPE ADVISORY WRITE PID MAJ:MIN:INODE START END` (hex device numbers), so a lock file
# is held when a line names its device and inode. Lines with `->` are waiters, not holders. Where /proc/locks cannot be
# read (not Linux) we return at once and leave the waiting to apt-get's DPkg::Lock::Timeout.
#
# Environment: SEQPE_DPKG_LOCKS (space-separated lock files to watch instead of the real ones: tests use it),
# SEQPE_APT_LOCK_TIMEOUT (seconds), SEQPE_APT_LOCK_POLL (seconds between looks, default 2).
set -euo pipefail

TIMEOUT="${1:-${SEQPE_APT_LOCK_TIMEOUT:-600}}"
POLL="${SEQPE_APT_LOCK_POLL:-2}"
read -r -a LOCKS <<< "${SEQPE_DPKG_LOCKS:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock}"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || { echo "wait-dpkg-lock: timeout '$TIMEOUT' is not a whole number of seconds" >&2; exit 2; }
[[ "$POLL" =~ ^[0-9]+([.][0-9]+)?$ && "$POLL" != 0 ]] || {
  echo "wait-dpkg-lock: SEQPE_APT_LOCK_POLL='$POLL' is not a positive number of seconds" >&2; exit 2; }
[[ -r /proc/locks ]] || exit 0

# The pid holding lock file $1, or nothing.
holder() {
  local f="$1" id
  [[ -e "$f" ]] || return 0
  id="$(stat -L -c '%Hd %Ld %i' "$f")" || return 0
  # shellcheck disable=SC2086
  set -- $id
  local key
  key="$(printf '%02x:%02x:%s' "$1" "$2" "$3")"
  awk -v key="$key" '$2 != "->" && $6 == key { print $5; exit }' /proc/locks
}

# "lockfile pid (command)" for the first held lock, or nothing.
held() {
  local f pid cmd
  for f in "${LOCKS[@]}"; do
    pid="$(holder "$f")"
    if [[ -n "$pid" ]]; then
      cmd="$(tr '\0\n' '  ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
      echo "$f is held by pid $pid (${cmd% })"
      return 0
    fi
  done
}

start=$SECONDS
said=""
while :; do
  h="$(held)"
  if [[ -z "$h" ]]; then
    [[ -n "$said" ]] && echo "wait-dpkg-lock: lock free after $((SECONDS - start)) s"
    exit 0
  fi
  if (( SECONDS - start >= TIMEOUT )); then
    echo "wait-dpkg-lock: gave up after ${TIMEOUT} s: $h." >&2
    echo "  Let it finish (or stop it), then rerun; wait longer with SEQPE_APT_LOCK_TIMEOUT=SECONDS." >&2
    exit 1
  fi
  if [[ "$h" != "$said" ]]; then
    echo "wait-dpkg-lock: $h; waiting up to ${TIMEOUT} s (SEQPE_APT_LOCK_TIMEOUT) ..."
    said="$h"
  fi
  sleep "$POLL"
done
