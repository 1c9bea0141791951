#!/usr/bin/env bash
# Start pcscd (pcsc-lite) with the vsmartcard vpcd readers for end-to-end tests; idempotent.
#
#   scripts/pcscd-start.sh          # then: scripts/pcscd-stop.sh
#
# pcscd runs in the foreground (`-f`, OpenSC's restart-pcscd.sh pattern) as a background job of
# this script, inside the private network namespace $SSCARD_PCSC_NETNS (see pcscd-lib.sh for why),
# with APDU + debug logging (`-a -d`) into $SSCARD_PCSCD_DIR/pcscd.log. We wait until it answers
# PC/SC requests and lists "Virtual PCD 00 00" and "Virtual PCD 00 01".
#
# Exit codes: 0 ready; 1 failed; 2 prerequisites missing (pcscd / vpcd driver / netns support).
#
# Environment:
#   SSCARD_PCSCD_DIR      state dir (pid file, log, netns marker); default $TMPDIR/sscard-pcscd
#   SSCARD_PCSC_NETNS     network namespace name; default sscard-pcsc
#   SSCARD_PCSC_HOSTNET=1 run pcscd on the host network when a netns can't be created
#                         (vpcd then listens on 0.0.0.0:35963/35964 — only do this on a box
#                         where that is acceptable)
#   SSCARD_PCSC_HOSTNET_FALLBACK=1  the same, but only when the netns cannot be created (.ci/run)
#   SSCARD_PCSCD_TIMEOUT  seconds to wait for readiness; default 15
set -euo pipefail
# shellcheck source=scripts/pcscd-lib.sh
. "$(dirname "$0")/pcscd-lib.sh"

timeout_s="${SSCARD_PCSCD_TIMEOUT:-15}"

# --- prerequisites -----------------------------------------------------------------------------
for tool in pcscd opensc-tool timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    pcsc_log "missing '$tool' (Debian: pcscd opensc coreutils); see scripts/setup.sh"
    exit 2
  fi
done
if ! grep -qsl 'libifdvpcd' /etc/reader.conf.d/* 2>/dev/null; then
  pcsc_log "no vpcd entry in /etc/reader.conf.d (Debian package vsmartcard-vpcd)"
  exit 2
fi
mkdir -p "$SSCARD_PCSCD_DIR"

# --- already running? --------------------------------------------------------------------------
if [ -f "$PCSCD_PIDFILE" ]; then
  pid="$(cat "$PCSCD_PIDFILE")"
  if pid_is_pcscd "$pid"; then
    if vpcd_readers_present; then
      pcsc_log "already running (pid $pid, started by this script); nothing to do"
      exit 0
    fi
    pcsc_log "our pcscd (pid $pid) does not list the vpcd readers; restarting it"
    "$(dirname "$0")/pcscd-stop.sh"
  else
    pcsc_log "stale pid file $PCSCD_PIDFILE (pid $pid gone); cleaning up"
    "$(dirname "$0")/pcscd-stop.sh"
  fi
fi
mkdir -p "$SSCARD_PCSCD_DIR"

if [ -z "$(live_pcscd_pids)" ] && { [ -e "$PCSCD_SOCKET" ] || [ -e "$PCSCD_SYSTEM_PIDFILE" ]; }; then
  # No pcscd process is alive, so these are left over from one that was killed (a session or CI
  # job that ended without stopping it). A client would still connect to the dead socket path and
  # see "no readers"; remove them so the pcscd we start can create fresh ones.
  pcsc_log "removing stale $PCSCD_SOCKET / $PCSCD_SYSTEM_PIDFILE (no pcscd is running)"
  rm -f "$PCSCD_SOCKET" "$PCSCD_SYSTEM_PIDFILE"
fi

if [ -n "$(live_pcscd_pids)" ]; then
  # A pcscd we did not start (systemd socket activation, a developer's daemon, ...). Use it if it
  # serves the vpcd readers; never kill it (pcscd-stop.sh only stops what we started).
  if vpcd_readers_present; then
    pcsc_log "using an already running pcscd not started by this script (left running on stop)"
    pcsc_log "its vpcd sockets live in *its* network namespace (normally the host's)"
    rm -f "$PCSCD_NETNS_FILE"
    : >"$PCSCD_EXTERNAL_FILE"
    exit 0
  fi
  pcsc_log "a pcscd not started by this script is running but lists no vpcd readers:"
  readers_listing >&2 || true
  pcsc_log "stop it (e.g. systemctl stop pcscd.socket pcscd) and retry"
  exit 1
fi
rm -f "$PCSCD_EXTERNAL_FILE"

# --- network namespace -------------------------------------------------------------------------
prefix=()
if [ "${SSCARD_PCSC_HOSTNET:-0}" = "1" ]; then
  pcsc_log "SSCARD_PCSC_HOSTNET=1: vpcd will listen on 0.0.0.0:35963/35964 of the host network"
  rm -f "$PCSCD_NETNS_FILE"
else
  if ! command -v ip >/dev/null 2>&1; then
    pcsc_log "missing 'ip' (iproute2) to create the network namespace; or set SSCARD_PCSC_HOSTNET=1"
    exit 2
  fi
  if ! ip netns list 2>/dev/null | grep -qw "^$SSCARD_PCSC_NETNS"; then
    if ! ip netns add "$SSCARD_PCSC_NETNS" 2>"$SSCARD_PCSCD_DIR/netns.err"; then
      pcsc_log "cannot create network namespace $SSCARD_PCSC_NETNS ($(cat "$SSCARD_PCSCD_DIR/netns.err"));"
      if [ "${SSCARD_PCSC_HOSTNET_FALLBACK:-0}" != "1" ]; then
        pcsc_log "needs root/CAP_SYS_ADMIN, or set SSCARD_PCSC_HOSTNET=1 to use the host network"
        exit 2
      fi
      # CI sandboxes (.ci/run sets the fallback): better the e2e tests on the host network than
      # none. The card side still only connects to 127.0.0.1.
      pcsc_log "SSCARD_PCSC_HOSTNET_FALLBACK=1: vpcd will listen on 0.0.0.0:35963/35964 of the host network"
      SSCARD_PCSC_HOSTNET=1
    fi
    rm -f "$SSCARD_PCSCD_DIR/netns.err"
  fi
  if [ "${SSCARD_PCSC_HOSTNET:-0}" = "1" ]; then
    rm -f "$PCSCD_NETNS_FILE"
  else
    ip netns exec "$SSCARD_PCSC_NETNS" ip link set lo up
    echo "$SSCARD_PCSC_NETNS" >"$PCSCD_NETNS_FILE"
    prefix=(ip netns exec "$SSCARD_PCSC_NETNS")
  fi
fi

# --- start -------------------------------------------------------------------------------------
# -f: foreground (we own the process; logs go to stdout, not syslog)
# -a: log every APDU and response;  -d: debug level (shows vpcd's ATR presence polling too)
# No polkit flag: Debian's 1.9.9 is built without polkit ("Enabled features" in `pcscd -v`).
# setsid: own session, so a Ctrl-C aimed at a test run does not kill pcscd behind our back;
# pcscd-stop.sh stops it by pid. `ip netns exec` and `setsid` both exec, so $! is pcscd's pid.
echo "=== pcscd start $(date -Is)" >"$PCSCD_LOG"
setsid "${prefix[@]}" pcscd -f -a -d >>"$PCSCD_LOG" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$PCSCD_PIDFILE"
pcsc_log "started pcscd pid $pid (log $PCSCD_LOG${prefix[*]:+, netns $SSCARD_PCSC_NETNS})"

# --- wait until ready --------------------------------------------------------------------------
deadline=$((SECONDS + timeout_s))
while :; do
  if ! kill -0 "$pid" 2>/dev/null; then
    pcsc_log "pcscd exited during start-up; last log lines:"
    tail -n 20 "$PCSCD_LOG" >&2 || true
    rm -f "$PCSCD_PIDFILE"
    "$(dirname "$0")/pcscd-stop.sh" >/dev/null 2>&1 || true
    exit 1
  fi
  if vpcd_readers_present; then
    break
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    pcsc_log "pcscd (pid $pid) not ready after ${timeout_s}s; readers seen:"
    readers_listing >&2 || true
    tail -n 20 "$PCSCD_LOG" >&2 || true
    "$(dirname "$0")/pcscd-stop.sh" || true
    exit 1
  fi
  sleep 0.2
done
if ! pid_is_pcscd "$pid"; then
  pcsc_log "pid $pid is not pcscd ($(cat "/proc/$pid/comm" 2>/dev/null || echo gone))"
  exit 1
fi
pcsc_log "ready after $((SECONDS + timeout_s - deadline))s: ${VPCD_READERS[*]}"
