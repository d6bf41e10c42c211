-- Headless Neovim test of the language server (Neovim 0.11+), run from editors/vim with
-- `egwc` on PATH:
--   nvim --headless --clean --cmd 'set rtp^=.' -l test/lsp_check.lua
-- lsp/egwc.lua must attach to an .egw buffer, publish its diagnostics and format it.
vim.cmd('filetype plugin on')
vim.lsp.enable('egwc')
local file = vim.fn.tempname() .. '.egw'
vim.fn.writefile({ 'service  api { endpoint "10.0.0.1:99999" }' }, file)
vim.cmd.edit(file)
local buf = vim.api.nvim_get_current_buf()
local errors = {}
local function check(ok, what)
  if not ok then
    table.insert(errors, what)
  end
end
check(vim.wait(10000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50), 'no diagnostics within 10 s')
local d = vim.diagnostic.get(buf)[1]
if d then
  check(d.code == 'E0200 port-out-of-range', 'code: ' .. tostring(d.code))
  check(d.lnum == 0 and d.col == 24, string.format('position: %d:%d', d.lnum, d.col))
end
vim.lsp.buf.format({ bufnr = buf, timeout_ms = 5000 })
local line = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]
check(line == 'service api { endpoint "10.0.0.1:99999" }', 'formatted: ' .. line)
os.remove(file)
if #errors > 0 then
  io.stderr:write(table.concat(errors, '\n') .. '\n')
  os.exit(1)
end
io.stdout:write('lsp: ok\n')
os.exit(0)
