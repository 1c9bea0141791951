# shellcheck shell=bash
# Installing Debian packages the scripts need (sourced by setup.sh and demo.sh, not run).
#
# ensure_debs WHY PKG...: install the packages of PKG... that are missing, with apt-get, as root
# or through sudo, saying so first. Without root and without a usable sudo, print the one command
# to run and return 2. Nothing happens when every package is installed.

# The packages of "$@" that dpkg does not list as installed.
missing_debs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

ensure_debs() {
  local why="$1"
  shift
  local missing
  mapfile -t missing < <(missing_debs "$@")
  [ "${#missing[@]}" -eq 0 ] && return 0
  local cmd=(apt-get install -y -qq "${missing[@]}")
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    else
      echo "sscard: $why needs the Debian packages: ${missing[*]}" >&2
      echo "sscard: install them (as root), then run this again:" >&2
      echo "    sudo apt-get update && sudo ${cmd[*]}" >&2
      return 2
    fi
  fi
  echo "sscard: $why needs ${missing[*]}; installing with ${sudo[*]:+sudo }apt-get" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" "${cmd[@]}" >/dev/null
}
