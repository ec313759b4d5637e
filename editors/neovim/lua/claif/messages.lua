--- What the user is told, in claif's words and once per event: the server's `window/showMessage` and
--- the plugin's own notices go through here, so a reason the server already showed is not repeated.
local M = {}

local KEEP = 50

---@type {seq: integer, text: string}[] the latest messages shown
local shown = {}
local seq = 0
local last_said_ms = -math.huge

--- Milliseconds since claif last said something (a running ask's progress line must not hide it).
---@return number
function M.since_said_ms()
  return vim.uv.hrtime() / 1e6 - last_said_ms
end

--- A message without the server's `Claif: ` prefix, trimmed.
---@param text string
---@return string
function M.strip(text)
  return vim.trim((tostring(text):gsub('^[Cc]laif:%s*', '')))
end

--- Show `text` as `claif: <text>` with vim.notify.
---@param text string
---@param level? integer vim.log.levels (default INFO)
function M.say(text, level)
  text = M.strip(text)
  seq = seq + 1
  table.insert(shown, { seq = seq, text = text })
  if #shown > KEEP then
    table.remove(shown, 1)
  end
  last_said_ms = vim.uv.hrtime() / 1e6
  vim.notify('claif: ' .. text, level or vim.log.levels.INFO)
end

--- A mark to pass to `said_since` later.
---@return integer
function M.mark()
  return seq
end

--- True when a message shown after `mark` already said `text` (or more).
---@param mark integer
---@param text string
---@return boolean
function M.said_since(mark, text)
  local wanted = M.strip(text):lower()
  for _, m in ipairs(shown) do
    if m.seq > mark and m.text:lower():find(wanted, 1, true) then
      return true
    end
  end
  return false
end

--- Show `text` unless a message after `mark` already said it.
---@param mark integer
---@param text string
---@param level? integer
function M.say_once(mark, text, level)
  if not M.said_since(mark, text) then
    M.say(text, level)
  end
end

local LEVELS = { vim.log.levels.ERROR, vim.log.levels.WARN, vim.log.levels.INFO, vim.log.levels.DEBUG }

--- `window/showMessage` from claif-lsp, shown as the plugin's own messages are.
---@param params lsp.ShowMessageParams
function M.from_server(params)
  M.say(params.message, LEVELS[params.type] or vim.log.levels.INFO)
end

return M
