-- Unit cases for claif.review.labels: what the diff view's winbars, key hint and tab label say.
local T = ...
local config = require('claif.config')
local labels = require('claif.review.labels')

---@param paths string[]
---@param shown integer
---@return claif.Session
local function session(paths, shown)
  local files = vim.tbl_map(function(path)
    return { uri = 'file:///ws/' .. path, path = path, operation = 'update', hunks = {} }
  end, paths)
  return {
    id = 'p1',
    client_id = 1,
    proposal = { id = 'p1', state = 'pending', title = 'Replay: make it 100% faster', files = files },
    file = files[shown],
    src_buf = 0,
  }
end

T.case('the key hint follows the configured keys', function()
  config.set({})
  T.eq(labels.key_hint(), 'ga accept hunk · gr reject · ]h next · gA/gR all · q close')
  config.set({ review = { keys = { accept_hunk = '<leader>y', reject_all = false, close = '%' } } })
  T.eq(labels.key_hint(), '<leader>y accept hunk · gr reject · ]h next · %% close')
  config.set({})
end)

T.case('in a narrow window the key hint is shorter', function()
  config.set({})
  T.eq(labels.key_hint(80), 'ga accept hunk · gr reject · ]h next · gA/gR all · q close')
  T.eq(labels.key_hint(40), 'ga/gr hunk  gA/gR all  ]h next  q close')
end)

T.case('the proposal winbar names the proposal and its file, literally', function()
  config.set({})
  T.eq(labels.winbar(session({ 'src/app.py' }, 1)), 'claif: Replay: make it 100%% faster · src/app.py')
  T.eq(
    labels.winbar(session({ 'app.py', 'helpers.py' }, 2)),
    'claif: Replay: make it 100%% faster · helpers.py [file 2/2] (]f/[f: next/previous file)'
  )
end)

T.case('the source winbar names the file as it is now', function()
  T.eq(labels.source_winbar(session({ 'src/app.py' }, 1)), 'src/app.py · as it is now')
end)

T.case('the proposal buffer is named by the file, with the proposal id only when that name is taken', function()
  local s = session({ 'src/app.py' }, 1)
  T.eq(labels.buffer_name(s), 'claif: app.py')
  local taken = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(taken, 'claif: app.py')
  T.eq(labels.buffer_name(s), 'claif: app.py (p1)')
  s.prop_buf = taken
  T.eq(labels.buffer_name(s), 'claif: app.py')
end)
