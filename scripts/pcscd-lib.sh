# shellcheck shell=bash
# Shared settings for scripts/pcscd-start.sh, pcscd-stop.sh and e2e-pcsc.sh (sourced, not run).
#
# Why a network namespace: the vsmartcard vpcd driver inside pcscd opens its card sockets with
# bind(INADDR_ANY) (vpcd.c opensock(); Debian's reader.conf "DEVICENAME /dev/null:0x8C7B" selects
# that server mode) and has no bind-address option, so on the host network it would listen on
# 0.0.0.0:35963/35964. We run pcscd inside a private network namespace whose only interface is
# `lo`: there "any address" means 127.0.0.1. PC/SC clients still reach pcscd through its Unix
# socket /run/pcscd/pcscd.comm (a file, shared by all network namespaces); only processes that
# play the *card* (connect to 35963/35964) must run inside the namespace (`ip netns exec`).

SSCARD_PCSCD_DIR="${SSCARD_PCSCD_DIR:-${TMPDIR:-/tmp}/sscard-pcscd}"
SSCARD_PCSC_NETNS="${SSCARD_PCSC_NETNS:-sscard-pcsc}"
PCSCD_PIDFILE="$SSCARD_PCSCD_DIR/pcscd.pid"     # pid of the pcscd *we* started
PCSCD_LOG="$SSCARD_PCSCD_DIR/pcscd.log"         # its stdout/stderr (-f -a -d)
PCSCD_NETNS_FILE="$SSCARD_PCSCD_DIR/netns"      # name of the netns we created (absent: host net)
PCSCD_EXTERNAL_FILE="$SSCARD_PCSCD_DIR/external" # present: a pcscd we did not start is in use
PCSCD_SOCKET="/run/pcscd/pcscd.comm"
PCSCD_SYSTEM_PIDFILE="/run/pcscd/pcscd.pid"     # written by pcscd itself
VPCD_READERS=("Virtual PCD 00 00" "Virtual PCD 00 01")

pcsc_log() { echo "[pcscd] $*" >&2; }

# pid_is_our_pcscd PID: the process exists and is a pcscd.
pid_is_pcscd() {
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "pcscd" ]
}

# live_pcscd_pids: pids of running (non-zombie) pcscd processes, any owner.
live_pcscd_pids() {
  local d pid
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    if [ "$(cat "$d/comm" 2>/dev/null)" = "pcscd" ] &&
      [ "$(awk '{print $3}' "$d/stat" 2>/dev/null)" != "Z" ]; then
      echo "$pid"
    fi
  done
}

# readers_listing: what a PC/SC client sees ("" when pcscd does not answer). opensc-tool is a
# plain PC/SC client (SCardEstablishContext + SCardListReaders); bounded by `timeout`.
readers_listing() {
  timeout 5 opensc-tool --list-readers 2>/dev/null || true
}

# vpcd_readers_present: both vpcd readers are listed.
vpcd_readers_present() {
  local listing r
  listing="$(readers_listing)"
  for r in "${VPCD_READERS[@]}"; do
    grep -qF "$r" <<<"$listing" || return 1
  done
  return 0
}

# card_side_prefix: the command prefix for a process that plays the card (connects to vpcd).
card_side_prefix() {
  if [ -f "$PCSCD_NETNS_FILE" ]; then
    echo "ip netns exec $(cat "$PCSCD_NETNS_FILE")"
  fi
}
