-- Cancel a refine while its answer streams: the message says so and keeps the feedback, the proposal
-- stays at revision 1 with both hunks pending in the open view. :ClaifRefine (no feedback) then prompts
-- with the same feedback, and that refine makes revision 2.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

local FEEDBACK = 'Also use an f-string in describe'

H.run(function()
  H.start()
  local review = require('claif.review')
  local state = require('claif.state')
  local function said(needle)
    return vim.tbl_map(function(n)
      return n.msg
    end, vim.tbl_filter(function(n)
      return n.msg:find(needle, 1, true) ~= nil
    end, H.result.notifications))
  end
  vim.cmd('%ClaifAsk Rename s to result and use f-strings')
  local s = H.review('the diff view')

  -- From the source window: the cursor on no hunk refines the whole proposal.
  vim.api.nvim_set_current_win(s.src_win)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.cmd('ClaifRefine ' .. FEEDBACK)
  local token = next(state.asks)
  H.put('refine_running', token ~= nil and state.asks[token].action == 'refine')
  H.wait(function()
    for _, p in ipairs(H.result.progress) do
      if p.token == token and p.kind == 'report' then
        return true
      end
    end
  end, 'the refine to stream')
  vim.cmd('ClaifCancel')
  H.wait(function()
    return #said('refine of') > 0
  end, 'the cancelled refine to be reported')
  H.put('cancel_messages', said('refine of'))
  H.put('running_after_cancel', vim.tbl_count(state.asks))
  H.put('revision_after_cancel', H.proposal(s.id).revision)
  H.put('pending_after_cancel', #review.pending_hunks(review.sessions[s.id].file))
  H.put('proposed_after_cancel', H.lines(s.prop_buf))
  H.put('view_open_after_cancel', s.prop_win ~= nil and vim.api.nvim_win_is_valid(s.prop_win))

  local prompts = {}
  vim.ui.input = function(opts, on_confirm)
    table.insert(prompts, { prompt = opts.prompt, default = opts.default or vim.NIL })
    on_confirm(opts.default)
  end
  vim.cmd('ClaifRefine')
  H.wait(function()
    local current = review.sessions[s.id]
    return current and current.proposal.revision == 2
  end, 'the second refine to make revision 2')
  H.put('prompts', prompts)
  H.put('proposed_r2', H.lines(review.sessions[s.id].prop_buf))
end)
