#!/bin/sh
# Real screenshots of a real editor's LSP client on `policyengine lsp`: Neovim (Debian's
# package) in xterm on a virtual X display (Xvfb), driven over Neovim's RPC socket, captured
# with ImageMagick's `import`. It edits a copy of the bundled ACME rulebook with a typo
# (`level: regionl`) and writes five PNGs:
#   nvim-diagnostic.png   the live diagnostic of the typo
#   nvim-completion.png   completion of `region == "E`
#   nvim-hover-band.png   hover of a band, in plain words
#   nvim-definition.png   go to definition from `otherwise: regional` to the level
#   nvim-code-action.png  the quick fixes of the typo
#
# Needs (as root): apt-get install -y neovim xterm xvfb imagemagick x11-utils fonts-dejavu-core
# Usage: editors/neovim/screenshots.sh [OUTPUT-FOLDER]   (default: docs/images)
# POLICYENGINE_LSP names the command to run as `... lsp` (default: the repository's
# .venv/bin/policyengine, else `policyengine` on the PATH).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-$ROOT/docs/images}
PE=${POLICYENGINE_LSP:-$ROOT/.venv/bin/policyengine}
[ -x "$PE" ] || PE=policyengine

for tool in nvim xterm Xvfb import convert xwininfo; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "screenshots.sh: \`$tool\` is not installed; as root:" \
         "apt-get install -y neovim xterm xvfb imagemagick x11-utils fonts-dejavu-core" >&2
    exit 2
  }
done
mkdir -p "$OUT"

WORK=$(mktemp -d)
XPID=""
TPID=""
cleanup() {
  [ -n "$TPID" ] && kill "$TPID" 2>/dev/null || true
  [ -n "$XPID" ] && kill "$XPID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# the rulebook, with one typo for the diagnostic and the quick fix
sed 's/level: regional}/level: regionl}/' "$ROOT/policies/acme-channel-conflict.yaml" \
  > "$WORK/acme.yaml"

# helpers the script asks Neovim about over RPC
cat > "$WORK/helpers.lua" <<'EOF'
function PeDiagnostics() return #vim.diagnostic.get(0) end
function PeFloats()
  local n = 0
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= "" then n = n + 1 end
  end
  return n
end
function PeCloseFloats()
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= "" then vim.api.nvim_win_close(w, true) end
  end
end
EOF

N=90
while [ -e "/tmp/.X$N-lock" ]; do N=$((N + 1)); done
Xvfb ":$N" -screen 0 1200x700x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XPID=$!
export DISPLAY=":$N"
i=0
until xwininfo -root >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "screenshots.sh: Xvfb did not start" >&2; exit 3; }
  sleep 0.1
done

SOCK="$WORK/nvim.sock"
(cd "$WORK" && POLICYENGINE_LSP="$PE" exec xterm -geometry 140x38+0+0 -fa "DejaVu Sans Mono" \
   -fs 10 -bg "#1e1e1e" -fg "#d4d4d4" -title policyengine \
   -e nvim -u "$HERE/init.lua" --listen "$SOCK" -c "luafile $WORK/helpers.lua" acme.yaml) &
TPID=$!

send() { nvim --server "$SOCK" --remote-send "$1"; }
ask() { nvim --server "$SOCK" --remote-expr "$1" 2>&1; }  # Neovim 0.7 prints the value on stderr
# wait until the Neovim expression $1 is not 0 (at most $2 seconds)
await() {
  i=0
  while [ "$(ask "$1")" = "0" ] || [ -z "$(ask "$1")" ]; do
    i=$((i + 1))
    [ $i -lt $(($2 * 10)) ] || {
      echo "screenshots.sh: timed out waiting for $1 (it is: $(ask "$1"); LSP clients:" \
           "$(ask 'luaeval("#vim.lsp.get_active_clients()")'); messages: $(ask 'execute("messages")'))" >&2
      exit 3
    }
    sleep 0.1
  done
}
shot() {
  sleep 0.5  # the screen redrawn
  geometry=$(xwininfo -name policyengine | awk '/Width:/ {w=$2} /Height:/ {h=$2} END {print w "x" h "+0+0"}')
  import -window root -crop "$geometry" +repage "$WORK/shot.png"
  convert "$WORK/shot.png" -colors 64 "PNG8:$OUT/$1"
  echo "wrote $OUT/$1 ($(wc -c < "$OUT/$1") bytes)"
}

i=0
until [ -S "$SOCK" ]; do
  i=$((i + 1)); [ $i -lt 300 ] || { echo "screenshots.sh: Neovim did not start" >&2; exit 3; }
  sleep 0.1
done

# 1. the live diagnostic of the typo
await 'luaeval("PeDiagnostics()")' 120
send '<Esc>:call search("regionl")<CR>zz:echo ""<CR>'
shot nvim-diagnostic.png

# 2. completion of `region == "E` at the end of the pricing category's condition
send '<Esc>gg:call search("when: kind == \"pricing\"")<CR>A && region == "E<C-x><C-o>'
await 'pumvisible()' 30
shot nvim-completion.png
send '<C-e><Esc>u:echo ""<CR>'

# 3. hover on a band: the plain words of the playbook's renderer
send '<Esc>gg:call search("{when: amount <lt> 250000.0")<CR>w:lua vim.lsp.buf.hover()<CR>'
await 'luaeval("PeFloats()")' 30
shot nvim-hover-band.png
send '<Esc>:lua PeCloseFloats()<CR>'

# 4. go to definition: from `otherwise: regional` in a category to the level
send '<Esc>gg:call search("otherwise: regional")<CR>W:lua vim.lsp.buf.definition()<CR>'
await 'line(".") < 60' 30
send ':echo "gd on `otherwise: regional` (line 93) landed here, on the level"<CR>'
shot nvim-definition.png

# 5. the quick fixes of the typo
send '<Esc>gg:call search("regionl")<CR>:lua vim.lsp.buf.code_action()<CR>'
sleep 3
shot nvim-code-action.png
send '1<CR>'
send '<Esc>:qa!<CR>'
