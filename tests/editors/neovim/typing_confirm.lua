-- approval = "confirm": the edit arrives while the user types in insert mode. The question waits
-- until they stopped (no prompt takes their keys); every typed key lands in app.py. Then "Apply":
-- the edit was made before the typing, so it is refused as outdated instead of silently skipped.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  vim.o.updatetime = 300 -- the user counts as idle 300 ms after their last key
  local asked = {}
  vim.ui.select = function(items, opts, on_choice)
    table.insert(asked, { items = items, where = H.where() })
    vim.schedule(function()
      on_choice('Apply')
    end)
  end
  local function announced()
    for _, n in ipairs(H.result.notifications) do
      if n.msg:find('confirm it when you stop typing', 1, true) then
        return true
      end
    end
    return #asked > 0
  end
  vim.cmd('%ClaifAsk Rename s to result and use an f-string')
  H.wait_streaming()
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  local after = 0
  local typed, seen = H.type_until('A', function()
    if announced() then
      after = after + 1
    end
    return after > 10
  end, H.where)
  H.put('typed', typed)
  H.put('seen', seen)
  H.put('asked_while_typing', vim.deepcopy(asked))
  H.wait(function()
    return #asked > 0
  end, 'the confirmation once the user is idle')
  H.put('asked', asked)
  -- The server records the outcome, then says so with claif/proposalsChanged.
  local changes = H.count_events('ClaifProposalsChanged')
  H.wait(function()
    return H.count_events('ClaifProposalsChanged') > changes
  end, 'the server to record the outcome')
  local id = next(require('claif.store').proposals)
  H.put('server_state', (H.proposal(id) or {}).state)
  H.put('line2', H.lines()[2])
end)
