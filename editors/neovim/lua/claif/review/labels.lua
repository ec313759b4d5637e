--- What the diff view's bars and tab say: the winbars of both sides, the proposal window's key hint,
--- and the proposal buffer's name (its tab label).
local config = require('claif.config')
local hunks = require('claif.review.hunks')
local revision = require('claif.review.revision')

local M = {}

---@param text string
---@return string the text as a 'winbar' or 'statusline' shows it literally
local function literal(text)
  return (text:gsub('%%', '%%%%'))
end

--- The winbar of the proposal window: the proposal's title, the file, with several files which one it is,
--- and the revision's notes (its number, accepted hunks, the cache, what did not place).
---@param session claif.Session
---@return string
function M.winbar(session)
  local files = session.proposal.files or {}
  local title = session.proposal.title or session.id
  local text = ('claif: %s · %s'):format(title, session.file.path or session.file.uri)
  if #files > 1 then
    local keys = config.options.review.keys
    local hint = keys.next_file and keys.prev_file and (' (%s/%s: next/previous file)'):format(keys.next_file, keys.prev_file) or ''
    text = ('%s [file %d/%d]%s'):format(text, hunks.file_index(session.proposal.files or {}, session.file.uri), #files, hint)
  end
  for _, note in ipairs(revision.notes(session.proposal, config.options.review.keys.answer)) do
    text = ('%s · %s'):format(text, note)
  end
  return literal(text)
end

--- The winbar of the source window: the file as it is now. Both sides have one, so their rows line up.
---@param session claif.Session
---@return string
function M.source_winbar(session)
  return literal(('%s · as it is now'):format(session.file.path or vim.uri_to_fname(session.file.uri)))
end

--- The one-line key hint of the proposal window, from the configured keys (those not set to `false`);
--- in a window narrower than `width` columns, a shorter one.
---@param width? integer
---@return string
function M.key_hint(width)
  local keys = config.options.review.keys
  ---@param parts {[1]: string, [2]: string[]}[] what to say and the keys it needs
  ---@param sep string
  local function hint(parts, sep)
    local said = {}
    for _, part in ipairs(parts) do
      local lhs = {} ---@type string[]
      for _, key in ipairs(part[2]) do
        if keys[key] then
          table.insert(lhs, keys[key])
        end
      end
      if #lhs == #part[2] then
        table.insert(said, ('%s %s'):format(table.concat(lhs, '/'), part[1]))
      end
    end
    return table.concat(said, sep)
  end
  local text = hint({
    { 'accept hunk', { 'accept_hunk' } },
    { 'reject', { 'reject_hunk' } },
    { 'next', { 'next_hunk' } },
    { 'all', { 'accept_all', 'reject_all' } },
    { 'refine', { 'refine' } },
    { 'close', { 'close' } },
  }, ' · ')
  -- Narrower windows get the short form, and in the narrowest it leaves refining out.
  for _, refine in ipairs({ true, false }) do
    if not width or vim.fn.strdisplaywidth(text) <= width then
      break
    end
    local short = {
      { 'hunk', { 'accept_hunk', 'reject_hunk' } },
      { 'all', { 'accept_all', 'reject_all' } },
      { 'next', { 'next_hunk' } },
    }
    if refine then
      table.insert(short, { 'refine', { 'refine' } })
    end
    table.insert(short, { 'close', { 'close' } })
    text = hint(short, '  ')
  end
  return literal(text)
end

--- The name of the proposal buffer: readable as a tab label (no path to shorten), unique among buffers.
---@param session claif.Session
---@return string
function M.buffer_name(session)
  local base = vim.fs.basename(session.file.path or vim.uri_to_fname(session.file.uri))
  local name = ('claif: %s'):format(base)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if buf ~= session.prop_buf and vim.fn.bufname(buf) == name then
      return ('claif: %s (%s)'):format(base, session.id)
    end
  end
  return name
end

return M
