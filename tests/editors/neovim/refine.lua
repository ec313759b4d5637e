-- Refine a proposal from its diff view. The ask's answer has two hunks (total, greet): `ga` accepts
-- `total`; :ClaifRefine with feedback, on the `greet` hunk, meets a failing turn: the message says so and
-- the proposal stays at revision 1. `gf` there prompts again with the same feedback prefilled; sent
-- as it is, the answer (describe, greet) becomes revision 2, which the open view shows with `total`
-- still accepted; `gA` accepts it.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

local FEEDBACK = 'Also use an f-string in describe'

H.run(function()
  H.start()
  local review = require('claif.review')
  local sent = {} ---@type table[] the claif.refine arguments Neovim sent
  local request = H.client.request
  H.client.request = function(client, method, params, ...)
    if method == 'workspace/executeCommand' and params.command == 'claif.refine' then
      table.insert(sent, vim.deepcopy(params.arguments[1]))
    end
    return request(client, method, params, ...)
  end
  local function said(needle)
    return vim.tbl_map(function(n)
      return n.msg
    end, vim.tbl_filter(function(n)
      return n.msg:find(needle, 1, true) ~= nil
    end, H.result.notifications))
  end
  local function pending(s)
    return vim.tbl_map(function(h)
      return h.id
    end, review.pending_hunks(s.file))
  end

  vim.cmd('%ClaifAsk Rename s to result and use f-strings')
  local s = H.review('the diff view')
  H.put('first_pending', pending(s))
  H.feed('ga') -- the cursor is on the first hunk (total)
  H.wait(function()
    return #pending(s) == 1
  end, '`ga` to accept the first hunk')
  H.put('after_accept', H.lines())

  -- :ClaifRefine on the greet hunk, in the proposal window: that turn fails.
  vim.api.nvim_set_current_win(s.prop_win)
  local greet = review.proposed_rows(s.file)[1]
  vim.api.nvim_win_set_cursor(s.prop_win, { greet.first + 1, 0 })
  H.put('greet_line', vim.api.nvim_get_current_line())
  vim.cmd('ClaifRefine ' .. FEEDBACK)
  H.wait(function()
    return #said('refine of') > 0
  end, 'the failed refine to be reported')
  H.put('failure_messages', said('refine of'))
  H.put('revision_after_failure', H.proposal(s.id).revision)
  H.put('pending_after_failure', pending(s))

  -- `gf` on the same hunk: the prompt offers the same feedback; it is sent as it is.
  local prompts = {}
  vim.ui.input = function(opts, on_confirm)
    table.insert(prompts, { prompt = opts.prompt, default = opts.default or vim.NIL })
    on_confirm(opts.default)
  end
  H.feed('gf')
  H.wait(function()
    local current = review.sessions[s.id]
    return current and current.proposal.revision == 2
  end, 'the refined revision to reach the view')
  H.wait(function()
    return #said('revision 2') > 0
  end, 'the new revision to be announced')
  H.put('prompts', prompts)
  H.put('sent', sent)
  H.put('announced', said('revision 2'))
  s = review.sessions[s.id]
  H.put('view_open', s.prop_win ~= nil and vim.api.nvim_win_is_valid(s.prop_win))
  H.put('winbar', vim.wo[s.prop_win].winbar)
  H.put('proposed_r2', H.lines(s.prop_buf))
  H.put('source_r2', H.lines())
  H.put('pending_r2', #pending(s))
  local function virt_texts(buf)
    local texts = {}
    for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, review.ns, 0, -1, { details = true })) do
      if m[4].virt_text then
        table.insert(texts, { row = m[2], text = m[4].virt_text[1][1] })
      end
    end
    return texts
  end
  H.put('source_marks_r2', virt_texts(H.bufnr))
  H.put('proposal_marks_r2', virt_texts(s.prop_buf))
  H.put('hunk_states_r2', vim.tbl_map(function(h)
    return { id = h.id, state = h.state }
  end, s.proposal.files[1].hunks))
  local refine_tokens = vim.tbl_map(function(a)
    return a.requestId
  end, sent)
  H.put('refine_progress', vim.tbl_map(function(p)
    return p.kind
  end, vim.tbl_filter(function(p)
    return p.token == refine_tokens[#refine_tokens]
  end, H.result.progress)))

  H.feed('gA')
  H.wait(function()
    return review.sessions[s.id] == nil
  end, '`gA` to accept revision 2')
  local p = H.proposal(s.id)
  H.put('final_state', p.state)
  H.put('final_revision', p.revision)
  H.put('modified', vim.bo[H.bufnr].modified)
end)
