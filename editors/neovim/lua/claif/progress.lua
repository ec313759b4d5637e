--- Progress of running asks, from the `LspProgress` autocmd (Neovim's `$/progress` handler fires it;
--- `vim.lsp.status()` and fidget.nvim see the same reports).
local answer = require('claif.answer')
local ask = require('claif.ask')
local client_util = require('claif.client')
local state = require('claif.state')
local view = require('claif.progress_view')

local M = {}

---@class claif.Task
---@field title string?
---@field message string?
---@field percentage integer?
---@field begin string? the `begin` message: `<providers>: <action>`
---@field line claif.ProgressLine? what the task shows

---@type table<string|integer, claif.Task> running tasks by progress token
M.tasks = {}

local group ---@type integer?

--- A report's message split in its short status (`≈50 tokens · 3.3 s`) and the streamed text's last line.
---@param message string
---@return string status, string? tail
function M.split_report(message)
  local tokens, seconds, tail = message:match('^(.-tokens) · (.- s) · (.*)$')
  if tokens then
    return tokens .. ' · ' .. seconds, tail
  end
  tokens, seconds = message:match('^(.-tokens) · (.- s)$')
  if tokens then
    return tokens .. ' · ' .. seconds, nil
  end
  return message, nil
end

--- What an ask is doing, in the user's words: its providers (from the `begin` message) and instruction.
---@param task claif.Task
---@param asked claif.Ask?
---@return string
function M.describe(task, asked)
  local begin = task.begin or task.title or 'claif'
  if not asked then
    return begin
  end
  local providers = begin:match('^(.-): ' .. vim.pesc(asked.action)) or begin
  local what = asked.instruction and vim.trim(asked.instruction) ~= '' and asked.instruction or asked.action
  return ('%s: %s'):format(providers, (what:gsub('%s+', ' ')))
end

--- Show a task's progress, and feed an explanation's streamed text to its answer window.
---@param token string
---@param task claif.Task
---@param value table the progress value
local function show(token, task, value)
  local asked = state.asks[token]
  local status, tail = nil, nil
  if value.kind == 'report' and type(value.message) == 'string' then
    status, tail = M.split_report(value.message)
  end
  task.line = { what = M.describe(task, asked), status = status or (task.line and task.line.status) }
  view.update(token, task.line)
  if asked and asked.action == 'explain' then
    answer.stream(token, M.describe(task, asked), tail)
  end
end

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
      local token = tostring(params.token)
      if value.kind == 'end' then
        M.tasks[params.token] = nil
        view.finish(token, value.message)
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
        if value.kind == 'begin' then
          task.begin = value.message
        end
        M.tasks[params.token] = task
        show(token, task, value)
      end
      vim.cmd.redrawstatus({ bang = true })
    end,
  })
end

--- A short status for the statusline: `claif: Replay: make it faster · ≈50 tokens · 3.3 s`, or `''` when idle.
---@return string
function M.status()
  for _, task in pairs(M.tasks) do
    if task.line then
      return 'claif: ' .. view.text(task.line)
    end
    return 'claif: ' .. (task.message ~= nil and task.message ~= '' and task.message or 'working')
  end
  return ''
end

return M
