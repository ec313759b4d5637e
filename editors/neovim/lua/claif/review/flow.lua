--- A review session's life: a proposal shown and announced, its view opened, updated from the server,
--- its hunks decided, and the session finished once nothing is left to review.
local buffers = require('claif.buffers')
local client_util = require('claif.client')
local config = require('claif.config')
local events = require('claif.events')
local hunks = require('claif.review.hunks')
local idle = require('claif.idle')
local keys = require('claif.review.keys')
local layout = require('claif.review.layout')
local locate = require('claif.review.locate')
local messages = require('claif.messages')
local raw_answer = require('claif.raw_answer')
local render = require('claif.review.render')
local revision = require('claif.review.revision')
local server = require('claif.review.server')
local store = require('claif.store')

local M = {}

--- Show the next (`1`) or previous (`-1`) file of the proposal, wrapping around.
---@param session claif.Session
---@param direction integer
function M.step_file(session, direction)
  local files = session.proposal.files or {}
  if #files < 2 then
    messages.say('this proposal changes one file')
    return
  end
  local index = (layout.file_index(session) - 1 + direction) % #files + 1
  layout.show_file(session, files[index])
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

---@param session claif.Session
local function attach_keys(session)
  local buf = session.prop_buf --[[@as integer]]
  keys.attach(buf, {
    decide_here = function(verb)
      local row = vim.api.nvim_win_get_cursor(0)[1] - 1
      M.decide_at(verb, buf, row, row)
    end,
    decide_all = function(verb)
      M.decide(session, verb, nil)
    end,
    jump = function(direction)
      layout.jump(session, direction)
    end,
    step_file = function(direction)
      M.step_file(session, direction)
    end,
    refine = function(first, last)
      -- claif.refine sends through claif.ask, which requires the review facade that requires this module.
      local refine = require('claif.refine')
      local row = vim.api.nvim_win_get_cursor(0)[1] - 1
      refine.refine({ bufnr = buf, first = first or row, last = last or row, ranged = first ~= nil })
    end,
    answer = function()
      raw_answer.show(session.proposal)
    end,
    close = function()
      layout.close(session)
    end,
  })
end

--- Open the diff view of a session: the source buffer beside the proposed text, in diff mode.
---@param session claif.Session
function M.open_view(session)
  idle.cancel('review:' .. session.id)
  if not vim.api.nvim_buf_is_loaded(session.src_buf) then
    -- A restored proposal's file that was not open yet.
    session.src_buf = buffers.load(session.file.uri)
    render.mark(session)
  end
  layout.open(session, attach_keys)
end

--- Forget a session: close its view and remove its signs.
---@param id string
function M.finish(id)
  local session = store.drop_session(id)
  if not session then
    return
  end
  idle.cancel('review:' .. id)
  render.unmark(session)
  layout.close(session)
  events.fire('ClaifReviewDone', { proposal = id, state = session.proposal.state })
end

--- Take a fresh proposal object: update the session, its view and its signs.
---@param session claif.Session
---@param proposal claif.Proposal
function M.update(session, proposal)
  session.proposal = proposal
  store.remember(proposal.id, session.client_id, proposal.state)
  for _, file in ipairs(proposal.files or {}) do
    if file.uri == session.file.uri then
      session.file = file
    end
  end
  -- Why a proposal ended is told once, by the decision's result or the server's message.
  if not hunks.reviewable(proposal) then
    M.finish(proposal.id)
    return
  end
  if #hunks.pending(session.file) == 0 then
    -- Nothing left to accept in the shown file: show the next one with pending hunks, else one with stale ones.
    local target = hunks.next_to_review(proposal.files, layout.file_index(session))
    if target and target.uri ~= session.file.uri then
      layout.show_file(session, target)
    end
  end
  render.mark(session)
  layout.refresh(session)
  events.fire('ClaifReviewUpdate', { proposal = proposal.id, state = proposal.state })
end

--- Fetch a proposal again with `claif.proposal` and update its session.
---@param id string
---@param callback? fun()
function M.refresh(id, callback)
  local session = store.sessions[id]
  local client = session and vim.lsp.get_client_by_id(session.client_id)
  if not session or not client then
    return callback and callback()
  end
  server.fetch(client, id, function(err, proposal)
    if err then
      messages.say(client_util.message(err), vim.log.levels.ERROR)
    elseif store.sessions[id] and type(proposal) == 'table' then
      M.update(store.sessions[id], proposal)
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
  server.fetch(client, id, function(err, proposal)
    if err or type(proposal) ~= 'table' then
      messages.say(('cannot fetch proposal %s: %s'):format(id, client_util.message(err or 'no result')), vim.log.levels.ERROR)
      return
    end
    M.show(client, proposal, opts)
  end)
end

--- The one line announcing a new proposal or revision: `p1 ready, 3 hunks in app.py: :ClaifReview`,
--- `p1 revision 2 ready, ...`, `p3 restored, ...`, with what did not place or that it came from the cache.
--- With `on_view` (its diff view is open) it names no command.
---@param proposal claif.Proposal
---@param on_view? boolean
---@return string
function M.announcement(proposal, on_view)
  local files = proposal.files or {}
  local count = hunks.count_pending(proposal)
  local paths = table.concat(vim.tbl_map(function(f)
    return f.path or vim.uri_to_fname(f.uri)
  end, files), ', ')
  local number = tonumber(proposal.revision) or 1
  local what = proposal.restored and 'restored'
    or (number > 1 and ('revision %d ready'):format(number))
    or 'ready'
  local notes = {}
  local not_placed = revision.not_placed(proposal)
  if not_placed then
    table.insert(notes, ('%s (:ClaifAnswer)'):format(not_placed))
  end
  if proposal.cached == true then
    table.insert(notes, 'from the cache: :ClaifRetry asks again')
  end
  local function line(where)
    local text = ('%s %s, %d hunk%s in %s'):format(proposal.id, what, count, count == 1 and '' or 's', where)
    if not on_view then
      text = text .. ': :ClaifReview'
    end
    return table.concat(vim.list_extend({ text }, notes), '; ')
  end
  local text = line(paths)
  -- A message wider than the command line would wait for <Enter> and eat a key of someone typing.
  if #files > 1 and vim.v.echospace > 0 and #text + #'claif: ' > vim.v.echospace then
    text = line(('%d files'):format(#files))
  end
  return text
end

--- Show a proposal object: keep it as a session, mark its hunks in the source buffers and announce it
--- (a new revision of one under review too; `opts.quiet` announces nothing). The diff view opens when
--- asked (`opts.open`, |:ClaifReview|) or, with `review.auto_open`, by itself once the user is not
--- typing: it never takes the focus from someone at work. With `opts.lazy` (a restored proposal) only
--- buffers already loaded are marked; the others are when they load.
---@param client vim.lsp.Client
---@param proposal claif.Proposal
---@param opts? {bufnr?: integer, open?: boolean, quiet?: boolean, lazy?: boolean}
function M.show(client, proposal, opts)
  opts = opts or {}
  store.remember(proposal.id, client.id, proposal.state)
  local files = proposal.files or {}
  if #files == 0 or not hunks.reviewable(proposal) then
    messages.say(('proposal %s is %s'):format(proposal.id, proposal.state))
    return
  end
  local file = files[1]
  for _, f in ipairs(files) do
    if opts.bufnr and buffers.find(f.uri) == opts.bufnr then
      file = f
    end
  end
  if opts.lazy and not buffers.find(file.uri) then
    for _, f in ipairs(files) do
      if buffers.find(f.uri) then
        file = f
        break
      end
    end
  end
  local src_buf = opts.lazy and (buffers.find(file.uri) or vim.fn.bufadd(vim.uri_to_fname(file.uri))) or buffers.load(file.uri)
  local old = store.sessions[proposal.id]
  if old then
    M.update(old, proposal)
    local now = store.sessions[proposal.id]
    local number = tonumber(proposal.revision) or 1
    -- `claif/proposalsChanged` may have brought the revision in already: it is announced once, here.
    if now and number ~= (old.announced or 1) and not opts.quiet then
      old.announced = number
      messages.say(M.announcement(proposal, now.prop_win ~= nil and vim.api.nvim_win_is_valid(now.prop_win)))
    end
  else
    store.add_session({
      id = proposal.id,
      client_id = client.id,
      proposal = proposal,
      file = file,
      src_buf = src_buf,
      announced = tonumber(proposal.revision) or 1,
    })
    render.mark(store.sessions[proposal.id])
    if not opts.quiet then
      messages.say(M.announcement(proposal))
    end
  end
  local session = store.sessions[proposal.id]
  if opts.open then
    M.open_view(session)
  elseif opts.open == nil and config.options.review.auto_open and not old then
    idle.when_idle('review:' .. proposal.id, function()
      if store.sessions[proposal.id] == session and not (session.prop_win and vim.api.nvim_win_is_valid(session.prop_win)) then
        M.open_view(session)
      end
    end)
  end
end

--- Accept or reject hunks (or, with `ids == nil`, the whole proposal).
---@param session claif.Session
---@param verb 'accept'|'reject'
---@param ids string[]?
---@param callback? fun(err: any, result: any)
function M.decide(session, verb, ids, callback)
  local client = vim.lsp.get_client_by_id(session.client_id)
  if not client then
    messages.say('the server of this proposal is gone', vim.log.levels.ERROR)
    return
  end
  local mark = messages.mark()
  local before = session.proposal
  server.decide(client, verb, { proposal = session.id, hunks = ids }, session.src_buf, function(err, result)
    -- One message per outcome: the server's reason, unless its own message already said it.
    server.report(verb, mark, err, result)
    local function done(after)
      local said = after and hunks.decision_message(verb == 'accept' and 'accepted' or 'rejected', before, after)
      if said then
        messages.say(said)
      end
      if callback then
        callback(err, result)
      end
    end
    local current = store.sessions[session.id]
    if current and type(result) == 'table' and type(result.proposal) == 'table' and result.proposal.files then
      M.update(current, result.proposal)
      done(result.proposal)
    else
      M.refresh(session.id, function()
        local fresh = store.sessions[session.id]
        done(fresh and fresh.proposal or nil)
      end)
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
  local session, found, stale = locate.hunks_at(bufnr, first, last)
  if not session then
    messages.say('no pending proposal here', vim.log.levels.WARN)
    return false
  end
  if verb == 'reject' then
    -- Rejecting a stale hunk drops it; accepting one could only fail.
    found = vim.list_extend(vim.list_slice(found), stale)
  elseif #found == 0 and #stale > 0 then
    local review_keys = config.options.review.keys
    local how = review_keys.reject_hunk and ('; %s drops it'):format(review_keys.reject_hunk) or ''
    local name = stale[1].id
    for _, file in ipairs(session.proposal.files or {}) do
      if vim.list_contains(vim.tbl_map(function(h)
        return h.id
      end, file.hunks or {}), stale[1].id) then
        name = ('%s in %s'):format(hunks.label(file, stale[1]), file.path or vim.uri_to_fname(file.uri))
      end
    end
    messages.say(('%s is %s%s'):format(name, hunks.stale_text(stale[1]), how), vim.log.levels.WARN)
    return false
  end
  if #found == 0 then
    messages.say('no pending hunk under the cursor', vim.log.levels.WARN)
    return false
  end
  local ids = vim.tbl_map(function(h)
    return h.id
  end, found)
  M.decide(session, verb, ids, callback)
  return true
end

--- A proposal changed state or revision on the server (`claif/proposalsChanged`).
---@param id string
---@param new_state string
---@param client_id integer
---@param new_revision? integer
function M.on_changed(id, new_state, client_id, new_revision)
  local known = store.proposals[id]
  store.remember(id, client_id, new_state)
  local session = store.sessions[id]
  local revised = session and new_revision ~= nil and new_revision ~= (session.proposal.revision or 1)
  -- Same state can still mean other hunks: an undone accept reopens a hunk of a proposal that stays partial.
  if session and (revised or not known or known.state ~= new_state or new_state == 'partial') then
    M.refresh(id)
  end
end

return M
