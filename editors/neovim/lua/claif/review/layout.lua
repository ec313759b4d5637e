--- The review's windows: a tab (or a split of the user's window) showing the source buffer beside the
--- proposed text in diff mode, its winbar, and where the cursor goes in it.
local buffers = require('claif.buffers')
local config = require('claif.config')
local events = require('claif.events')
local geometry = require('claif.review.geometry')
local hunks = require('claif.review.hunks')
local labels = require('claif.review.labels')
local render = require('claif.review.render')

local M = {}

---@param win integer?
---@return boolean
local function valid(win)
  return win ~= nil and vim.api.nvim_win_is_valid(win)
end

--- Index of the shown file in `proposal.files` (1-based).
---@param session claif.Session
---@return integer
function M.file_index(session)
  return hunks.file_index(session.proposal.files or {}, session.file.uri)
end

--- Name buffer `buf` `name`. Renaming leaves an unloaded buffer under the old name (the alternate file),
--- which would hold that name for good: it goes.
---@param buf integer
---@param name string
function M.rename(buf, name)
  local old = vim.fn.bufname(buf)
  if old == name or not pcall(vim.api.nvim_buf_set_name, buf, name) or old == '' then
    return
  end
  for _, other in ipairs(vim.api.nvim_list_bufs()) do
    if other ~= buf and not vim.api.nvim_buf_is_loaded(other) and vim.fn.bufname(other) == old then
      vim.api.nvim_buf_delete(other, { force = true })
    end
  end
end

--- Window options the view sets on the source window, and what they were, to give back on close.
local SOURCE_OPTIONS = { 'winbar', 'winhighlight' }

--- Set the source window's winbar and highlights for the view (remembering the user's own).
---@param session claif.Session
local function dress_source(session)
  local win = session.src_win --[[@as integer]]
  if not session.src_options then
    session.src_options = {}
    for _, option in ipairs(SOURCE_OPTIONS) do
      session.src_options[option] = vim.wo[win][option]
    end
  end
  vim.wo[win].winbar = labels.source_winbar(session)
  render.define_highlights()
  -- Lines only the source has are the ones the proposal removes: drawn as removals, not as additions.
  local own = session.src_options.winhighlight
  vim.wo[win].winhighlight = (own ~= '' and (own .. ',') or '') .. 'DiffAdd:ClaifDiffRemoved'
end

--- Give the source window back its own winbar and highlights.
---@param session claif.Session
local function undress_source(session)
  local win = session.src_win
  if session.src_options and valid(win) then
    for option, value in pairs(session.src_options) do
      vim.wo[win][option] = value
    end
  end
  session.src_options = nil
end

--- Draw the proposal buffer again from the session (text, stale marks, winbars) and update the diff.
---@param session claif.Session
function M.refresh(session)
  local buf = session.prop_buf
  if not buf or not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  if valid(session.prop_win) then
    vim.wo[session.prop_win].winbar = labels.winbar(session)
    vim.wo[session.prop_win].statusline = labels.key_hint(vim.api.nvim_win_get_width(session.prop_win))
  end
  if valid(session.src_win) then
    dress_source(session)
  end
  M.rename(buf, labels.buffer_name(session))
  render.proposed_text(session)
  for _, win in ipairs({ session.src_win, session.prop_win }) do
    if valid(win) then
      vim.api.nvim_win_call(win, function()
        vim.cmd('diffupdate')
      end)
    end
  end
end

--- Move the cursor of the proposal window to the first pending hunk.
---@param session claif.Session
function M.cursor_to_first_hunk(session)
  local first = geometry.proposed_rows(session.file)[1]
  if first and valid(session.prop_win) then
    local count = vim.api.nvim_buf_line_count(session.prop_buf)
    vim.api.nvim_win_set_cursor(session.prop_win, { math.min(first.first + 1, count), 0 })
  end
end

--- Move the cursor of the current window (the proposal's or a source window) to the next (`1`) or
--- previous (`-1`) pending hunk.
---@param session claif.Session
---@param direction integer
function M.jump(session, direction)
  local win = vim.api.nvim_get_current_win()
  local buf = vim.api.nvim_win_get_buf(win)
  local row = vim.api.nvim_win_get_cursor(win)[1] - 1
  local side = buf == session.prop_buf and 'proposed' or 'source'
  local target = geometry.jump_target(geometry.hunk_starts(session.file, side), row, direction)
  if target then
    local count = vim.api.nvim_buf_line_count(buf)
    vim.api.nvim_win_set_cursor(win, { math.min(target + 1, count), 0 })
  end
end

--- Show another file of the proposal: its buffer becomes the session's source buffer, and an open
--- diff view switches to it (source window and proposed text).
---@param session claif.Session
---@param file claif.ProposalFile
function M.show_file(session, file)
  local src_buf = buffers.load(file.uri)
  session.file, session.src_buf = file, src_buf
  render.mark(session)
  if valid(session.src_win) and vim.api.nvim_win_get_buf(session.src_win) ~= src_buf then
    vim.api.nvim_win_set_buf(session.src_win, src_buf)
    vim.wo[session.src_win].foldenable = false
    vim.api.nvim_win_call(session.src_win, function()
      vim.cmd('diffthis')
    end)
  end
  M.refresh(session)
  M.cursor_to_first_hunk(session)
  events.fire('ClaifReviewFile', { proposal = session.id, bufnr = src_buf, path = file.path, index = M.file_index(session) })
end

--- Open the diff view of a session: the source buffer beside the proposed text, in diff mode, with
--- the focus in the proposal window. `attach_keys` maps the review's keys in the proposal buffer.
---@param session claif.Session
---@param attach_keys fun(session: claif.Session)
function M.open(session, attach_keys)
  if valid(session.prop_win) then
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
  M.refresh(session)
  for _, win in ipairs({ session.src_win, session.prop_win }) do
    vim.api.nvim_win_call(win, function()
      vim.cmd('diffthis')
    end)
  end
  vim.wo[session.prop_win].foldenable = false
  vim.wo[session.src_win].foldenable = false
  attach_keys(session)
  vim.api.nvim_create_autocmd('BufWipeout', {
    buffer = buf,
    once = true,
    callback = function()
      session.prop_buf, session.prop_win = nil, nil
      undress_source(session)
      if valid(session.src_win) then
        vim.api.nvim_win_call(session.src_win, function()
          vim.cmd('diffoff')
        end)
      end
    end,
  })
  M.cursor_to_first_hunk(session)
  events.fire('ClaifReviewOpen', { proposal = session.id, bufnr = session.src_buf, proposal_bufnr = buf })
end

--- Close the diff view; the proposal stays as it is.
---@param session claif.Session
function M.close(session)
  local tab, prop_win, src_win = session.tab, session.prop_win, session.src_win
  session.tab = nil
  if valid(src_win) then
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
  undress_source(session)
  if tab and vim.api.nvim_tabpage_is_valid(tab) and #vim.api.nvim_list_tabpages() > 1 then
    vim.cmd.tabclose(vim.api.nvim_tabpage_get_number(tab))
  elseif valid(prop_win) and #vim.api.nvim_list_wins() > 1 then
    vim.api.nvim_win_close(prop_win, true)
  end
  if session.prop_buf and vim.api.nvim_buf_is_valid(session.prop_buf) then
    vim.api.nvim_buf_delete(session.prop_buf, { force = true })
  end
  session.prop_buf, session.prop_win, session.src_win = nil, nil, nil
end

return M
