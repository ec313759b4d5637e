-- Unit cases for claif.review.hunks: which hunks are in which state, and what is left to review.
local T = ...
local hunks = require('claif.review.hunks')

---@param list claif.Hunk[]
---@return string[]
local function ids(list)
  return vim.tbl_map(function(h)
    return h.id
  end, list)
end

---@param id string
---@param file_hunks claif.Hunk[]
---@return claif.ProposalFile
local function file(id, file_hunks)
  return { uri = 'file:///ws/' .. id, path = id, operation = 'update', hunks = file_hunks }
end

---@param proposal_state string
---@param files claif.ProposalFile[]
---@return claif.Proposal
local function proposal(proposal_state, files)
  return { id = 'p1', state = proposal_state, files = files }
end

local function stale(id)
  local h = T.hunk(id, 0, 1, {}, 'stale')
  h.range = vim.NIL
  return h
end

T.case('pending, open and stale: by state, placed ones sorted by position', function()
  local f = file('a.py', {
    T.hunk('late', 9, 10, { 'x' }),
    T.hunk('flying', 5, 6, { 'x' }, 'applying'),
    T.hunk('done', 2, 3, { 'x' }, 'accepted'),
    stale('old'),
    T.hunk('early', 1, 2, { 'x' }),
  })
  T.eq(ids(hunks.pending(f)), { 'early', 'late' })
  T.eq(ids(hunks.open(f)), { 'early', 'flying', 'late' })
  T.eq(ids(hunks.stale(f)), { 'old' })
end)

T.case('pending: a hunk without a range (JSON null) is not placed', function()
  local h = T.hunk('nowhere', 1, 2, { 'x' })
  h.range = vim.NIL
  T.eq(ids(hunks.pending(file('a.py', { h }))), {})
end)

T.case('reviewable: an open proposal with a hunk to decide or to drop', function()
  T.eq(hunks.reviewable(proposal('pending', { file('a.py', { T.hunk('h', 0, 1, { 'x' }) }) })), true)
  T.eq(hunks.reviewable(proposal('partial', { file('a.py', { T.hunk('h', 0, 1, { 'x' }, 'applying') }) })), true)
  T.eq(hunks.reviewable(proposal('partial', { file('a.py', { stale('s') }) })), true)
  T.eq(hunks.reviewable(proposal('partial', { file('a.py', { T.hunk('h', 0, 1, { 'x' }, 'accepted') }) })), false)
end)

T.case('reviewable: a closed proposal is over, and a stale one only while it has stale hunks', function()
  T.eq(hunks.reviewable(proposal('accepted', { file('a.py', { T.hunk('h', 0, 1, { 'x' }) }) })), false)
  T.eq(hunks.reviewable(proposal('stale', { file('a.py', { T.hunk('h', 0, 1, { 'x' }) }) })), false)
  T.eq(hunks.reviewable(proposal('stale', { file('a.py', { stale('s') }) })), true)
end)

T.case('any_pending, any_open, any_stale look at every file', function()
  local p = proposal('pending', { file('a.py', {}), file('b.py', { T.hunk('h', 0, 1, { 'x' }, 'applying') }) })
  T.eq({ hunks.any_pending(p), hunks.any_open(p), hunks.any_stale(p) }, { false, true, false })
  p.files[1].hunks = { stale('s') }
  T.eq(hunks.any_stale(p), true)
end)

T.case('count_pending: pending hunks of all files', function()
  local p = proposal('pending', {
    file('a.py', { T.hunk('a1', 0, 1, { 'x' }), T.hunk('a2', 4, 5, { 'x' }, 'rejected') }),
    file('b.py', { T.hunk('b1', 0, 1, { 'x' }), T.hunk('b2', 3, 4, { 'x' }) }),
  })
  T.eq(hunks.count_pending(p), 3)
end)

T.case('stale_text: the first line of the reason, without the server prefix, `stale:` or a final colon', function()
  local h = stale('s')
  h.reason = 'Claif: stale: its lines were edited:\n  - old line\n  + new line'
  T.eq(hunks.stale_text(h), 'stale: its lines were edited')
  h.reason = nil
  T.eq(hunks.stale_text(h), 'stale: its lines changed')
  h.reason = '  '
  T.eq(hunks.stale_text(h), 'stale: its lines changed')
end)

T.case('file_index: the 1-based index of a file, 1 when it is not in the list', function()
  local files = { file('a.py', {}), file('b.py', {}) }
  T.eq(hunks.file_index(files, 'file:///ws/b.py'), 2)
  T.eq(hunks.file_index(files, 'file:///ws/c.py'), 1)
end)

T.case('next_to_review: from the current file on, wrapping, pending before stale', function()
  local files = {
    file('a.py', { stale('s') }),
    file('b.py', {}),
    file('c.py', { T.hunk('c1', 0, 1, { 'x' }) }),
  }
  T.eq(hunks.next_to_review(files, 2).path, 'c.py')
  files[3].hunks = {}
  T.eq(hunks.next_to_review(files, 2).path, 'a.py', 'only a stale hunk is left, in a file before')
  files[1].hunks = {}
  T.eq(hunks.next_to_review(files, 2), nil)
end)

T.case('a hunk is named by its place among its file hunks', function()
  local f = file('a.py', { T.hunk('h1', 1, 2, { 'x' }, 'accepted'), T.hunk('h2', 5, 6, { 'y' }), T.hunk('h3', 8, 9, { 'z' }) })
  T.eq(hunks.label(f, f.hunks[2]), 'hunk 2 of 3')
  T.eq(hunks.label(f, T.hunk('elsewhere', 0, 1, {})), 'hunk')
end)

T.case('a decision says which hunks went to accepted or rejected, in how many files', function()
  local function two_files(states_a, states_b)
    local a = file('a.py', {})
    for i, st in ipairs(states_a) do
      table.insert(a.hunks, T.hunk('a' .. i, i * 3, i * 3 + 1, { 'x' }, st))
    end
    local b = file('b.py', {})
    for i, st in ipairs(states_b) do
      table.insert(b.hunks, T.hunk('b' .. i, i * 3, i * 3 + 1, { 'x' }, st))
    end
    return proposal('partial', { a, b })
  end
  local before = two_files({ 'pending', 'pending', 'pending' }, { 'pending' })
  T.eq(hunks.decision_message('accepted', before, two_files({ 'pending', 'accepted', 'pending' }, { 'pending' })), 'accepted hunk 2 of 3 in a.py')
  T.eq(hunks.decision_message('rejected', before, two_files({ 'rejected', 'pending', 'rejected' }, { 'pending' })), 'rejected 2 hunks in a.py')
  T.eq(hunks.decision_message('accepted', before, two_files({ 'accepted', 'pending', 'pending' }, { 'accepted' })), 'accepted 2 hunks in 2 files')
  -- Nothing decided (refused, or already decided before): nothing to say.
  T.eq(hunks.decision_message('accepted', before, before), nil)
  local done = two_files({ 'accepted', 'pending', 'pending' }, { 'pending' })
  T.eq(hunks.decision_message('accepted', done, done), nil)
end)
