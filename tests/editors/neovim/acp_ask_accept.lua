-- An ask through the generic `acp` provider (the fake ACP agent): the user has an unsaved edit, the agent reads
-- the buffer and edits app.py in its copy, the edit arrives as a proposal, `ga` accepts it into the buffer, and
-- the disk changes only with :w.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

---@return string
local function disk()
  local f = assert(io.open(H.env.file, 'rb'))
  local text = f:read('*a')
  f:close()
  return text
end

H.run(function()
  H.start()
  local review = require('claif.review')
  local shown = {} -- what a stock statusline (vim.lsp.status()) and the plugin's own line showed
  vim.api.nvim_create_autocmd('LspProgress', {
    callback = function()
      table.insert(shown, { lsp = vim.lsp.status(), claif = require('claif').status() })
    end,
  })
  vim.api.nvim_buf_set_lines(H.bufnr, 0, 1, false, { '"""Inventory helpers (edited, not saved)."""' })
  H.put('unsaved', H.lines())
  H.put('modified_before', vim.bo[H.bufnr].modified)

  vim.cmd('1,$ClaifAsk Use an f-string in greet')
  local s = H.review('the agent\'s edit')
  H.step('review open')
  H.put('hunks', #review.pending_hunks(s.file))
  H.put('proposed', H.lines(s.prop_buf))
  H.put('disk_in_review', disk())

  H.feed('ga')
  H.wait(function()
    return review.sessions[s.id] == nil
  end, 'the review to finish')
  H.step('accepted')
  local proposal = H.proposal(s.id)
  H.put('final_state', proposal and proposal.state)
  H.put('final', H.lines())
  H.put('modified', vim.bo[H.bufnr].modified)
  H.put('disk_after_accept', disk())
  H.put('shown', shown)

  vim.api.nvim_set_current_win(vim.fn.win_findbuf(H.bufnr)[1])
  vim.cmd('write')
  H.put('disk_after_write', disk())
end)
