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
  T.eq(labels.key_hint(), 'ga accept hunk · gr reject · ]h next · gA/gR all · gf refine · q close')
  config.set({ review = { keys = { accept_hunk = '<leader>y', reject_all = false, refine = false, close = '%' } } })
  T.eq(labels.key_hint(), '<leader>y accept hunk · gr reject · ]h next · %% close')
  config.set({})
end)

T.case('in a narrow window the key hint is shorter', function()
  config.set({})
  T.eq(labels.key_hint(80), 'ga accept hunk · gr reject · ]h next · gA/gR all · gf refine · q close')
  T.eq(labels.key_hint(60), 'ga/gr hunk  gA/gR all  ]h next  gf refine  q close')
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

---@param proposal table fields over a one-file proposal's
---@return claif.Session
local function revised(proposal)
  local s = session({ 'app.py' }, 1)
  s.proposal = vim.tbl_extend('force', s.proposal, proposal)
  return s
end

T.case('the proposal winbar tells the revision, its accepted hunks, the cache and what did not place', function()
  config.set({})
  local accepted = { { id = 'p1-h1', state = 'accepted' }, { id = 'p1-h3', state = 'pending' } }
  local s = revised({ title = 'Replay: tidy', revision = 2 })
  s.proposal.files[1].hunks = accepted
  T.eq(labels.winbar(s), 'claif: Replay: tidy · app.py · revision 2 · 1 hunk accepted')
  T.eq(labels.winbar(revised({ title = 'Replay: tidy', revision = 1, cached = true })),
    'claif: Replay: tidy · app.py · from the cache (:ClaifRetry asks again)')
  local partial = { unplaced = { { path = 'app.py', hunk = 2, reason = 'old lines not found', expected = 'x\n' } } }
  T.eq(labels.winbar(revised({ title = 'Replay: tidy', partial = partial })),
    'claif: Replay: tidy · app.py · hunk 2 of app.py did not place (gp: why)')
  config.set({ review = { keys = { answer = false } } })
  T.eq(labels.winbar(revised({ title = 'Replay: tidy', partial = partial })),
    'claif: Replay: tidy · app.py · hunk 2 of app.py did not place (:ClaifAnswer: why)')
  config.set({})
end)
