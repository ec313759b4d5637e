--- The `:Claif*` user commands. The functions they call live in `claif.ask` (asking, cancelling),
--- `claif.decisions` (reviewing, accepting, rejecting), `claif.refine` (refining, retrying, the raw
--- answer), `claif.providers` and `claif.answer`; they are also reachable from here, as before.
local answer = require('claif.answer')
local ask = require('claif.ask')
local decisions = require('claif.decisions')
local providers = require('claif.providers')
local refine = require('claif.refine')

local M = {}

M.show_answer = answer.show
M.send_ask = ask.send
M.finish_cancelled = ask.finish_cancelled
M.prompt = ask.prompt
M.ask = ask.ask
M.lsp_ask = ask.lsp_ask
M.cancel = ask.cancel
M.lsp_decide = decisions.lsp_decide
M.decide_all = decisions.decide_all
M.decide_hunks = decisions.decide_hunks
M.review = decisions.review
M.format_providers = providers.format
M.providers = providers.providers

---@param opts vim.api.keyset.create_user_command.command_args
---@return integer line1, integer line2, boolean charwise
local function lines_of(opts)
  return opts.line1, opts.line2, opts.range > 0 and vim.fn.visualmode() == 'v'
end

--- Create the user commands.
function M.create()
  local cmd = vim.api.nvim_create_user_command
  cmd('ClaifAsk', function(opts)
    local line1, line2, charwise = lines_of(opts)
    ask.ask({ line1 = line1, line2 = line2, charwise = charwise, instruction = opts.args ~= '' and opts.args or nil })
  end, { nargs = '*', range = true, desc = 'claif: ask the model to change the selection or the current line' })
  cmd('ClaifExplain', function(opts)
    local line1, line2, charwise = lines_of(opts)
    ask.ask({ line1 = line1, line2 = line2, charwise = charwise, action = 'explain', instruction = opts.args ~= '' and opts.args or nil })
  end, { nargs = '*', range = true, desc = 'claif: explain the selection or the current line' })
  cmd('ClaifAccept', function()
    decisions.decide_all('accept')
  end, { desc = 'claif: accept the whole proposal for this buffer' })
  cmd('ClaifReject', function()
    decisions.decide_all('reject')
  end, { desc = 'claif: reject the whole proposal for this buffer' })
  cmd('ClaifAcceptHunk', function(opts)
    decisions.decide_hunks('accept', opts.line1, opts.line2)
  end, { range = true, desc = 'claif: accept the hunks under the cursor or in the range' })
  cmd('ClaifRejectHunk', function(opts)
    decisions.decide_hunks('reject', opts.line1, opts.line2)
  end, { range = true, desc = 'claif: reject the hunks under the cursor or in the range' })
  cmd('ClaifReview', function(opts)
    decisions.review(opts.args ~= '' and opts.args or nil)
  end, { nargs = '?', complete = decisions.complete_files, desc = 'claif: open the diff view of the proposal for this buffer, at a file' })
  cmd('ClaifRefine', function(opts)
    refine.refine({
      first = opts.line1 - 1,
      last = opts.line2 - 1,
      ranged = opts.range > 0,
      feedback = opts.args ~= '' and opts.args or nil,
    })
  end, { nargs = '*', range = true, desc = 'claif: refine the proposal here with feedback (the hunks in the range)' })
  cmd('ClaifRetry', function()
    refine.retry()
  end, { desc = 'claif: ask the proposal here again, past the cache' })
  cmd('ClaifAnswer', function()
    refine.show_answer()
  end, { desc = "claif: show the raw answer of the proposal here (what a partial answer could not place)" })
  cmd('ClaifProviders', function(opts)
    providers.providers(opts.args)
  end, { nargs = '?', complete = providers.names, desc = 'claif: list providers, or switch to one' })
  cmd('ClaifCancel', function(opts)
    ask.cancel(opts.args ~= '' and opts.args or nil)
  end, { nargs = '?', desc = 'claif: cancel running asks' })
end

return M
