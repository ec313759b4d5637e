-- First of two runs sharing a state directory: an ask whose proposal is left pending when Neovim (and
-- with it the server) exits. restore_second.lua finds it again.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  vim.cmd('%ClaifAsk Rename s to result and use f-strings')
  H.wait(function()
    return H.session_count() == 1
  end, 'the proposal to arrive')
  local id = next(review.sessions)
  H.put('proposal', id)
  H.put('pending', #review.pending_hunks(review.sessions[id].file))
end)
