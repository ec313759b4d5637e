--- Progress of running asks, from the `LspProgress` autocmd (Neovim's `$/progress` handler fires it;
--- `vim.lsp.status()` and fidget.nvim see the same reports).
local ask = require('claif.ask')
local client_util = require('claif.client')

local M = {}

---@class claif.Task
---@field title string?
---@field message string?
---@field percentage integer?

---@type table<string|integer, claif.Task> running tasks by progress token
M.tasks = {}

local group ---@type integer?

--- Start following `LspProgress` (idempotent).
function M.setup()
  group = vim.api.nvim_create_augroup('claif.progress', { clear = true })
  vim.api.nvim_create_autocmd('LspProgress', {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if not client or client.name ~= client_util.name then
        return
      end
      local params = args.data.params
      local value = params.value or {}
      if value.kind == 'end' then
        M.tasks[params.token] = nil
        if type(value.message) == 'string' and value.message:lower():find('cancel') then
          -- The progress token of the plugin's asks is their requestId.
          vim.schedule(function()
            ask.finish_cancelled(tostring(params.token))
          end)
        end
      else
        local task = M.tasks[params.token] or {}
        task.title = value.title or task.title
        task.message = value.message or task.message
        task.percentage = value.percentage or task.percentage
        M.tasks[params.token] = task
      end
      vim.cmd.redrawstatus({ bang = true })
    end,
  })
end

--- A short status for the statusline: `claif: <message>`, or `''` when idle.
---@return string
function M.status()
  for _, task in pairs(M.tasks) do
    local text = 'claif'
    if task.title and task.title:lower() ~= 'claif' then
      text = text .. ' ' .. task.title
    end
    return text .. ': ' .. (task.message ~= nil and task.message ~= '' and task.message or 'working')
  end
  return ''
end

return M
