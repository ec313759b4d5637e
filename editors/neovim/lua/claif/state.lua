--- What the plugin remembers of its asks and of the server's settings problems (proposals are in
--- `claif.store`).
local M = {}

---@class claif.Ask
---@field request_id string the `requestId` sent with `claif.ask`, `claif.refine` or `claif.retry` (also the progress token)
---@field client_id integer
---@field bufnr integer
---@field action string
---@field instruction string? what the user asked for (a refine's feedback)
---@field on_cancel? fun() says that it was cancelled, for turns with words of their own (a refine)

---@type table<string, claif.Ask> running asks by requestId
M.asks = {}

--- Settings problems the server reported with `window/showMessage`.
---@type string[]
M.server_problems = {}

local counter = 0

--- A fresh requestId.
---@return string
function M.next_request_id()
  counter = counter + 1
  return ('nvim-%d-%d'):format(vim.fn.getpid(), counter)
end

return M
