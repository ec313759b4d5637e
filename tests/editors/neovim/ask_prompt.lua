-- :ClaifAsk with no instruction prompts with vim.ui.input (cursor line only); the proposal opens and
-- :ClaifReject drops it. Then :'<,'>ClaifAsk <instruction> over a linewise visual selection sends that
-- range; `gA` accepts it. The server's `record` setting writes both prompts for the test to check.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  local prompts = {}
  vim.ui.input = function(opts, on_confirm)
    table.insert(prompts, { prompt = opts.prompt, ms = H.ms() })
    on_confirm('Use an f-string in greet')
  end

  -- 1. No instruction: the plugin prompts, then asks about the cursor line.
  vim.api.nvim_win_set_cursor(0, { 20, 0 })
  vim.cmd('ClaifAsk')
  H.put('prompts_right_after', #prompts)
  local first = H.review('the diff view after the prompt')
  H.step('first review open')
  H.put('first_id', first.id)
  H.put('first_hunks', #review.pending_hunks(first.file))
  H.put('first_proposed', H.lines(first.prop_buf))
  vim.cmd('ClaifReject')
  H.wait(function()
    return review.sessions[first.id] == nil
  end, 'the first review to finish')
  local p1 = H.proposal(first.id)
  H.put('first_state', p1 and p1.state)
  H.put('after_first', H.lines())

  -- 2. A linewise visual selection of lines 4-8 (`total`), with the instruction on the command line.
  vim.api.nvim_set_current_win(vim.fn.win_findbuf(H.bufnr)[1])
  vim.cmd('normal! 4GV8G')
  vim.api.nvim_feedkeys(vim.keycode('<Esc>'), 'x', false)
  H.put('marks', { vim.fn.line("'<"), vim.fn.line("'>") })
  vim.cmd("'<,'>ClaifAsk Rename s to result")
  local second = H.review('the diff view of the second ask')
  H.put('second_id', second.id)
  H.put('second_hunks', #review.pending_hunks(second.file))
  H.feed('gA')
  H.wait(function()
    return review.sessions[second.id] == nil
  end, 'the second review to finish')
  local p2 = H.proposal(second.id)
  H.put('second_state', p2 and p2.state)
  H.put('prompts', prompts)
end)
