--- Progress of running asks, shown out of the box: a spinner line in the command line (`echo`), or a
--- notification that replaces itself (`notify`, for nvim-notify and snacks.nvim's notifier), unless
--- something that shows LSP progress already is there (fidget.nvim, noice.nvim, mini.notify, or a
--- statusline calling `require('claif').status()` or `vim.lsp.status()`): option `progress`.
local config = require('claif.config')
local messages = require('claif.messages')

local M = {}

M.SPINNER = { '⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏' }
local SPIN_MS = 120
--- How long a message claif said stays on the command line before a running ask's line replaces it.
local READ_MS = 2500

--- Plugins that draw `$/progress` themselves.
M.PROGRESS_PLUGINS = { 'fidget', 'noice', 'mini.notify' }
--- Plugins that take over `vim.notify` and can replace a notification in place.
M.NOTIFY_PLUGINS = { 'notify', 'snacks.notifier' }

---@class claif.ProgressLine
---@field what string what is running: `Replay: make it faster`
---@field status string? the latest short status: `≈50 tokens · 3.3 s`

---@type table<string, claif.ProgressLine> by progress token
local lines = {}
---@type string[] tokens in the order they began
local order = {}
local frame = 0
local echoed = false
local timer ---@type uv.uv_timer_t?
---@type table<string, any> nvim-notify records to replace, by token
local records = {}
---@type table<string, boolean> tokens shown by notifications
local notified = {}

---@param text string
---@return boolean
local function mentions_progress(text)
  return text:find('claif', 1, true) ~= nil or text:find('lsp.status', 1, true) ~= nil or text:find('lsp_status', 1, true) ~= nil
end

--- True when the user's statusline, winbar or tabline already shows claif's or the LSP's status.
---@return boolean
function M.statusline_shows_it()
  for _, option in ipairs({ 'statusline', 'winbar', 'tabline' }) do
    if mentions_progress(vim.go[option]) then
      return true
    end
  end
  return false
end

--- How progress is shown now: `echo`, `notify` or `none` (option `progress`; `auto` looks at what is loaded).
---@return 'echo'|'notify'|'none'
function M.mode()
  local option = config.options.progress
  if option == false or option == 'none' then
    return 'none'
  elseif option == 'echo' or option == 'notify' then
    return option
  end
  for _, name in ipairs(M.PROGRESS_PLUGINS) do
    if package.loaded[name] then
      return 'none'
    end
  end
  if M.statusline_shows_it() then
    return 'none'
  end
  for _, name in ipairs(M.NOTIFY_PLUGINS) do
    if package.loaded[name] then
      return 'notify'
    end
  end
  return 'echo'
end

--- The line shown for one ask: `Replay: make it faster · ≈50 tokens · 3.3 s`.
---@param line claif.ProgressLine
---@return string
function M.text(line)
  return line.status and (line.what .. ' · ' .. line.status) or (line.what .. ' …')
end

---@return boolean
local function can_echo()
  local mode = vim.api.nvim_get_mode()
  -- A message drawn over a command being typed, or over a prompt, would hide what the user types.
  return not mode.blocking and not mode.mode:find('^c') and not mode.mode:find('^r')
end

local function echo()
  local token = order[1]
  if not token or not can_echo() or messages.since_said_ms() < READ_MS then
    return
  end
  local text = M.text(lines[token])
  if #order > 1 then
    text = ('%s (+%d)'):format(text, #order - 1)
  end
  frame = frame % #M.SPINNER + 1
  local lead = 'claif ' .. M.SPINNER[frame] .. ' '
  -- Wider than the command line, a message waits for <Enter> and eats the next key of someone typing.
  local room = math.max(vim.v.echospace - 1 - vim.fn.strdisplaywidth(lead), 1)
  if vim.fn.strdisplaywidth(text) > room then
    text = vim.fn.strcharpart(text, 0, math.max(room - 1, 0)) .. '…'
  end
  vim.api.nvim_echo({ { lead, 'Special' }, { text } }, false, {})
  echoed = true
end

local function stop_timer()
  if timer then
    timer:stop()
  end
end

local function start_timer()
  timer = timer or assert(vim.uv.new_timer())
  if not timer:is_active() then
    timer:start(SPIN_MS, SPIN_MS, vim.schedule_wrap(function()
      if #order == 0 then
        return stop_timer()
      end
      echo()
    end))
  end
end

---@param token string
---@param text string
---@param done boolean
local function notify(token, text, done)
  local ok, record = pcall(vim.notify, 'claif: ' .. text, vim.log.levels.INFO, {
    title = 'claif',
    id = 'claif.progress.' .. token, -- snacks.nvim replaces by id
    replace = records[token], -- nvim-notify replaces by record
    hide_from_history = not done,
    timeout = done and 3000 or false,
  })
  records[token] = (not done and ok) and record or nil
  notified[token] = not done or nil
end

--- Show (or update) the progress of the ask with `token`.
---@param token string
---@param line claif.ProgressLine
function M.update(token, line)
  local mode = M.mode()
  if mode == 'none' then
    return
  end
  if not lines[token] then
    table.insert(order, token)
  end
  lines[token] = line
  if mode == 'notify' then
    notify(token, M.text(line), false)
  else
    echo()
    start_timer()
  end
end

--- The ask with `token` ended with `message` (from the server's progress `end`).
---@param token string
---@param message string?
function M.finish(token, message)
  local line = lines[token]
  if not line then
    return
  end
  lines[token] = nil
  order = vim.tbl_filter(function(t)
    return t ~= token
  end, order)
  if notified[token] then
    notify(token, ('%s: %s'):format(line.what, message or 'done'), true)
  elseif #order > 0 then
    echo()
  elseif echoed then
    stop_timer()
    echoed = false
    -- What comes next (the proposal's announcement, the answer, an error) is said by its own message.
    if can_echo() and messages.since_said_ms() >= READ_MS then
      vim.api.nvim_echo({ { '' } }, false, {})
    end
  end
end

return M
