--- Answers of explain-type actions: Markdown in a scratch window beside the current one.
local events = require('claif.events')
local messages = require('claif.messages')
local state = require('claif.state')

local M = {}

---@class claif.AnswerStream
---@field buf integer
---@field win integer?
---@field lines string[] what streamed so far
---@field what string? what is being explained, by whom (the heading while it streams)
---@field live boolean? set once `claif/answer` carries the text, which then replaces progress' last lines

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

---@param request_id string
---@return claif.AnswerStream
local function stream_for(request_id)
  local s = streams[request_id]
  if not s then
    local buf = scratch()
    s = { buf = buf, win = open_beside(buf), lines = {} }
    streams[request_id] = s
  end
  return s
end

--- Draw a streaming answer under its heading; the window follows the end unless the user is in it.
---@param s claif.AnswerStream
local function render(s)
  if not vim.api.nvim_buf_is_valid(s.buf) then
    return
  end
  local shown = { '# ' .. (s.what or 'claif'), '', '_claif: the answer is streaming…_', '' }
  set_lines(s.buf, vim.list_extend(shown, s.lines))
  local win = s.win
  if win and vim.api.nvim_win_is_valid(win) and win ~= vim.api.nvim_get_current_win() then
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(s.buf), 0 })
  end
end

--- Show an explanation while it streams, in its answer window (opened beside the current one, without
--- the focus, at the first report). Until `claif/answer` carries the text itself, progress reports give
--- the last line of the text so far, and the window shows those lines as they come.
---@param request_id string
---@param what string what is being explained, by whom
---@param tail string? the last line streamed
function M.stream(request_id, what, tail)
  local s = stream_for(request_id)
  s.what = what
  if not s.live and tail and tail ~= '' then
    s.lines = M.add_tail(s.lines, tail)
  end
  render(s)
end

--- `claif/answer`: the whole answer so far of one of this plugin's asks, into its window; with `done`,
--- the whole answer without the streaming heading (the ask's result then shows it once more, the same).
---@param params { requestId: string?, token: string|integer|nil, text: string, done: boolean }
function M.on_answer(params)
  local request_id = params and (params.requestId or (params.token ~= nil and tostring(params.token)))
  if type(request_id) ~= 'string' or type(params.text) ~= 'string' then
    return
  end
  local asked = state.asks[request_id]
  if not asked and not streams[request_id] then
    return -- not an ask of this plugin (or one already finished): nothing of ours to fill
  end
  local s = stream_for(request_id)
  s.live = true
  s.what = s.what or (asked and (asked.instruction or asked.action)) or 'explain'
  s.lines = vim.split(params.text, '\n', { plain = true })
  if params.done then
    if vim.api.nvim_buf_is_valid(s.buf) then
      set_lines(s.buf, s.lines)
    end
  else
    render(s)
  end
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
