--- A proposal's raw answer (the model's whole text for its revision) in a scratch buffer, headed by what
--- a partial answer could not place and why: the user asked for it, so it opens with the focus.
local events = require('claif.events')
local messages = require('claif.messages')
local revision = require('claif.review.revision')

local M = {}

--- The lines of the buffer: a title, why hunks did not place (a partial answer), then the answer as it came.
---@param proposal claif.Proposal
---@return string[]
function M.lines(proposal)
  local number = tonumber(proposal.revision) or 1
  local lines = { ('%s, revision %d: the answer as the model wrote it'):format(proposal.title or proposal.id, number) }
  local unplaced = revision.unplaced_lines(proposal)
  if #unplaced > 0 then
    table.insert(lines, '')
    vim.list_extend(lines, unplaced)
  end
  table.insert(lines, '')
  table.insert(lines, ('-'):rep(40))
  vim.list_extend(lines, vim.split(((proposal.answer or ''):gsub('\n$', '')), '\n', { plain = true }))
  return lines
end

---@param proposal claif.Proposal
---@return string
local function name(proposal)
  return ('claif: %s answer'):format(proposal.id)
end

--- Open (or bring back, refreshed) the raw answer of a proposal's revision below the current window.
---@param proposal claif.Proposal
---@return integer? buf
function M.show(proposal)
  if type(proposal.answer) ~= 'string' or proposal.answer == '' then
    messages.say(('%s has no answer text to show'):format(proposal.id), vim.log.levels.WARN)
    return nil
  end
  local buf = vim.fn.bufnr(name(proposal))
  if buf == -1 or not vim.api.nvim_buf_is_valid(buf) then
    buf = vim.api.nvim_create_buf(false, true)
    vim.bo[buf].bufhidden = 'wipe'
    pcall(vim.api.nvim_buf_set_name, buf, name(proposal))
    vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = buf, nowait = true, desc = 'claif: close the answer' })
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, M.lines(proposal))
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  vim.bo[buf].filetype = 'markdown'
  local win = vim.fn.win_findbuf(buf)[1]
  if win then
    vim.api.nvim_set_current_win(win)
  else
    win = vim.api.nvim_open_win(buf, true, { split = 'below', win = 0 })
    vim.wo[win].wrap = true
    vim.wo[win].linebreak = true
    vim.wo[win].diff = false
  end
  events.fire('ClaifAnswerShown', { proposal = proposal.id, bufnr = buf })
  return buf
end

return M
