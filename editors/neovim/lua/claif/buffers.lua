--- Buffers of the files a proposal changes.
local M = {}

--- The loaded buffer of a URI, without creating one.
---@param uri string
---@return integer?
function M.find(uri)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.uri_from_bufnr(buf) == uri then
      return buf
    end
  end
  return nil
end

--- The buffer of a URI, loaded and listed (created when there is none).
---@param uri string
---@return integer
function M.load(uri)
  local buf = vim.uri_to_bufnr(uri)
  vim.fn.bufload(buf)
  vim.bo[buf].buflisted = true
  return buf
end

return M
