--- What the plugin remembers between requests.
local M = {}

---@class claif.Ask
---@field request_id string the `requestId` sent with `claif.ask` (also the progress token)
---@field client_id integer
---@field bufnr integer
---@field action string

---@type table<string, claif.Ask> running asks by requestId
M.asks = {}

---@type table<string, {state: string, client_id: integer}> proposal states by id (from results and `claif/proposalsChanged`)
M.proposals = {}

--- Settings problems the server reported with `window/showMessage`.
---@type string[]
M.server_problems = {}

--- Ids of proposals in the order they arrived (newest last).
---@type string[]
M.order = {}

local counter = 0

--- A fresh requestId.
---@return string
function M.next_request_id()
  counter = counter + 1
  return ('nvim-%d-%d'):format(vim.fn.getpid(), counter)
end

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

return M
