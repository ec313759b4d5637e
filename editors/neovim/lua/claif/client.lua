--- Talking to the claif-lsp client: finding it, ranges, and `workspace/executeCommand`.
local M = {}

--- Name of the LSP config (changed by `setup({ name = ... })`).
M.name = 'claif'

---@param bufnr? integer
---@return vim.lsp.Client?
function M.get(bufnr)
  bufnr = vim._resolve_bufnr(bufnr)
  local clients = vim.lsp.get_clients({ bufnr = bufnr, name = M.name })
  if clients[1] then
    return clients[1]
  end
  -- Scratch buffers (the review and explain views) are not attached; any running client will do.
  return vim.lsp.get_clients({ name = M.name })[1]
end

--- The client for `bufnr`, or nil after telling the user why there is none.
---@param bufnr? integer
---@return vim.lsp.Client?
function M.require(bufnr)
  local client = M.get(bufnr)
  if not client then
    vim.notify('claif: the claif-lsp server is not attached to this buffer', vim.log.levels.WARN)
  end
  return client
end

--- An LSP position for a byte column of a buffer line (0-based row and byte column).
---@param bufnr integer
---@param row integer
---@param col integer
---@param encoding string
---@return lsp.Position
function M.position(bufnr, row, col, encoding)
  local line = vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ''
  col = math.max(0, math.min(col, #line))
  return { line = row, character = vim.str_utfindex(line, encoding, col, false) }
end

--- The LSP range a command covers: the last visual selection when the command got the same lines
--- from it (characterwise selections keep their columns), else whole lines `line1..line2`.
---@param bufnr integer
---@param line1 integer 1-based first line
---@param line2 integer 1-based last line (inclusive)
---@param encoding string
---@param charwise? boolean use the columns of the `'<` and `'>` marks
---@return lsp.Range
function M.range(bufnr, line1, line2, encoding, charwise)
  if charwise then
    local s = vim.api.nvim_buf_get_mark(bufnr, '<')
    local e = vim.api.nvim_buf_get_mark(bufnr, '>')
    if s[1] == line1 and e[1] == line2 then
      local last = vim.api.nvim_buf_get_lines(bufnr, e[1] - 1, e[1], false)[1] or ''
      local end_col = math.min(e[2], math.max(#last - 1, 0))
      end_col = #last == 0 and 0 or end_col + 1 + vim.str_utf_end(last, end_col + 1)
      return {
        start = M.position(bufnr, s[1] - 1, s[2], encoding),
        ['end'] = M.position(bufnr, e[1] - 1, end_col, encoding),
      }
    end
  end
  local last = vim.api.nvim_buf_get_lines(bufnr, line2 - 1, line2, false)[1] or ''
  return {
    start = { line = line1 - 1, character = 0 },
    ['end'] = M.position(bufnr, line2 - 1, #last, encoding),
  }
end

--- Send `workspace/executeCommand` with one object argument (the protocol in claif-lsp's README).
---@param client vim.lsp.Client
---@param command string
---@param arg table? the argument object; nil sends `{}`
---@param bufnr integer? buffer whose pending changes are flushed first
---@param callback fun(err: lsp.ResponseError?, result: any)
---@param extra? table extra request params, e.g. `workDoneToken`
---@return integer? request_id
function M.execute(client, command, arg, bufnr, callback, extra)
  if arg == nil or next(arg) == nil then
    arg = vim.empty_dict() -- `{}` would be sent as `[]`
  end
  local params = vim.tbl_extend('force', { command = command, arguments = { arg } }, extra or {})
  local ok, request_id = client:request('workspace/executeCommand', params, function(err, result)
    callback(err, result)
  end, bufnr)
  if not ok then
    callback({ code = -32099, message = 'the claif-lsp server is not running' }, nil)
    return nil
  end
  return request_id
end

--- A human-readable message for a JSON-RPC error.
---@param err lsp.ResponseError|table|string
---@return string
function M.message(err)
  if type(err) == 'table' then
    return tostring(err.message or vim.inspect(err))
  end
  return tostring(err)
end

return M
