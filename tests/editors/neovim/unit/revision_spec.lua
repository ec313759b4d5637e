-- Unit cases for claif.review.revision (what a revision says beside its hunks) and claif.raw_answer's
-- lines (the raw answer's buffer, headed by what a partial answer could not place).
local T = ...
local raw_answer = require('claif.raw_answer')
local revision = require('claif.review.revision')

local UNPLACED = {
  { path = 'app.py', hunk = 2, reason = 'its old lines were not found:\nnearest: ...', expected = '    return "Hello " + name\n' },
  { path = 'lib/util.py', hunk = 1, reason = 'found twice', expected = 'a\nb\n' },
}

---@param fields table
---@return claif.Proposal
local function proposal(fields)
  return vim.tbl_extend('force', { id = 'p1', state = 'pending', title = 'Replay: tidy', revision = 1, files = {} }, fields)
end

T.case('a whole answer has nothing unplaced', function()
  T.eq(revision.unplaced(proposal({})), {})
  T.eq(revision.unplaced(proposal({ partial = vim.NIL })), {})
  T.eq(revision.not_placed(proposal({})), nil)
  T.eq(revision.unplaced_lines(proposal({})), {})
end)

T.case('what did not place, in one phrase', function()
  T.eq(revision.not_placed(proposal({ partial = { unplaced = { UNPLACED[1] } } })), 'hunk 2 of app.py did not place')
  T.eq(revision.not_placed(proposal({ partial = { unplaced = UNPLACED } })), '2 hunks of the answer did not place')
end)

T.case('why each hunk did not place, with the old lines it expected', function()
  T.eq(revision.unplaced_lines(proposal({ partial = { unplaced = UNPLACED } })), {
    "Not placed (2 of the answer's hunks; the rest is in the proposal):",
    '- hunk 2 of app.py: its old lines were not found',
    '  expected:',
    '        return "Hello " + name',
    '- hunk 1 of lib/util.py: found twice',
    '  expected:',
    '    a',
    '    b',
  })
end)

T.case('the notes of a revision: number and accepted hunks from revision 2, restored, cache, partial', function()
  local files = { { uri = 'file:///ws/app.py', path = 'app.py', hunks = {
    { id = 'p1-h1', state = 'accepted' }, { id = 'p1-h2', state = 'rejected' }, { id = 'p1-h3', state = 'pending' },
  } } }
  T.eq(revision.notes(proposal({ files = files }), 'gp'), {})
  T.eq(revision.notes(proposal({ files = files, revision = 3 }), 'gp'), { 'revision 3', '1 hunk accepted' })
  T.eq(revision.notes(proposal({ revision = 2 }), 'gp'), { 'revision 2' })
  T.eq(revision.notes(proposal({ restored = true, cached = true, partial = { unplaced = { UNPLACED[1] } } }), 'gp'), {
    'restored', 'from the cache (:ClaifRetry asks again)', 'hunk 2 of app.py did not place (gp: why)',
  })
  T.eq(revision.count(proposal({ files = files }), 'rejected'), 1)
end)

T.case('the raw answer buffer: a title, what did not place, then the answer as it came', function()
  local answer = 'I changed two places.\n\n*** Begin Patch\n*** End Patch\n'
  T.eq(raw_answer.lines(proposal({ answer = answer, revision = 2 })), {
    'Replay: tidy, revision 2: the answer as the model wrote it',
    '',
    ('-'):rep(40),
    'I changed two places.',
    '',
    '*** Begin Patch',
    '*** End Patch',
  })
  local lines = raw_answer.lines(proposal({ answer = answer, partial = { unplaced = { UNPLACED[2] } } }))
  T.eq(vim.list_slice(lines, 1, 7), {
    'Replay: tidy, revision 1: the answer as the model wrote it',
    '',
    "Not placed (1 of the answer's hunks; the rest is in the proposal):",
    '- hunk 1 of lib/util.py: found twice',
    '  expected:',
    '    a',
    '    b',
  })
  T.eq(lines[#lines], '*** End Patch')
end)
