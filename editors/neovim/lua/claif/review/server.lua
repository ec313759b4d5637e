--- The review's requests to the server: `claif.proposal`, `claif.accept` and `claif.reject`.
local apply_edit = require('claif.apply_edit')
local client_util = require('claif.client')
local messages = require('claif.messages')

local M = {}

--- Fetch proposal `id` with `claif.proposal`.
---@param client vim.lsp.Client
---@param id string
---@param callback fun(err: any, proposal: claif.Proposal?)
function M.fetch(client, id, callback)
  client_util.execute(client, 'claif.proposal', { proposal = id }, nil, callback)
end

--- Send `claif.accept` or `claif.reject` with `arg` (`{proposal, hunks?}`). While an accept is in
--- flight its `workspace/applyEdit` is the user's own choice, so it applies without asking again.
---@param client vim.lsp.Client
---@param verb 'accept'|'reject'
---@param arg {proposal: string, hunks: string[]?}
---@param bufnr integer?
---@param callback fun(err: any, result: any)
function M.decide(client, verb, arg, bufnr, callback)
  local expected = verb == 'accept' and 1 or 0
  apply_edit.expect(client.id, expected)
  client_util.execute(client, 'claif.' .. verb, arg, bufnr, function(err, result)
    apply_edit.expect(client.id, -expected)
    callback(err, result)
  end)
end

--- Tell the user what went wrong with a decision, once: the error, or why the edit was not applied,
--- unless a message shown since `mark` (the server's own) already said it.
---@param verb 'accept'|'reject'
---@param mark integer from `messages.mark()` before the request
---@param err any
---@param result any
function M.report(verb, mark, err, result)
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
end

return M
