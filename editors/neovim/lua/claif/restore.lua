--- Proposals kept from an earlier server session (`restored: true`): once the claif client attaches, it
--- lists the workspace's conversations (`claif.sessions`), fetches their proposals (`claif.proposal`) and
--- shows the pending ones again as new ones are shown (signs and hints, |:ClaifReview|), announced in one
--- line. Their files' buffers are marked when they load.
local buffers = require('claif.buffers')
local client_util = require('claif.client')
local hunks = require('claif.review.hunks')
local messages = require('claif.messages')
local render = require('claif.review.render')
local review = require('claif.review')
local server = require('claif.review.server')
local store = require('claif.store')

local M = {}

---@type table<integer, boolean> clients whose sessions were asked for
local asked = {}

--- The proposal ids of `sessions` (newest session first) the plugin does not know yet.
---@param sessions claif.SessionSummary[]
---@param known table<string, any> proposals by id the plugin knows
---@return string[]
function M.unknown_ids(sessions, known)
  local ids = {}
  for _, session in ipairs(sessions) do
    for _, id in ipairs(type(session.proposals) == 'table' and session.proposals or {}) do
      if type(id) == 'string' and known[id] == nil and not vim.list_contains(ids, id) then
        table.insert(ids, id)
      end
    end
  end
  return ids
end

--- The one line announcing restored proposals: the proposal's own announcement for one, else
--- `3 proposals restored (p1, p2, p3): :ClaifReview`; nil for none.
---@param proposals claif.Proposal[]
---@return string?
function M.announcement(proposals)
  if #proposals == 0 then
    return nil
  elseif #proposals == 1 then
    return review.announcement(proposals[1])
  end
  local ids = vim.tbl_map(function(p)
    return p.id
  end, proposals)
  return ('%d proposals restored (%s): :ClaifReview'):format(#proposals, table.concat(ids, ', '))
end

--- Ask the server of `client` for the workspace's conversations and show their pending proposals.
---@param client vim.lsp.Client
---@param bufnr integer
---@param callback? fun(shown: claif.Proposal[])
function M.restore(client, bufnr, callback)
  local shown = {} ---@type claif.Proposal[]
  local function done()
    local text = M.announcement(shown)
    if text then
      messages.say(text)
    end
    if callback then
      callback(shown)
    end
  end
  client_util.execute(client, 'claif.sessions', { uri = vim.uri_from_bufnr(bufnr) }, nil, function(err, result)
    -- A server without conversations (an older claif-lsp) has nothing to restore.
    if err or type(result) ~= 'table' or type(result.sessions) ~= 'table' then
      return done()
    end
    local ids = M.unknown_ids(result.sessions, store.proposals)
    local left = #ids
    if left == 0 then
      return done()
    end
    local fetched = {} ---@type table<string, claif.Proposal>
    for _, id in ipairs(ids) do
      server.fetch(client, id, function(fetch_err, proposal)
        if not fetch_err and type(proposal) == 'table' then
          fetched[id] = proposal
        end
        left = left - 1
        if left > 0 then
          return
        end
        for _, wanted in ipairs(ids) do -- in the sessions' order, whatever order the answers came in
          local p = fetched[wanted]
          if p and hunks.reviewable(p) and not store.sessions[wanted] then
            review.show(client, p, { quiet = true, lazy = true, open = false })
            table.insert(shown, p)
          elseif p then
            store.remember(wanted, client.id, p.state)
          end
        end
        done()
      end)
    end
  end)
end

--- Mark the hunks of every session touching buffer `bufnr` (a file that loaded after its proposal came).
---@param bufnr integer
function M.mark_buffer(bufnr)
  local uri = vim.uri_from_bufnr(bufnr)
  for _, session in pairs(store.sessions) do
    for _, file in ipairs(session.proposal.files or {}) do
      if file.uri == uri and buffers.find(uri) == bufnr then
        render.mark(session)
        break
      end
    end
  end
end

--- Restore once per client when it attaches, and mark files as they load (idempotent).
function M.setup()
  local group = vim.api.nvim_create_augroup('claif.restore', { clear = true })
  vim.api.nvim_create_autocmd('LspAttach', {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if not client or client.name ~= client_util.name or asked[client.id] then
        return
      end
      asked[client.id] = true
      M.restore(client, args.buf)
    end,
  })
  vim.api.nvim_create_autocmd('BufReadPost', {
    group = group,
    callback = function(args)
      M.mark_buffer(args.buf)
    end,
  })
end

return M
