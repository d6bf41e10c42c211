-- The egwc language server for Neovim 0.11+: with editors/vim on the runtimepath, enable it
-- with `vim.lsp.enable('egwc')` in init.lua. `egwc` must be on PATH (`cargo install --path .`).
return {
  cmd = { 'egwc', 'lsp' },
  filetypes = { 'egw' },
  root_markers = { '.git' },
}
