--- The review UI: a diff view of a buffer against a proposal's `proposedText`, signs on pending
--- hunks, and accepting or rejecting hunks with `claif.accept` / `claif.reject`.
local client_util = require('claif.client')
local config = require('claif.config')
local idle = require('claif.idle')
local messages = require('claif.messages')
local state = require('claif.state')

local M = {}

M.ns = vim.api.nvim_create_namespace('claif.review')
--- Where each pending hunk sits in its source buffer. These extmarks move with the user's edits, so a
--- hunk that turns stale (the server then gives it no range) can still be shown near its lines.
M.anchor_ns = vim.api.nvim_create_namespace('claif.review.anchors')

---@class claif.Hunk
---@field id string
---@field state string `pending`, `applying`, `accepted`, `rejected` or `stale`
---@field range lsp.Range? nil (JSON null) unless the hunk can be placed in the current text
---@field reason string? why a stale hunk no longer places
---@field oldText string
---@field newText string

---@class claif.ProposalFile
---@field uri string
---@field path string
---@field operation string
---@field proposedText string?
---@field hunks claif.Hunk[]

---@class claif.Proposal
---@field id string
---@field state string
---@field title string?
---@field provider string?
---@field diff string?
---@field files claif.ProposalFile[]

---@class claif.Session
---@field id string proposal id
---@field client_id integer
---@field proposal claif.Proposal
---@field file claif.ProposalFile the file shown in the diff view (one of `proposal.files`)
---@field src_buf integer the buffer of `file`
---@field prop_buf integer?
---@field src_win integer?
---@field prop_win integer?
---@field tab integer? the tab page the view opened (layout `tab`)
---@field home_buf integer? what the source window showed before the view (layout `vsplit`)
---@field anchors table<string, {buf: integer, id: integer}>? anchor extmarks by hunk id
---@field stale_rows {hunk: claif.Hunk, row: integer}[]? where stale hunks are marked in the proposal buffer

---@type table<string, claif.Session>
M.sessions = {}

--- The loaded buffer of a URI, without creating one.
---@param uri string
---@return integer?
local function find_buf(uri)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.uri_from_bufnr(buf) == uri then
      return buf
    end
  end
  return nil
end
M.find_buf = find_buf

---@param text string
---@return integer
local function count_newlines(text)
  local _, n = text:gsub('\n', '')
  return n
end

---@param text string
---@return string[]
local function text_lines(text)
  local lines = vim.split(text, '\n', { plain = true })
  if lines[#lines] == '' then
    table.remove(lines)
  end
  return lines
end

---@param event string
---@param data table
local function fire(event, data)
  vim.api.nvim_exec_autocmds('User', { pattern = event, modeline = false, data = data })
end

--- Hunks of a file that are placed (have a range) in one of `states`, sorted by position.
---@param file claif.ProposalFile
---@param states string[]
---@return claif.Hunk[]
local function placed(file, states)
  local hunks = vim.tbl_filter(function(h)
    return vim.list_contains(states, h.state) and type(h.range) == 'table'
  end, file.hunks or {})
  table.sort(hunks, function(a, b)
    return a.range.start.line < b.range.start.line
  end)
  return hunks
end

--- Pending hunks of a file, sorted by position.
---@param file claif.ProposalFile
---@return claif.Hunk[]
function M.pending_hunks(file)
  return placed(file, { 'pending' })
end

--- Hunks the proposed text holds: pending ones and those whose edit is in flight (`applying`).
---@param file claif.ProposalFile
---@return claif.Hunk[]
function M.open_hunks(file)
  return placed(file, { 'pending', 'applying' })
end

--- Stale hunks of a file: the user changed their lines, so they no longer place (server state `stale`).
---@param file claif.ProposalFile
---@return claif.Hunk[]
function M.stale_hunks(file)
  return vim.tbl_filter(function(h)
    return h.state == 'stale'
  end, file.hunks or {})
end

--- The text of a stale hunk's mark: `stale: <reason>`.
---@param hunk claif.Hunk
---@return string
function M.stale_text(hunk)
  local reason = type(hunk.reason) == 'string' and messages.strip(hunk.reason) or ''
  -- One line fits a mark: the reason's first, without a `stale:` of its own or a colon introducing more.
  reason = vim.trim(reason:match('^[^\n]*'):gsub('^stale:%s*', ''):gsub(':$', ''))
  return reason ~= '' and ('stale: ' .. reason) or 'stale: its lines changed'
end

--- Rows (0-based, end exclusive) a hunk covers in the source buffer.
---@param hunk claif.Hunk
---@return integer, integer
function M.source_rows(hunk)
  local s, e = hunk.range.start, hunk.range['end']
  local last = (e.character == 0 and e.line > s.line) and e.line or e.line + 1
  return s.line, math.max(last, s.line + 1)
end

--- Rows (0-based, end exclusive) each pending hunk covers in the proposed text (hunks being applied
--- are in that text too, so they shift the rows, but are not listed).
---@param file claif.ProposalFile
---@return {hunk: claif.Hunk, first: integer, last: integer}[]
function M.proposed_rows(file)
  local rows, offset = {}, 0
  for _, hunk in ipairs(M.open_hunks(file)) do
    local s, e = hunk.range.start, hunk.range['end']
    local first = s.line + offset
    local span = count_newlines(hunk.newText or '')
    if hunk.state == 'pending' then
      table.insert(rows, { hunk = hunk, first = first, last = first + math.max(span, 1) })
    end
    offset = offset + span - (e.line - s.line)
  end
  return rows
end

--- The row (0-based) of the source buffer where a hunk's anchor is now, if it has one there.
---@param session claif.Session
---@param hunk claif.Hunk
---@param bufnr? integer only in this buffer
---@return integer?
function M.anchor_row(session, hunk, bufnr)
  local anchor = session.anchors and session.anchors[hunk.id]
  if not anchor or not vim.api.nvim_buf_is_valid(anchor.buf) or (bufnr and anchor.buf ~= bufnr) then
    return nil
  end
  local pos = vim.api.nvim_buf_get_extmark_by_id(anchor.buf, M.anchor_ns, anchor.id, {})
  return pos[1]
end

--- The row of the proposed text that shows row `row` of the source text (pending hunks above it
--- shift it by the lines they add or remove).
---@param file claif.ProposalFile
---@param row integer
---@return integer
function M.to_proposed_row(file, row)
  local offset = 0
  for _, hunk in ipairs(M.open_hunks(file)) do
    local s, e = hunk.range.start, hunk.range['end']
    if select(2, M.source_rows(hunk)) <= row then
      offset = offset + count_newlines(hunk.newText or '') - (e.line - s.line)
    end
  end
  return math.max(0, row + offset)
end

--- The session, the pending hunks and the stale hunks on rows `first..last` (0-based, inclusive) of
--- `bufnr`, which is a source buffer or a proposal buffer of the diff view.
---@param bufnr integer
---@param first integer
---@param last integer
---@return claif.Session?, claif.Hunk[], claif.Hunk[]
function M.hunks_at(bufnr, first, last)
  local fallback ---@type claif.Session?
  for _, session in pairs(M.sessions) do
    if session.prop_buf == bufnr then
      local hunks, stale = {}, {}
      for _, r in ipairs(M.proposed_rows(session.file)) do
        if r.first <= last and first < r.last then
          table.insert(hunks, r.hunk)
        end
      end
      for _, r in ipairs(session.stale_rows or {}) do
        if first <= r.row and r.row <= last then
          table.insert(stale, r.hunk)
        end
      end
      return session, hunks, stale
    end
    for _, file in ipairs(session.proposal.files or {}) do
      if find_buf(file.uri) == bufnr then
        local hunks, stale = {}, {}
        for _, hunk in ipairs(M.pending_hunks(file)) do
          local s, e = M.source_rows(hunk)
          if s <= last and first < e then
            table.insert(hunks, hunk)
          end
        end
        for _, hunk in ipairs(M.stale_hunks(file)) do
          local row = M.anchor_row(session, hunk, bufnr)
          if row and first <= row and row <= last then
            table.insert(stale, hunk)
          end
        end
        if #hunks > 0 or #stale > 0 then
          return session, hunks, stale
        end
        fallback = fallback or session
      end
    end
  end
  return fallback, {}, {}
end

--- The newest open session whose proposal touches `bufnr` (or whose diff view shows it).
---@param bufnr integer
---@return claif.Session?
function M.session_for(bufnr)
  for i = #state.order, 1, -1 do
    local session = M.sessions[state.order[i]]
    if session then
      if session.prop_buf == bufnr or session.src_buf == bufnr then
        return session
      end
      for _, file in ipairs(session.proposal.files or {}) do
        if find_buf(file.uri) == bufnr then
          return session
        end
      end
    end
  end
  return nil
end

--- Move the anchor of each pending hunk to the rows the server placed it on.
---@param session claif.Session
---@param file claif.ProposalFile
---@param bufnr integer
local function anchor(session, file, bufnr)
  session.anchors = session.anchors or {}
  local count = vim.api.nvim_buf_line_count(bufnr)
  for _, hunk in ipairs(M.open_hunks(file)) do
    local s = math.min(M.source_rows(hunk), count - 1)
    local old = session.anchors[hunk.id]
    -- Left gravity: a line the user rewrites (deleted and inserted again) keeps its anchor.
    local id = vim.api.nvim_buf_set_extmark(bufnr, M.anchor_ns, s, 0, {
      id = old and old.buf == bufnr and old.id or nil,
      right_gravity = false,
    })
    session.anchors[hunk.id] = { buf = bufnr, id = id }
  end
end

--- Place signs and a hint on each pending and stale hunk of every loaded buffer the proposal touches.
---@param session claif.Session
function M.mark(session)
  for _, file in ipairs(session.proposal.files or {}) do
    local bufnr = find_buf(file.uri)
    if bufnr then
      vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
      anchor(session, file, bufnr)
      if config.options.review.signs then
        local count = vim.api.nvim_buf_line_count(bufnr)
        for _, hunk in ipairs(M.pending_hunks(file)) do
          local s, e = M.source_rows(hunk)
          s = math.min(s, count - 1)
          e = math.max(math.min(e, count), s + 1)
          local deletion = (hunk.newText or '') == ''
          vim.api.nvim_buf_set_extmark(bufnr, M.ns, s, 0, {
            end_row = e - 1,
            sign_text = deletion and '▁' or '▍',
            sign_hl_group = deletion and 'DiffDelete' or 'DiffChange',
            virt_text = { { ('claif %s'):format(hunk.id), 'Comment' } },
            virt_text_pos = 'eol',
            priority = 20,
          })
        end
        for _, hunk in ipairs(M.stale_hunks(file)) do
          local row = M.anchor_row(session, hunk, bufnr)
          if row then
            vim.api.nvim_buf_set_extmark(bufnr, M.ns, math.min(row, count - 1), 0, {
              sign_text = '!',
              sign_hl_group = 'DiagnosticWarn',
              virt_text = { { ('claif %s %s'):format(hunk.id, M.stale_text(hunk)), 'DiagnosticWarn' } },
              virt_text_pos = 'eol',
              priority = 20,
            })
          end
        end
      end
    end
  end
end

---@param session claif.Session
local function unmark(session)
  for _, file in ipairs(session.proposal.files or {}) do
    local bufnr = find_buf(file.uri)
    if bufnr then
      vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
    end
  end
  for _, a in pairs(session.anchors or {}) do
    if vim.api.nvim_buf_is_valid(a.buf) then
      vim.api.nvim_buf_del_extmark(a.buf, M.anchor_ns, a.id)
    end
  end
  session.anchors = nil
end

--- Mark the stale hunks of the shown file in the proposal buffer, near where their lines were
--- (at the top when the plugin never saw them placed); `gr` there drops them.
---@param session claif.Session
local function mark_stale(session)
  local buf = session.prop_buf --[[@as integer]]
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  session.stale_rows = {}
  local count = vim.api.nvim_buf_line_count(buf)
  for _, hunk in ipairs(M.stale_hunks(session.file)) do
    local src = M.anchor_row(session, hunk, session.src_buf)
    local row = math.min(src and M.to_proposed_row(session.file, src) or 0, count - 1)
    table.insert(session.stale_rows, { hunk = hunk, row = row })
    local keys = config.options.review.keys
    local hint = keys.reject_hunk and (' (%s drops it)'):format(keys.reject_hunk) or ''
    vim.api.nvim_buf_set_extmark(buf, M.ns, row, 0, {
      sign_text = '!',
      sign_hl_group = 'DiagnosticWarn',
      line_hl_group = 'DiagnosticVirtualTextWarn',
      virt_text = { { ('claif %s %s%s'):format(hunk.id, M.stale_text(hunk), hint), 'DiagnosticWarn' } },
      virt_text_pos = 'eol',
      priority = 20,
    })
  end
end

--- Index of the shown file in `proposal.files` (1-based).
---@param session claif.Session
---@return integer
function M.file_index(session)
  for i, file in ipairs(session.proposal.files or {}) do
    if file.uri == session.file.uri then
      return i
    end
  end
  return 1
end

---@param session claif.Session
---@return string
local function winbar(session)
  local files = session.proposal.files or {}
  local text = ('claif proposal %s: %s'):format(session.id, session.file.path or session.file.uri)
  if #files > 1 then
    local keys = config.options.review.keys
    local hint = keys.next_file and keys.prev_file and (' (%s/%s: next/previous file)'):format(keys.next_file, keys.prev_file) or ''
    text = ('%s [file %d/%d]%s'):format(text, M.file_index(session), #files, hint)
  end
  return (text:gsub('%%', '%%%%'))
end

---@param session claif.Session
local function fill_proposal_buffer(session)
  local buf = session.prop_buf
  if not buf or not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  pcall(vim.api.nvim_buf_set_name, buf, ('claif://proposal/%s/%s'):format(session.id, session.file.path or ''))
  local filetype = vim.bo[session.src_buf].filetype
  if filetype == '' then
    filetype = vim.filetype.match({ filename = vim.uri_to_fname(session.file.uri) }) or ''
  end
  if vim.bo[buf].filetype ~= filetype then
    vim.bo[buf].filetype = filetype
  end
  if session.prop_win and vim.api.nvim_win_is_valid(session.prop_win) then
    vim.wo[session.prop_win].winbar = winbar(session)
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, text_lines(session.file.proposedText or ''))
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  mark_stale(session)
  for _, win in ipairs({ session.src_win, session.prop_win }) do
    if win and vim.api.nvim_win_is_valid(win) then
      vim.api.nvim_win_call(win, function()
        vim.cmd('diffupdate')
      end)
    end
  end
end

--- Move the cursor of the proposal window to the next (`1`) or previous (`-1`) pending hunk.
---@param session claif.Session
---@param direction integer
function M.jump(session, direction)
  local win = vim.api.nvim_get_current_win()
  local buf = vim.api.nvim_win_get_buf(win)
  local row = vim.api.nvim_win_get_cursor(win)[1] - 1
  local starts = {} ---@type integer[]
  if buf == session.prop_buf then
    for _, r in ipairs(M.proposed_rows(session.file)) do
      table.insert(starts, r.first)
    end
  else
    for _, hunk in ipairs(M.pending_hunks(session.file)) do
      table.insert(starts, (M.source_rows(hunk)))
    end
  end
  local target ---@type integer?
  if direction > 0 then
    for _, s in ipairs(starts) do
      if s > row then
        target = s
        break
      end
    end
  else
    for i = #starts, 1, -1 do
      if starts[i] < row then
        target = starts[i]
        break
      end
    end
  end
  if target then
    local count = vim.api.nvim_buf_line_count(buf)
    vim.api.nvim_win_set_cursor(win, { math.min(target + 1, count), 0 })
  end
end

---@param session claif.Session
local function map_keys(session)
  local keys = config.options.review.keys
  local buf = session.prop_buf --[[@as integer]]
  ---@param lhs string|false
  ---@param fn function
  ---@param desc string
  local function map(lhs, fn, desc)
    if lhs then
      vim.keymap.set('n', lhs, fn, { buffer = buf, nowait = true, desc = desc })
    end
  end
  local function cursor_row()
    return vim.api.nvim_win_get_cursor(0)[1] - 1
  end
  map(keys.accept_hunk, function()
    M.decide_at('accept', buf, cursor_row(), cursor_row())
  end, 'claif: accept the hunk under the cursor')
  map(keys.reject_hunk, function()
    M.decide_at('reject', buf, cursor_row(), cursor_row())
  end, 'claif: reject the hunk under the cursor')
  map(keys.accept_all, function()
    M.decide(session, 'accept', nil)
  end, 'claif: accept the whole proposal')
  map(keys.reject_all, function()
    M.decide(session, 'reject', nil)
  end, 'claif: reject the whole proposal')
  map(keys.next_hunk, function()
    M.jump(session, 1)
  end, 'claif: next hunk')
  map(keys.prev_hunk, function()
    M.jump(session, -1)
  end, 'claif: previous hunk')
  map(keys.next_file, function()
    M.step_file(session, 1)
  end, 'claif: show the next file of the proposal')
  map(keys.prev_file, function()
    M.step_file(session, -1)
  end, 'claif: show the previous file of the proposal')
  map(keys.close, function()
    M.close_view(session)
  end, 'claif: close the diff view (the proposal stays pending)')
end

---@param session claif.Session
local function cursor_to_first_hunk(session)
  local first = M.proposed_rows(session.file)[1]
  if first and session.prop_win and vim.api.nvim_win_is_valid(session.prop_win) then
    local count = vim.api.nvim_buf_line_count(session.prop_buf)
    vim.api.nvim_win_set_cursor(session.prop_win, { math.min(first.first + 1, count), 0 })
  end
end

--- Show another file of the proposal: its buffer becomes the session's source buffer, and an open
--- diff view switches to it (source window and proposed text).
---@param session claif.Session
---@param file claif.ProposalFile
function M.show_file(session, file)
  local src_buf = vim.uri_to_bufnr(file.uri)
  vim.fn.bufload(src_buf)
  vim.bo[src_buf].buflisted = true
  session.file, session.src_buf = file, src_buf
  M.mark(session)
  if session.src_win and vim.api.nvim_win_is_valid(session.src_win) and vim.api.nvim_win_get_buf(session.src_win) ~= src_buf then
    vim.api.nvim_win_set_buf(session.src_win, src_buf)
    vim.wo[session.src_win].foldenable = false
    vim.api.nvim_win_call(session.src_win, function()
      vim.cmd('diffthis')
    end)
  end
  fill_proposal_buffer(session)
  cursor_to_first_hunk(session)
  fire('ClaifReviewFile', { proposal = session.id, bufnr = src_buf, path = file.path, index = M.file_index(session) })
end

--- Show the next (`1`) or previous (`-1`) file of the proposal, wrapping around.
---@param session claif.Session
---@param direction integer
function M.step_file(session, direction)
  local files = session.proposal.files or {}
  if #files < 2 then
    messages.say('this proposal changes one file')
    return
  end
  local index = (M.file_index(session) - 1 + direction) % #files + 1
  M.show_file(session, files[index])
end

--- The proposal file whose path (relative to the workspace root, or absolute) or 1-based index is `name`.
---@param session claif.Session
---@param name string
---@return claif.ProposalFile?
function M.find_file(session, name)
  local files = session.proposal.files or {}
  local index = tonumber(name)
  if index then
    return files[index]
  end
  local full = vim.fs.normalize(vim.fn.fnamemodify(name, ':p'))
  for _, file in ipairs(files) do
    if file.path == name or vim.fs.normalize(vim.uri_to_fname(file.uri)) == full then
      return file
    end
  end
  return nil
end

--- Open the diff view of a session: the source buffer beside the proposed text, in diff mode.
---@param session claif.Session
function M.open_view(session)
  idle.cancel('review:' .. session.id)
  if session.prop_win and vim.api.nvim_win_is_valid(session.prop_win) then
    vim.api.nvim_set_current_win(session.prop_win)
    return
  end
  local buf = vim.api.nvim_create_buf(false, true)
  session.prop_buf = buf
  vim.bo[buf].bufhidden = 'wipe'

  if config.options.review.layout == 'tab' then
    vim.cmd('tab split')
    session.tab = vim.api.nvim_get_current_tabpage()
    session.src_win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(session.src_win, session.src_buf)
  else
    local wins = vim.fn.win_findbuf(session.src_buf)
    session.src_win = wins[1] or vim.api.nvim_get_current_win()
    session.home_buf = vim.api.nvim_win_get_buf(session.src_win)
    vim.api.nvim_win_set_buf(session.src_win, session.src_buf)
  end
  session.prop_win = vim.api.nvim_open_win(buf, true, { split = 'right', win = session.src_win })
  fill_proposal_buffer(session)
  for _, win in ipairs({ session.src_win, session.prop_win }) do
    vim.api.nvim_win_call(win, function()
      vim.cmd('diffthis')
    end)
  end
  vim.wo[session.prop_win].foldenable = false
  vim.wo[session.src_win].foldenable = false
  map_keys(session)
  vim.api.nvim_create_autocmd('BufWipeout', {
    buffer = buf,
    once = true,
    callback = function()
      session.prop_buf, session.prop_win = nil, nil
      if session.src_win and vim.api.nvim_win_is_valid(session.src_win) then
        vim.api.nvim_win_call(session.src_win, function()
          vim.cmd('diffoff')
        end)
      end
    end,
  })
  cursor_to_first_hunk(session)
  fire('ClaifReviewOpen', { proposal = session.id, bufnr = session.src_buf, proposal_bufnr = buf })
end

--- Close the diff view; the proposal stays as it is.
---@param session claif.Session
function M.close_view(session)
  local tab, prop_win, src_win = session.tab, session.prop_win, session.src_win
  session.tab = nil
  if src_win and vim.api.nvim_win_is_valid(src_win) then
    vim.api.nvim_win_call(src_win, function()
      vim.cmd('diffoff')
    end)
    -- `]f` may have put another file of the proposal in the user's own window: give it back.
    local home = session.home_buf
    if not tab and home and vim.api.nvim_buf_is_valid(home) and vim.api.nvim_win_get_buf(src_win) ~= home then
      vim.api.nvim_win_set_buf(src_win, home)
    end
  end
  session.home_buf = nil
  if tab and vim.api.nvim_tabpage_is_valid(tab) and #vim.api.nvim_list_tabpages() > 1 then
    vim.cmd.tabclose(vim.api.nvim_tabpage_get_number(tab))
  elseif prop_win and vim.api.nvim_win_is_valid(prop_win) and #vim.api.nvim_list_wins() > 1 then
    vim.api.nvim_win_close(prop_win, true)
  end
  if session.prop_buf and vim.api.nvim_buf_is_valid(session.prop_buf) then
    vim.api.nvim_buf_delete(session.prop_buf, { force = true })
  end
  session.prop_buf, session.prop_win, session.src_win = nil, nil, nil
end

--- Forget a session: close its view and remove its signs.
---@param id string
function M.finish(id)
  local session = M.sessions[id]
  if not session then
    return
  end
  M.sessions[id] = nil
  idle.cancel('review:' .. id)
  unmark(session)
  M.close_view(session)
  fire('ClaifReviewDone', { proposal = id, state = session.proposal.state })
end

--- True while a proposal has something to review: a pending hunk (or one being applied), or a stale
--- one to drop. (A server
--- without per-hunk staleness marks the whole proposal `stale` and leaves its hunks pending: that
--- proposal can no longer be accepted, so it is over.)
---@param proposal claif.Proposal
---@return boolean
function M.reviewable(proposal)
  if proposal.state == 'stale' then
    return M.any_stale(proposal)
  end
  return state.is_open(proposal.state) and (M.any_open(proposal) or M.any_stale(proposal))
end

--- Take a fresh proposal object: update the session, its view and its signs.
---@param session claif.Session
---@param proposal claif.Proposal
function M.update(session, proposal)
  session.proposal = proposal
  state.remember(proposal.id, session.client_id, proposal.state)
  for _, file in ipairs(proposal.files or {}) do
    if file.uri == session.file.uri then
      session.file = file
    end
  end
  -- Why a proposal ended is told once, by the decision's result or the server's message.
  if not M.reviewable(proposal) then
    M.finish(proposal.id)
    return
  end
  if #M.pending_hunks(session.file) == 0 then
    -- Nothing left to accept in the shown file: show the next one with pending hunks, else one with stale ones.
    local files, index = proposal.files, M.file_index(session)
    local target ---@type claif.ProposalFile?
    for _, wanted in ipairs({ M.pending_hunks, M.stale_hunks }) do
      for step = 0, #files - 1 do
        local file = files[(index - 1 + step) % #files + 1]
        if not target and #wanted(file) > 0 then
          target = file
        end
      end
    end
    if target and target.uri ~= session.file.uri then
      M.show_file(session, target)
    end
  end
  M.mark(session)
  fill_proposal_buffer(session)
  fire('ClaifReviewUpdate', { proposal = proposal.id, state = proposal.state })
end

---@param proposal claif.Proposal
---@return boolean
function M.any_pending(proposal)
  for _, file in ipairs(proposal.files or {}) do
    if #M.pending_hunks(file) > 0 then
      return true
    end
  end
  return false
end

--- True when a hunk is pending or being applied.
---@param proposal claif.Proposal
---@return boolean
function M.any_open(proposal)
  for _, file in ipairs(proposal.files or {}) do
    if #M.open_hunks(file) > 0 then
      return true
    end
  end
  return false
end

---@param proposal claif.Proposal
---@return boolean
function M.any_stale(proposal)
  for _, file in ipairs(proposal.files or {}) do
    if #M.stale_hunks(file) > 0 then
      return true
    end
  end
  return false
end

--- Fetch a proposal again with `claif.proposal` and update its session.
---@param id string
---@param callback? fun()
function M.refresh(id, callback)
  local session = M.sessions[id]
  local client = session and vim.lsp.get_client_by_id(session.client_id)
  if not session or not client then
    return callback and callback()
  end
  client_util.execute(client, 'claif.proposal', { proposal = id }, nil, function(err, proposal)
    if err then
      messages.say(client_util.message(err), vim.log.levels.ERROR)
    elseif M.sessions[id] and type(proposal) == 'table' then
      M.update(M.sessions[id], proposal)
    end
    if callback then
      callback()
    end
  end)
end

--- Start reviewing a proposal: fetch it, mark its hunks and announce it (see `M.show`).
---@param client vim.lsp.Client
---@param id string
---@param opts? {bufnr?: integer, open?: boolean}
function M.start(client, id, opts)
  opts = opts or {}
  client_util.execute(client, 'claif.proposal', { proposal = id }, nil, function(err, proposal)
    if err or type(proposal) ~= 'table' then
      messages.say(('cannot fetch proposal %s: %s'):format(id, client_util.message(err or 'no result')), vim.log.levels.ERROR)
      return
    end
    M.show(client, proposal, opts)
  end)
end

--- The one line announcing a new proposal: `p1 ready, 3 hunks in app.py: :ClaifReview`.
---@param proposal claif.Proposal
---@return string
function M.announcement(proposal)
  local files = proposal.files or {}
  local hunks = 0
  for _, f in ipairs(files) do
    hunks = hunks + #M.pending_hunks(f)
  end
  local paths = table.concat(vim.tbl_map(function(f)
    return f.path or vim.uri_to_fname(f.uri)
  end, files), ', ')
  local function line(where)
    return ('%s ready, %d hunk%s in %s: :ClaifReview'):format(proposal.id, hunks, hunks == 1 and '' or 's', where)
  end
  local text = line(paths)
  -- A message wider than the command line would wait for <Enter> and eat a key of someone typing.
  if #files > 1 and vim.v.echospace > 0 and #text + #'claif: ' > vim.v.echospace then
    text = line(('%d files'):format(#files))
  end
  return text
end

--- Show a proposal object: keep it as a session, mark its hunks in the source buffers and announce it.
--- The diff view opens when asked (`opts.open`, |:ClaifReview|) or, with `review.auto_open`, by itself
--- once the user is not typing: it never takes the focus from someone at work.
---@param client vim.lsp.Client
---@param proposal claif.Proposal
---@param opts? {bufnr?: integer, open?: boolean}
function M.show(client, proposal, opts)
  opts = opts or {}
  state.remember(proposal.id, client.id, proposal.state)
  local files = proposal.files or {}
  if #files == 0 or not M.reviewable(proposal) then
    messages.say(('proposal %s is %s'):format(proposal.id, proposal.state))
    return
  end
  local file = files[1]
  for _, f in ipairs(files) do
    if opts.bufnr and find_buf(f.uri) == opts.bufnr then
      file = f
    end
  end
  local src_buf = vim.uri_to_bufnr(file.uri)
  vim.fn.bufload(src_buf)
  vim.bo[src_buf].buflisted = true
  local old = M.sessions[proposal.id]
  if old then
    M.update(old, proposal)
  else
    M.sessions[proposal.id] = {
      id = proposal.id,
      client_id = client.id,
      proposal = proposal,
      file = file,
      src_buf = src_buf,
    }
    M.mark(M.sessions[proposal.id])
  end
  if not old then
    messages.say(M.announcement(proposal))
  end
  local session = M.sessions[proposal.id]
  if opts.open then
    M.open_view(session)
  elseif opts.open == nil and config.options.review.auto_open and not old then
    idle.when_idle('review:' .. proposal.id, function()
      if M.sessions[proposal.id] == session and not (session.prop_win and vim.api.nvim_win_is_valid(session.prop_win)) then
        M.open_view(session)
      end
    end)
  end
end

--- Accept or reject hunks (or, with `hunks == nil`, the whole proposal).
---@param session claif.Session
---@param verb 'accept'|'reject'
---@param hunks string[]?
---@param callback? fun(err: any, result: any)
function M.decide(session, verb, hunks, callback)
  local client = vim.lsp.get_client_by_id(session.client_id)
  if not client then
    messages.say('the server of this proposal is gone', vim.log.levels.ERROR)
    return
  end
  local arg = { proposal = session.id, hunks = hunks }
  local apply_edit = require('claif.apply_edit')
  if verb == 'accept' then
    apply_edit.expect(client.id, 1)
  end
  local mark = messages.mark()
  client_util.execute(client, 'claif.' .. verb, arg, session.src_buf, function(err, result)
    if verb == 'accept' then
      apply_edit.expect(client.id, -1)
    end
    -- One message per outcome: the server's reason, unless its own message already said it.
    if err then
      local text = messages.strip(client_util.message(err))
      if not messages.said_since(mark, text) then
        messages.say(('%s failed: %s'):format(verb, text), vim.log.levels.ERROR)
      end
    elseif type(result) == 'table' and type(result.reason) == 'string' and result.reason ~= '' then
      if not messages.said_since(mark, result.reason) then
        local reason = messages.strip(result.reason)
        if result.applied == false then
          messages.say('not applied: ' .. reason, vim.log.levels.WARN)
        else
          messages.say(reason, vim.log.levels.WARN)
        end
      end
    elseif type(result) == 'table' and result.applied == false then
      messages.say('not applied', vim.log.levels.WARN)
    end
    local done = function()
      if callback then
        callback(err, result)
      end
    end
    if M.sessions[session.id] and type(result) == 'table' and type(result.proposal) == 'table' and result.proposal.files then
      M.update(M.sessions[session.id], result.proposal)
      done()
    else
      M.refresh(session.id, done)
    end
  end)
end

--- Accept or reject the hunks on rows `first..last` (0-based) of `bufnr`.
---@param verb 'accept'|'reject'
---@param bufnr integer
---@param first integer
---@param last integer
---@param callback? fun(err: any, result: any)
---@return boolean sent
function M.decide_at(verb, bufnr, first, last, callback)
  local session, hunks, stale = M.hunks_at(bufnr, first, last)
  if not session then
    messages.say('no pending proposal here', vim.log.levels.WARN)
    return false
  end
  if verb == 'reject' then
    -- Rejecting a stale hunk drops it; accepting one could only fail.
    hunks = vim.list_extend(vim.list_slice(hunks), stale)
  elseif #hunks == 0 and #stale > 0 then
    local keys = config.options.review.keys
    local how = keys.reject_hunk and ('; %s drops it'):format(keys.reject_hunk) or ''
    messages.say(('%s is %s%s'):format(stale[1].id, M.stale_text(stale[1]), how), vim.log.levels.WARN)
    return false
  end
  if #hunks == 0 then
    messages.say('no pending hunk under the cursor', vim.log.levels.WARN)
    return false
  end
  local ids = vim.tbl_map(function(h)
    return h.id
  end, hunks)
  M.decide(session, verb, ids, callback)
  return true
end

--- A proposal changed state on the server (`claif/proposalsChanged`).
---@param id string
---@param new_state string
---@param client_id integer
function M.on_changed(id, new_state, client_id)
  local known = state.proposals[id]
  state.remember(id, client_id, new_state)
  local session = M.sessions[id]
  if session and (not known or known.state ~= new_state) then
    M.refresh(id)
  end
end

return M
