# Shared by run.sh and test.sh (sourced): installs missing Debian packages,
# configures and builds qc into $QC_BUILD_DIR (default: build). Idempotent;
# fast when nothing changed.
set -euo pipefail

QC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QC_BUILD_DIR=${QC_BUILD_DIR:-$QC_ROOT/build}

qc_packages=(cmake ninja-build g++ pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  llvm-19-dev llvm-19-tools clang-19 lld-19 libzstd-dev
  libgtest-dev libbenchmark-dev)

qc_install_missing() {
  local missing=()
  for p in "${qc_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# qc_build [extra cmake args...]
qc_build() {
  if [ ! -f "$QC_BUILD_DIR/CMakeCache.txt" ]; then
    cmake -G Ninja -S "$QC_ROOT" -B "$QC_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  fi
  ninja -C "$QC_BUILD_DIR" | grep -vE '^\[[0-9]+/[0-9]+\]' || true
  # ninja's exit status is hidden by the pipe: check it again quietly.
  ninja -C "$QC_BUILD_DIR" >/dev/null
}

qc_install_missing
