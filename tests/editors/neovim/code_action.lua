-- The server's "Ask …" code action: the plugin's vim.lsp.commands['claif.ask'] prompts for the
-- instruction (vim.ui.input), sends claif.ask itself and opens the review; `gA` accepts everything.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  local titles, prompted = {}, nil
  vim.ui.select = function(items, _, on_choice)
    for i, item in ipairs(items) do
      table.insert(titles, item.action.title)
    end
    for i, item in ipairs(items) do
      if item.action.title:match('^Claif: Ask') then
        H.put('chosen', { title = item.action.title, command = item.action.command })
        return on_choice(item, i)
      end
    end
    on_choice(nil)
  end
  vim.ui.input = function(opts, on_confirm)
    prompted = opts.prompt
    on_confirm('Rename s to result and use an f-string')
  end
  vim.lsp.buf.code_action({ range = { start = { 1, 0 }, ['end'] = { 20, 0 } } })
  local s = H.review('the diff view')
  H.put('titles', titles)
  H.put('prompted', prompted)
  H.put('hunks', #review.pending_hunks(s.file))
  H.feed('gA')
  H.wait(function()
    return review.sessions[s.id] == nil
  end, 'the review to finish')
  local proposal = H.proposal(s.id)
  H.put('final_state', proposal and proposal.state)
end)
