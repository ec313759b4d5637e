--- The one store of proposals: the state of every proposal the plugin heard of (from results and
--- `claif/proposalsChanged`), in the order they arrived, and the review session of those being reviewed.
local M = {}

---@class claif.KnownProposal
---@field state string the proposal's state as last heard
---@field client_id integer the client whose server holds it

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
---@field src_options table<string, any>? the source window's own options the view changed, to give back
---@field anchors table<string, {buf: integer, id: integer}>? anchor extmarks by hunk id
---@field stale_rows {hunk: claif.Hunk, row: integer}[]? where stale hunks are marked in the proposal buffer
---@field announced integer? the proposal's revision last announced to the user

---@type table<string, claif.KnownProposal> proposal states by id
M.proposals = {}

--- Ids of proposals in the order they arrived (newest last).
---@type string[]
M.order = {}

---@type table<string, claif.Session> review sessions by proposal id
M.sessions = {}

--- Record the state of proposal `id`; a new id goes last in the arrival order.
---@param id string
---@param client_id integer
---@param proposal_state string
function M.remember(id, client_id, proposal_state)
  if not M.proposals[id] then
    table.insert(M.order, id)
  end
  M.proposals[id] = { state = proposal_state, client_id = client_id }
end

--- True for proposal states that can still change.
---@param proposal_state string?
---@return boolean
function M.is_open(proposal_state)
  return proposal_state == 'pending' or proposal_state == 'partial'
end

--- Keep `session` as the review of its proposal.
---@param session claif.Session
function M.add_session(session)
  M.sessions[session.id] = session
end

--- Forget the review session of proposal `id`; returns it, if there was one.
---@param id string
---@return claif.Session?
function M.drop_session(id)
  local session = M.sessions[id]
  M.sessions[id] = nil
  return session
end

--- The open sessions, newest proposal first.
---@return claif.Session[]
function M.newest_sessions()
  local sessions = {}
  for i = #M.order, 1, -1 do
    local session = M.sessions[M.order[i]]
    if session then
      table.insert(sessions, session)
    end
  end
  return sessions
end

return M
