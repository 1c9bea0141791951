#!/usr/bin/env bash
# Stop exactly the pcscd that scripts/pcscd-start.sh started (by its pid file) and delete the
# network namespace it created; idempotent. A pcscd this script did not start is left alone.
set -euo pipefail
# shellcheck source=scripts/pcscd-lib.sh
. "$(dirname "$0")/pcscd-lib.sh"

if [ -f "$PCSCD_EXTERNAL_FILE" ]; then
  pcsc_log "pcscd was not started by pcscd-start.sh; leaving it running"
  rm -f "$PCSCD_EXTERNAL_FILE"
fi

if [ -f "$PCSCD_PIDFILE" ]; then
  pid="$(cat "$PCSCD_PIDFILE")"
  if pid_is_pcscd "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      pid_is_pcscd "$pid" || break
      # a zombie (reparented, not yet reaped) has stopped already
      [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo X)" = "Z" ] && break
      sleep 0.1
    done
    if pid_is_pcscd "$pid" && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo X)" != "Z" ]; then
      pcsc_log "pcscd pid $pid ignored SIGTERM for 5s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      # pcscd removes these itself on a clean exit; after SIGKILL they are stale
      rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
    fi
    pcsc_log "stopped pcscd pid $pid"
  else
    pcsc_log "pid file names $pid, which is not a running pcscd; not killing anything"
  fi
  rm -f "$PCSCD_PIDFILE"
fi

if [ -f "$PCSCD_NETNS_FILE" ]; then
  ns="$(cat "$PCSCD_NETNS_FILE")"
  if ip netns list 2>/dev/null | grep -qw "^$ns"; then
    ip netns del "$ns" || pcsc_log "could not delete network namespace $ns"
  fi
  rm -f "$PCSCD_NETNS_FILE"
fi
exit 0
