-- Neovim: tree-sitter highlighting for .egw files when the egw parser is installed
-- (editors/README.md); without it, the Vim syntax file is used.
local ok, added = pcall(vim.treesitter.language.add, 'egw')
if ok and added then
  vim.treesitter.start()
end
