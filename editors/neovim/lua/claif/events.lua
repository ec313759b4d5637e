--- The plugin's `User` autocommands (`ClaifReviewOpen`, `ClaifAskDone`, ...; see |claif-api|).
local M = {}

--- Fire the `User` autocommand `event` with `data`.
---@param event string
---@param data table
function M.fire(event, data)
  vim.api.nvim_exec_autocmds('User', { pattern = event, modeline = false, data = data })
end

return M
