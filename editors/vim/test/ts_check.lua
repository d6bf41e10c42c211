-- Headless Neovim test of tree-sitter highlighting (Neovim 0.10+), run from editors/vim:
--   nvim --headless --clean --cmd 'set rtp^=.,PARSER_DIR' -l test/ts_check.lua
-- where PARSER_DIR holds parser/egw.so and queries/egw/highlights.scm (scripts/test-editors.sh).
-- ftdetect and ftplugin/egw.lua must start tree-sitter; captures are checked at chosen places.
vim.cmd('filetype plugin on')
vim.cmd.edit('test/sample.egw')
local buf = vim.api.nvim_get_current_buf()
local errors = {}
if vim.bo[buf].filetype ~= 'egw' then
  table.insert(errors, 'filetype=' .. vim.bo[buf].filetype)
end
local ok, parser = pcall(vim.treesitter.get_parser, buf, 'egw')
if not ok or not vim.treesitter.highlighter.active[buf] then
  table.insert(errors, 'tree-sitter highlighting did not start')
else
  parser:parse(true)
  -- { line, column (1-based, as in check.vim), expected capture }
  for _, c in ipairs({
    { 1, 1, 'comment' }, { 2, 1, 'keyword' }, { 3, 9, 'type' }, { 4, 19, 'keyword' },
    { 4, 24, 'number' }, { 4, 36, 'constant' }, { 8, 33, 'operator' }, { 8, 23, 'string' },
  }) do
    local found = {}
    for _, cap in ipairs(vim.treesitter.get_captures_at_pos(buf, c[1] - 1, c[2] - 1)) do
      table.insert(found, cap.capture)
    end
    if not vim.tbl_contains(found, c[3]) then
      table.insert(errors, string.format('%d:%d: want @%s, got %s', c[1], c[2], c[3], table.concat(found, ',')))
    end
  end
end
if #errors > 0 then
  io.stderr:write(table.concat(errors, '\n') .. '\n')
  os.exit(1)
end
io.stdout:write('nvim tree-sitter: ok\n')
os.exit(0)
