-- :checkhealth claif with the server running.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  vim.cmd('checkhealth claif')
  H.wait(function()
    return vim.bo.filetype == 'checkhealth' and #H.lines(0) > 5
  end, 'the health report')
  H.put('health', H.lines(0))
end)
