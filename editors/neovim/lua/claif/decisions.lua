--- Reviewing and deciding from outside the diff view: the `:ClaifReview`, `:ClaifAccept*` and
--- `:ClaifReject*` commands, and the server's code lenses and code actions on hunks.
local buffers = require('claif.buffers')
local messages = require('claif.messages')
local review = require('claif.review')
local server = require('claif.review.server')

local M = {}

--- `vim.lsp.commands['claif.accept'|'claif.reject']`: code lenses and code actions on hunks go
--- through the review so its view and signs follow.
---@param verb 'accept'|'reject'
---@return fun(command: lsp.Command, ctx: table)
function M.lsp_decide(verb)
  return function(command, ctx)
    local arg = (command.arguments or {})[1] or {}
    local session = review.sessions[arg.proposal]
    if session then
      return review.decide(session, verb, arg.hunks)
    end
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    if client then
      local mark = messages.mark()
      server.decide(client, verb, arg, ctx.bufnr, function(err)
        server.report(verb, mark, err, nil)
      end)
    end
  end
end

--- Accept or reject the newest open proposal touching the current buffer, whole.
---@param verb 'accept'|'reject'
---@param callback? fun(err: any, result: any)
function M.decide_all(verb, callback)
  local session = review.session_for(vim.api.nvim_get_current_buf())
  if not session then
    vim.notify('claif: no pending proposal for this buffer', vim.log.levels.WARN)
    return
  end
  review.decide(session, verb, nil, callback)
end

--- Accept or reject the hunks on lines `line1..line2` (1-based) of the current buffer.
---@param verb 'accept'|'reject'
---@param line1? integer
---@param line2? integer
---@param callback? fun(err: any, result: any)
function M.decide_hunks(verb, line1, line2, callback)
  local row = vim.api.nvim_win_get_cursor(0)[1]
  line1 = line1 or row
  line2 = line2 or line1
  review.decide_at(verb, vim.api.nvim_get_current_buf(), line1 - 1, line2 - 1, callback)
end

--- Open the diff view of the newest pending proposal of the current buffer, at this buffer's file;
--- with `file` (a path of the proposal, or its 1-based index), at that file.
---@param file? string
function M.review(file)
  local bufnr = vim.api.nvim_get_current_buf()
  local session = review.session_for(bufnr)
  if not session then
    vim.notify('claif: no pending proposal for this buffer', vim.log.levels.WARN)
    return
  end
  local target = file and review.find_file(session, file)
  if not file then
    for _, f in ipairs(session.proposal.files or {}) do
      if buffers.find(f.uri) == bufnr and f.uri ~= session.file.uri then
        target = f
      end
    end
  end
  if file and not target then
    local paths = vim.tbl_map(function(f)
      return f.path or f.uri
    end, session.proposal.files or {})
    vim.notify(('claif: proposal %s has no file %q; its files: %s'):format(session.id, file, table.concat(paths, ', ')), vim.log.levels.ERROR)
    return
  end
  review.open_view(session)
  if target then
    review.show_file(session, target)
  end
end

--- Paths of the current buffer's proposal's files starting with `lead`, for completing `:ClaifReview`.
---@param lead string
---@return string[]
function M.complete_files(lead)
  local session = review.session_for(vim.api.nvim_get_current_buf())
  local paths = {}
  for _, f in ipairs(session and session.proposal.files or {}) do
    if f.path and vim.startswith(f.path, lead) then
      table.insert(paths, f.path)
    end
  end
  return paths
end

return M
