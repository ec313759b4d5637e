-- A slow answer: cancel it with :ClaifCancel while it streams; no proposal, buffer unchanged.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local state = require('claif.state')
  local done = nil
  vim.api.nvim_create_autocmd('User', {
    pattern = 'ClaifAskDone',
    callback = function(args)
      done = args.data
    end,
  })
  vim.cmd('ClaifAsk Rename s to result')
  H.wait(function()
    for _, p in ipairs(H.result.progress) do
      if p.kind == 'report' then
        return true
      end
    end
  end, 'a progress report while streaming')
  H.step('streaming')
  H.put('running_before_cancel', vim.tbl_count(state.asks))
  H.put('status_streaming', require('claif').status())
  H.put('lsp_status_streaming', vim.lsp.status())
  -- The command itself, as a user runs it; its answer shows as a notification.
  local function cancel_notice()
    for _, n in ipairs(H.result.notifications) do
      if n.msg:match('^claif: cancelled %d+ ask') then
        return n.msg
      end
    end
  end
  H.step('cancel sent')
  vim.cmd('ClaifCancel')
  H.wait(function()
    return cancel_notice() and done
  end, 'the cancel answer and the end of the ask')
  H.step('cancelled')
  H.put('cancel_notice', cancel_notice())
  H.put('ask_error', done.error)
  H.put('ask_result', done.result)
  vim.wait(500) -- nothing else may arrive
  H.put('proposals', vim.tbl_keys(require('claif.store').proposals))
  H.put('sessions', H.session_count())
  H.put('running_after', vim.tbl_count(state.asks))
  H.put('modified', vim.bo[H.bufnr].modified)
  H.put('status_after', require('claif').status())
end)
