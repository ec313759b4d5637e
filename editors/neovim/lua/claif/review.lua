--- The review UI: a diff view of a buffer against a proposal's `proposedText`, signs on pending
--- hunks, and accepting or rejecting hunks with `claif.accept` / `claif.reject`.
local client_util = require('claif.client')
local config = require('claif.config')
local state = require('claif.state')

local M = {}

M.ns = vim.api.nvim_create_namespace('claif.review')

---@class claif.Hunk
---@field id string
---@field state string
---@field range lsp.Range
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

--- Pending hunks of a file, sorted by position.
---@param file claif.ProposalFile
---@return claif.Hunk[]
function M.pending_hunks(file)
  local hunks = vim.tbl_filter(function(h)
    return h.state == 'pending'
  end, file.hunks or {})
  table.sort(hunks, function(a, b)
    return a.range.start.line < b.range.start.line
  end)
  return hunks
end

--- Rows (0-based, end exclusive) a hunk covers in the source buffer.
---@param hunk claif.Hunk
---@return integer, integer
function M.source_rows(hunk)
  local s, e = hunk.range.start, hunk.range['end']
  local last = (e.character == 0 and e.line > s.line) and e.line or e.line + 1
  return s.line, math.max(last, s.line + 1)
end

--- Rows (0-based, end exclusive) each pending hunk covers in the proposed text.
---@param file claif.ProposalFile
---@return {hunk: claif.Hunk, first: integer, last: integer}[]
function M.proposed_rows(file)
  local rows, offset = {}, 0
  for _, hunk in ipairs(M.pending_hunks(file)) do
    local s, e = hunk.range.start, hunk.range['end']
    local first = s.line + offset
    local span = count_newlines(hunk.newText or '')
    table.insert(rows, { hunk = hunk, first = first, last = first + math.max(span, 1) })
    offset = offset + span - (e.line - s.line)
  end
  return rows
end

--- The session and the pending hunks covering rows `first..last` (0-based, inclusive) of `bufnr`,
--- which is a source buffer or a proposal buffer of the diff view.
---@param bufnr integer
---@param first integer
---@param last integer
---@return claif.Session?, claif.Hunk[]
function M.hunks_at(bufnr, first, last)
  local fallback ---@type claif.Session?
  for _, session in pairs(M.sessions) do
    if session.prop_buf == bufnr then
      local hunks = {}
      for _, r in ipairs(M.proposed_rows(session.file)) do
        if r.first <= last and first < r.last then
          table.insert(hunks, r.hunk)
        end
      end
      return session, hunks
    end
    for _, file in ipairs(session.proposal.files or {}) do
      if find_buf(file.uri) == bufnr then
        local hunks = {}
        for _, hunk in ipairs(M.pending_hunks(file)) do
          local s, e = M.source_rows(hunk)
          if s <= last and first < e then
            table.insert(hunks, hunk)
          end
        end
        if #hunks > 0 then
          return session, hunks
        end
        fallback = fallback or session
      end
    end
  end
  return fallback, {}
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

--- Place signs and a hint on each pending hunk of every loaded buffer the proposal touches.
---@param session claif.Session
function M.mark(session)
  for _, file in ipairs(session.proposal.files or {}) do
    local bufnr = find_buf(file.uri)
    if bufnr then
      vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
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
    vim.notify('claif: this proposal changes one file', vim.log.levels.INFO)
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
  unmark(session)
  M.close_view(session)
  fire('ClaifReviewDone', { proposal = id, state = session.proposal.state })
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
  if not state.is_open(proposal.state) or #M.pending_hunks(session.file) == 0 and not M.any_pending(proposal) then
    if proposal.state == 'stale' then
      vim.notify(('claif: proposal %s is stale (the buffer changed under it); nothing was overwritten'):format(proposal.id), vim.log.levels.WARN)
    elseif proposal.state == 'failed' or proposal.state == 'discarded' then
      vim.notify(('claif: proposal %s %s'):format(proposal.id, proposal.state), vim.log.levels.WARN)
    end
    M.finish(proposal.id)
    return
  end
  if #M.pending_hunks(session.file) == 0 then
    -- Nothing left in the shown file: show the next one that still has pending hunks.
    local files, index = proposal.files, M.file_index(session)
    for step = 1, #files - 1 do
      local file = files[(index - 1 + step) % #files + 1]
      if #M.pending_hunks(file) > 0 then
        M.show_file(session, file)
        break
      end
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
      vim.notify('claif: ' .. client_util.message(err), vim.log.levels.ERROR)
    elseif M.sessions[id] and type(proposal) == 'table' then
      M.update(M.sessions[id], proposal)
    end
    if callback then
      callback()
    end
  end)
end

--- Start reviewing a proposal: fetch it, mark its hunks, and open the diff view.
---@param client vim.lsp.Client
---@param id string
---@param opts? {bufnr?: integer, open?: boolean}
function M.start(client, id, opts)
  opts = opts or {}
  client_util.execute(client, 'claif.proposal', { proposal = id }, nil, function(err, proposal)
    if err or type(proposal) ~= 'table' then
      vim.notify(('claif: cannot fetch proposal %s: %s'):format(id, client_util.message(err or 'no result')), vim.log.levels.ERROR)
      return
    end
    M.show(client, proposal, opts)
  end)
end

--- Show a proposal object.
---@param client vim.lsp.Client
---@param proposal claif.Proposal
---@param opts? {bufnr?: integer, open?: boolean}
function M.show(client, proposal, opts)
  opts = opts or {}
  state.remember(proposal.id, client.id, proposal.state)
  local files = proposal.files or {}
  if #files == 0 or not state.is_open(proposal.state) then
    vim.notify(('claif: proposal %s is %s'):format(proposal.id, proposal.state), vim.log.levels.INFO)
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
  if #files > 1 and not old then
    local keys = config.options.review.keys
    local paths = vim.tbl_map(function(f)
      return f.path or f.uri
    end, files)
    local how = keys.next_file and (' (%s / %s in the diff view, or :ClaifReview {file})'):format(keys.next_file, keys.prev_file or '') or ' (:ClaifReview {file})'
    vim.notify(('claif: proposal %s changes %d files: %s%s'):format(proposal.id, #files, table.concat(paths, ', '), how), vim.log.levels.INFO)
  end
  local open = opts.open
  if open == nil then
    open = config.options.review.auto_open
  end
  if open and M.sessions[proposal.id] then
    M.open_view(M.sessions[proposal.id])
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
    vim.notify('claif: the server of this proposal is gone', vim.log.levels.ERROR)
    return
  end
  local arg = { proposal = session.id, hunks = hunks }
  local apply_edit = require('claif.apply_edit')
  if verb == 'accept' then
    apply_edit.expect(client.id, 1)
  end
  client_util.execute(client, 'claif.' .. verb, arg, session.src_buf, function(err, result)
    if verb == 'accept' then
      apply_edit.expect(client.id, -1)
    end
    if err then
      vim.notify(('claif: %s failed: %s'):format(verb, client_util.message(err)), vim.log.levels.ERROR)
    elseif verb == 'accept' and type(result) == 'table' and result.applied == false then
      vim.notify(('claif: not applied: %s'):format(result.reason or 'unknown reason'), vim.log.levels.WARN)
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
  local session, hunks = M.hunks_at(bufnr, first, last)
  if not session then
    vim.notify('claif: no pending proposal here', vim.log.levels.WARN)
    return false
  end
  if #hunks == 0 then
    vim.notify('claif: no pending hunk under the cursor', vim.log.levels.WARN)
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
