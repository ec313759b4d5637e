--- Waiting for the user to stop typing. Nothing the plugin opens on its own (a review, a confirmation)
--- may take the focus or the keys of someone who is typing: such views wait here until the user is in
--- Normal mode, with no operator or mapping pending, and has pressed no key for 'updatetime' ms.
local M = {}

local POLL_MS = 200

local ns = vim.api.nvim_create_namespace('claif.idle')
local last_key_ms = 0
local timer ---@type uv.uv_timer_t?

---@type {key: string, fn: fun()}[] jobs in the order they were queued
local queue = {}

---@return number
local function now_ms()
  return vim.uv.hrtime() / 1e6
end

--- Start following key presses (idempotent).
function M.setup()
  vim.on_key(function()
    last_key_ms = now_ms()
  end, ns)
end

--- True while the user is typing or in the middle of a command: any mode but Normal (a pending
--- operator is mode `no`), a blocking prompt, a mapping half typed, or a key pressed less than
--- 'updatetime' ms ago (which also covers a command waiting for its argument, as after `f`).
---@return boolean
function M.busy()
  local mode = vim.api.nvim_get_mode()
  if mode.blocking or mode.mode ~= 'n' then
    return true
  end
  if vim.fn.state('m') ~= '' then
    return true
  end
  return now_ms() - last_key_ms < vim.o.updatetime
end

local function stop()
  if timer then
    timer:stop()
  end
end

local function run_due()
  if #queue == 0 then
    return stop()
  end
  if M.busy() then
    return
  end
  local jobs = queue
  queue = {}
  stop()
  for _, job in ipairs(jobs) do
    local ok, err = pcall(job.fn)
    if not ok then
      vim.notify('claif: ' .. tostring(err), vim.log.levels.ERROR)
    end
  end
end

--- Run `fn` once the user is not busy (at the next check when they are not); a job queued again
--- under the same `key` replaces the earlier one.
---@param key string
---@param fn fun()
function M.when_idle(key, fn)
  M.cancel(key)
  table.insert(queue, { key = key, fn = fn })
  timer = timer or assert(vim.uv.new_timer())
  if not timer:is_active() then
    timer:start(0, POLL_MS, vim.schedule_wrap(run_due))
  end
end

--- Drop the job queued under `key`, if any.
---@param key string
function M.cancel(key)
  for i = #queue, 1, -1 do
    if queue[i].key == key then
      table.remove(queue, i)
    end
  end
  if #queue == 0 then
    stop()
  end
end

return M
