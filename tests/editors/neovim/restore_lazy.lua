-- Second run after restore_first.lua asked for a change to two files (app.py, helpers.py): the restored
-- proposal is marked in app.py (open) but loads nothing else; opening helpers.py marks its hunks there,
-- and :ClaifReview from it opens the view on that file, where `gA` accepts everything.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  local helpers_path = vim.fs.joinpath(H.env.root, 'helpers.py')
  local function signs(buf)
    return #vim.tbl_filter(function(m)
      return m[4].sign_text ~= nil
    end, vim.api.nvim_buf_get_extmarks(buf, review.ns, 0, -1, { details = true }))
  end
  H.wait(function()
    return H.session_count() == 1
  end, 'the restored proposal to be shown')
  local id = next(review.sessions)
  H.put('signs_app', signs(H.bufnr))
  H.put('helpers_loaded_before', vim.fn.bufloaded(helpers_path) == 1)
  vim.cmd.edit(vim.fn.fnameescape(helpers_path))
  local helpers = vim.api.nvim_get_current_buf()
  vim.bo[helpers].filetype = 'python'
  H.put('signs_helpers', signs(helpers))
  vim.cmd('ClaifReview')
  H.wait(H.open_session, 'the restored diff view')
  local s = H.open_session() --[[@as claif.Session]]
  H.put('shown_file', s.file.path)
  H.put('proposed', H.lines(s.prop_buf))
  H.feed('gA')
  H.wait(function()
    return review.sessions[id] == nil
  end, '`gA` on the restored proposal')
  H.put('helpers_final', H.lines(helpers))
  H.put('final_state', H.proposal(id).state)
end)
