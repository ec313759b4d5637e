--- Steering a proposal: `:ClaifRefine` (a follow-up turn with the user's feedback, `claif.refine`) and
--- `:ClaifRetry` (the same ask again past the cache, `claif.retry`). Both run like an ask (progress,
--- `:ClaifCancel`) through `claif.ask`; their answer is the proposal's next revision, which the review
--- follows. Feedback is never lost: until a refine with it went through, `:ClaifRefine` offers it again.
local ask = require('claif.ask')
local client_util = require('claif.client')
local drafts = require('claif.drafts')
local locate = require('claif.review.locate')
local messages = require('claif.messages')
local raw_answer = require('claif.raw_answer')
local store = require('claif.store')

local M = {}

--- The hunks a refine is narrowed to: in the diff view the hunks under the cursor or in the range, in a
--- source buffer those in an explicit range; nil (the whole proposal) when none is there.
---@param found claif.Hunk[] the pending hunks on the rows
---@param on_view boolean the rows are the proposal buffer's
---@param ranged boolean the rows are a range the user gave
---@return string[]?
function M.narrow(found, on_view, ranged)
  if #found == 0 or not (on_view or ranged) then
    return nil
  end
  return vim.tbl_map(function(h)
    return h.id
  end, found)
end

--- The review session (and the hunks to narrow to) at rows `first..last` (0-based) of `bufnr`: the
--- proposal whose hunk is there, else the newest pending one of the buffer, else the newest pending one.
---@param bufnr integer
---@param first integer
---@param last integer
---@param ranged boolean
---@return claif.Session?, string[]?
function M.target(bufnr, first, last, ranged)
  local session, found = locate.hunks_at(bufnr, first, last)
  if session and (#found > 0 or session.prop_buf == bufnr) then
    return session, M.narrow(found, session.prop_buf == bufnr, ranged)
  end
  return locate.session_for(bufnr) or store.newest_sessions()[1], nil
end

--- The tail of a message about a refine that did not go through.
---@param feedback string?
---@return string
local function kept_note(feedback)
  return feedback and '; your feedback is kept: :ClaifRefine offers it again' or ''
end

--- Say that a turn on proposal `id` failed: `refine of p1 failed: <why>; p1 stays as it was; ...`.
---@param verb string
---@param id string
---@param why string
---@param mark integer messages shown since then may have said `why` already
---@param feedback string?
local function say_failed(verb, id, why, mark, feedback)
  why = messages.strip(why)
  local said = why ~= '' and messages.said_since(mark, why)
  local text = ('%s of %s failed%s; %s stays as it was%s'):format(
    verb, id, (why == '' or said) and '' or (': ' .. why), id, kept_note(feedback))
  messages.say(text, vim.log.levels.ERROR)
end

--- Send a turn (`claif.refine` or `claif.retry`) on proposal `id` and review its revision.
---@param client vim.lsp.Client
---@param bufnr integer
---@param verb 'refine'|'retry'
---@param arg table the command's argument
---@param feedback string? the refine's feedback (kept until the refine went through)
---@param callback? fun(err: any, result: any)
---@return string requestId
local function send(client, bufnr, verb, arg, feedback, callback)
  local id = arg.proposal
  if feedback then
    drafts.keep(id, feedback)
  end
  local mark = messages.mark()
  local instruction = feedback or (arg.diagnostic and ('fix again: ' .. tostring(arg.diagnostic.message))) or verb
  return ask.run(client, bufnr, 'claif.' .. verb, arg, {
    action = verb,
    instruction = instruction,
    handlers = {
      on_result = function(result)
        if result.cancelled then
          messages.say(('%s of %s cancelled; it stays as it was%s'):format(verb, id, kept_note(feedback)))
          return
        end
        local ids = type(result.proposals) == 'table' and result.proposals or {}
        if #ids == 0 then
          local errors = type(result.errors) == 'table' and result.errors or {}
          say_failed(verb, id, table.concat(errors, '; '), mark, feedback)
          return
        end
        if feedback then
          drafts.done(id, feedback)
        end
        ask.review_proposals(client, bufnr, ids)
      end,
      on_error = function(err)
        say_failed(verb, id, client_util.message(err), mark, feedback)
      end,
      on_cancel = function()
        messages.say(('%s of %s cancelled; it stays as it was%s'):format(verb, id, kept_note(feedback)))
      end,
    },
  }, callback)
end

--- Ask for feedback with |vim.ui.input()|, prefilled with what a refine that did not go through had.
---@param id string
---@param hunk_ids string[]?
---@param callback fun(feedback: string)
function M.prompt(id, hunk_ids, callback)
  local scope = hunk_ids and (' (%d hunk%s)'):format(#hunk_ids, #hunk_ids == 1 and '' or 's') or ''
  vim.ui.input({ prompt = ('Refine %s%s: '):format(id, scope), default = drafts.get(id) }, function(input)
    if input == nil or vim.trim(input) == '' then
      messages.say(('refine of %s not sent: no feedback'):format(id))
      return
    end
    callback(input)
  end)
end

---@class claif.RefineOptions
---@field bufnr? integer the buffer the command ran in (default: current)
---@field first? integer 0-based first row (default: the cursor's)
---@field last? integer 0-based last row (default: `first`)
---@field ranged? boolean the rows are a range the user gave (it narrows the refine in a source buffer too)
---@field feedback? string what to change; prompted for when left out
---@field proposal? string a proposal id (instead of the one at the rows)
---@field hunks? string[] with `proposal`: the hunks to narrow to

--- The proposal (its id, client and hunks to narrow to) that `opts` are about, or nil after saying why.
---@param opts claif.RefineOptions
---@return string?, vim.lsp.Client?, string[]?, integer
local function resolve(opts)
  local bufnr = vim._resolve_bufnr(opts.bufnr)
  local session, hunk_ids
  if opts.proposal then
    session, hunk_ids = store.sessions[opts.proposal], opts.hunks
  else
    local row = vim.api.nvim_win_get_cursor(0)[1] - 1
    session, hunk_ids = M.target(bufnr, opts.first or row, opts.last or opts.first or row, opts.ranged == true)
  end
  local id = opts.proposal or (session and session.id)
  if not id then
    messages.say('no pending proposal here', vim.log.levels.WARN)
    return nil, nil, nil, bufnr
  end
  local known = store.proposals[id]
  local client_id = session and session.client_id or (known and known.client_id)
  local client = client_id and vim.lsp.get_client_by_id(client_id) or client_util.get(bufnr)
  if not client then
    messages.say('the server of this proposal is gone', vim.log.levels.ERROR)
    return nil, nil, nil, bufnr
  end
  return id, client, hunk_ids, (session and session.src_buf) or bufnr
end

--- `:ClaifRefine [feedback]`: refine the proposal at the cursor (or range), prompting for the feedback
--- when there is none.
---@param opts? claif.RefineOptions
---@param callback? fun(err: any, result: any)
function M.refine(opts, callback)
  opts = opts or {}
  local id, client, hunk_ids, bufnr = resolve(opts)
  if not id or not client then
    return
  end
  local function go(feedback)
    send(client, bufnr, 'refine', { proposal = id, feedback = feedback, hunks = hunk_ids }, feedback, callback)
  end
  if opts.feedback and vim.trim(opts.feedback) ~= '' then
    go(opts.feedback)
  else
    M.prompt(id, hunk_ids, go)
  end
end

--- `:ClaifRetry`: ask the proposal's question again, past the cache.
---@param opts? claif.RefineOptions
---@param callback? fun(err: any, result: any)
function M.retry(opts, callback)
  local id, client, _, bufnr = resolve(opts or {})
  if id and client then
    send(client, bufnr, 'retry', { proposal = id }, nil, callback)
  end
end

--- `:ClaifAnswer`: the raw answer of the proposal at the cursor (or of the newest pending one).
---@param opts? claif.RefineOptions
function M.show_answer(opts)
  opts = opts or {}
  local bufnr = vim._resolve_bufnr(opts.bufnr)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local session = M.target(bufnr, row, row, false)
  if not session then
    messages.say('no pending proposal here', vim.log.levels.WARN)
    return
  end
  raw_answer.show(session.proposal)
end

--- `vim.lsp.commands['claif.refine']`: the server's "Refine…" and "Fix again" code actions. A refine
--- without feedback (and no diagnostic to fix again) prompts for it here.
---@param command lsp.Command
---@param ctx table
function M.lsp_refine(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local arg = vim.deepcopy((command.arguments or {})[1] or {})
  if not client or type(arg.proposal) ~= 'string' then
    return
  end
  local bufnr = ctx.bufnr or vim.api.nvim_get_current_buf()
  if (arg.feedback and arg.feedback ~= '') or arg.diagnostic then
    send(client, bufnr, 'refine', arg, arg.feedback, nil)
    return
  end
  M.prompt(arg.proposal, arg.hunks, function(feedback)
    arg.feedback = feedback
    send(client, bufnr, 'refine', arg, feedback, nil)
  end)
end

--- `vim.lsp.commands['claif.retry']`: the server's "Retry" code action.
---@param command lsp.Command
---@param ctx table
function M.lsp_retry(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local arg = vim.deepcopy((command.arguments or {})[1] or {})
  if client and type(arg.proposal) == 'string' then
    send(client, ctx.bufnr or vim.api.nvim_get_current_buf(), 'retry', arg, nil, nil)
  end
end

return M
