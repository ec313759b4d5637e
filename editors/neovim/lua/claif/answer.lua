--- Answers of explain-type actions: Markdown in a scratch window beside the current one.
local events = require('claif.events')
local messages = require('claif.messages')
local state = require('claif.state')

local M = {}

---@class claif.AnswerStream
---@field buf integer
---@field win integer?
---@field lines string[] what streamed so far

---@type table<string, claif.AnswerStream> answer windows still streaming, by request id
local streams = {}

---@return integer
local function scratch()
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].filetype = 'markdown'
  pcall(vim.api.nvim_buf_set_name, buf, ('claif://answer/%s'):format(state.next_request_id()))
  vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = buf, nowait = true, desc = 'claif: close the answer' })
  return buf
end

---@param buf integer
---@return integer win
local function open_beside(buf)
  local win = vim.api.nvim_open_win(buf, false, { split = 'right', win = 0 })
  vim.wo[win].wrap = true
  vim.wo[win].linebreak = true
  return win
end

---@param buf integer
---@param lines string[]
local function set_lines(buf, lines)
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
end

--- The streamed lines with `tail` (the last line of the text streamed so far) added: a line that grew
--- replaces its start, a new one goes below.
---@param lines string[]
---@param tail string
---@return string[]
function M.add_tail(lines, tail)
  local last = lines[#lines]
  if last == tail then
    return lines
  end
  if last and vim.startswith(tail, last) then
    lines[#lines] = tail
  else
    table.insert(lines, tail)
  end
  return lines
end

--- Show an explanation while it streams, in its answer window (opened beside the current one, without
--- the focus, at the first report). The server's reports carry the last line of the text so far, so
--- the window shows those lines as they come; the whole answer replaces them when it is complete.
---@param request_id string
---@param what string what is being explained, by whom
---@param tail string? the last line streamed
function M.stream(request_id, what, tail)
  local s = streams[request_id]
  if not s then
    local buf = scratch()
    s = { buf = buf, win = open_beside(buf), lines = {} }
    streams[request_id] = s
  end
  if not vim.api.nvim_buf_is_valid(s.buf) then
    return
  end
  if tail and tail ~= '' then
    s.lines = M.add_tail(s.lines, tail)
  end
  local shown = { '# ' .. what, '', '_claif: the answer is streaming…_', '' }
  set_lines(s.buf, vim.list_extend(shown, s.lines))
end

--- Close the streaming window of an ask that ended without an answer.
---@param request_id string
function M.drop(request_id)
  local s = streams[request_id]
  streams[request_id] = nil
  if s and s.win and vim.api.nvim_win_is_valid(s.win) and #vim.api.nvim_list_wins() > 1 then
    vim.api.nvim_win_close(s.win, true)
  end
end

--- Show a Markdown answer (explain-type actions) in a scratch buffer beside the current window (the one
--- it streamed into, when it did). The answer arrives on its own time: its window opens without the
--- focus, so typing goes on where it was.
---@param answer string
---@param title? string
---@param request_id? string the ask whose streaming window to fill
---@return integer bufnr
function M.show(answer, title, request_id)
  local s = request_id and streams[request_id]
  if request_id then
    streams[request_id] = nil
  end
  local buf = s and vim.api.nvim_buf_is_valid(s.buf) and s.buf or scratch()
  local lines = vim.split(answer, '\n', { plain = true })
  if title then
    table.insert(lines, 1, '# ' .. title)
    table.insert(lines, 2, '')
  end
  set_lines(buf, lines)
  local wins = vim.fn.win_findbuf(buf)
  local win = wins[1] or open_beside(buf)
  messages.say('answer ready in the window on the right (q there closes it)')
  events.fire('ClaifAnswer', { bufnr = buf, winid = win })
  return buf
end

--- Open a document the server wrote (an answer or a diff) beside the current window, without the focus.
---@param uri string
function M.show_document(uri)
  local doc = vim.uri_to_bufnr(uri)
  vim.fn.bufload(doc)
  vim.api.nvim_open_win(doc, false, { split = 'right', win = 0 })
end

return M
