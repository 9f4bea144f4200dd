#!/usr/bin/env bash
# Runs the unit and SQLite end-to-end suites on Node 24 LTS, beside the machine's Node 20.
#
# Called from .ci/run after the main `npm test` (which runs on the machine's Node 20), with
# cwd = anywhere in the repo. Node 20 left LTS in April 2026; the service still declares
# engines.node >=20.19.0, so both are tested: Node 20 by the main suite, Node 24 here.
#
# - Node 24 comes from the npm registry (package node-linux-<arch>@24: the binary and its
#   headers) into a temp prefix; nothing is installed system-wide.
# - The suites run in a separate copy of the repo (the files git knows, as they are on disk:
#   no node_modules, dist, .env or data/): native addons built for one Node version do not load
#   in the other, so the repo's own (Node 20) node_modules is never touched.
# - `npm install` there runs with PATH and npm_config_nodedir pointing at Node 24, so
#   better-sqlite3, argon2 and bcrypt are built (or their prebuilds chosen) for Node 24.
#
# Env: NODE24_SPEC (default node-linux-<arch>@24), NODE24_KEEP=1 keeps the temp folders.
# Needs redis-server, mariadbd and /usr/bin/chromium like the main suite (.ci/run installs them).
# Measured on the 2-core dev box: see docs/operations.md ("Node versions").
set -euo pipefail

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$repo"
t0=$SECONDS
step() { printf '\n[node24 %4ds] %s\n' "$((SECONDS - t0))" "$*" >&2; }

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node24: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
spec=${NODE24_SPEC:-node-linux-$arch@24}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/authcentre-node24.XXXXXX")
if [ -n "${NODE24_KEEP:-}" ]; then
  echo "node24: temp folders kept in $tmp" >&2
else
  trap 'rm -rf "$tmp"' EXIT
fi
prefix=$tmp/node
work=$tmp/repo
mkdir -p "$prefix" "$work"

# ---- Node 24 from the npm registry -------------------------------------------------------
step "installing $spec into $prefix"
npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$spec" >&2
nodedir=$prefix/node_modules/node-linux-$arch
export PATH="$nodedir/bin:$PATH"     # node 24; npm and every #!/usr/bin/env node tool run on it
export npm_config_nodedir="$nodedir" # node-gyp builds against these headers, no download
export JOBS=max                      # node-gyp: make -j<cores>
ver=$(node -v)
[[ $ver == v24.* ]] || { echo "node24: PATH gives node $ver, not 24" >&2; exit 1; }
step "node $ver ($(command -v node)), npm $(npm -v)"

# ---- a separate copy of the repo ------------------------------------------------------------
step "copying the repo (without node_modules, dist) to $work"
git ls-files -z --cached --others --exclude-standard |
  tar --null -T - --ignore-failed-read -cf - | tar -xf - -C "$work"
rm -rf "$work/node_modules" "$work/dist"
cd "$work"

step "npm install under node $ver"
npm install --no-audit --no-fund
node -e "for (const m of ['better-sqlite3', 'argon2', 'bcrypt']) require(m);
         new (require('better-sqlite3'))(':memory:').prepare('select 1').get();
         console.log('native addons load on', process.version)"

# ---- build and test ---------------------------------------------------------------------------
step "nest build"
./node_modules/.bin/nest build
step "vitest: unit + e2e-sqlite"
./node_modules/.bin/vitest run --project unit --project e2e-sqlite
step "done: node $ver, unit + e2e-sqlite passed in $((SECONDS - t0)) s"
