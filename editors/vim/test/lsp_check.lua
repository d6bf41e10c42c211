-- Headless Neovim test of the language server (Neovim 0.11+), run from editors/vim with
-- `egwc` on PATH:
--   nvim --headless --clean --cmd 'set rtp^=.' -l test/lsp_check.lua
-- lsp/egwc.lua must attach to an .egw buffer, publish its diagnostics and format it, and
-- the server's inlay hints, semantic tokens, folding, hover, completion and lenses work.
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

-- What egwc derives and explains, through Neovim's own client: inlay hints, semantic
-- tokens, folding ranges, hover on a keyword, value completion and the code lens.
vim.api.nvim_buf_set_lines(buf, 0, -1, false, {
  'gateway edge {',
  '  class "cilium"',
  '  listener http { port 80 protocol HTTP }',
  '}',
  'service pve { endpoints "10.0.0.11:8006" "10.0.0.12:8006" }',
  'route r { on edge rule { -> pve } }',
})
local client = vim.lsp.get_clients({ bufnr = buf })[1]
check(client ~= nil, 'no client')
vim.lsp.inlay_hint.enable(true, { bufnr = buf })
local function request(method, params)
  local answers = vim.lsp.buf_request_sync(buf, method, params, 5000) or {}
  for _, a in pairs(answers) do
    return a.result
  end
end
local whole = { start = { line = 0, character = 0 }, ['end'] = { line = 6, character = 0 } }
local doc = { uri = vim.uri_from_bufnr(buf) }
local hints = {}
vim.wait(5000, function()
  hints = request('textDocument/inlayHint', { textDocument = doc, range = whole }) or {}
  return #hints >= 2
end, 100)
local labels = {}
for _, h in ipairs(hints) do
  table.insert(labels, h.label)
end
local shown = table.concat(labels, ' | ')
check(shown:find('cilium 1.20, from its class', 1, true) ~= nil, 'inlay hints: ' .. shown)
check(shown:find('pve-0 … pve-1', 1, true) ~= nil, 'inlay hints: ' .. shown)
check(shown:find('= 2 × 50 %', 1, true) ~= nil, 'inlay hints: ' .. shown)
check(vim.wait(5000, function()
  return #vim.lsp.inlay_hint.get({ bufnr = buf }) > 0
end, 100), 'Neovim shows no inlay hint')
local tokens = request('textDocument/semanticTokens/full', { textDocument = doc })
check(tokens and #tokens.data >= 5 * 4, 'semantic tokens: ' .. vim.inspect(tokens))
local folds = request('textDocument/foldingRange', { textDocument = doc })
check(folds and #folds == 1 and folds[1].startLine == 0, 'folding: ' .. vim.inspect(folds))
local hover = request('textDocument/hover', { textDocument = doc, position = { line = 1, character = 3 } })
check(hover and hover.contents.value:find('GatewayClass', 1, true) ~= nil, 'hover: ' .. vim.inspect(hover))
local items = request('textDocument/completion', { textDocument = doc, position = { line = 2, character = 36 } })
local values = {}
for _, item in ipairs(items or {}) do
  table.insert(values, item.label)
end
check(table.concat(values, ' ') == 'HTTP HTTPS TLS TCP UDP', 'completion: ' .. table.concat(values, ' '))
local lenses = request('textDocument/codeLens', { textDocument = doc }) or {}
check(#lenses == 3 and lenses[2].command.title == '4 objects', 'code lens: ' .. vim.inspect(lenses))

os.remove(file)
if #errors > 0 then
  io.stderr:write(table.concat(errors, '\n') .. '\n')
  os.exit(1)
end
io.stdout:write('lsp: ok\n')
os.exit(0)
