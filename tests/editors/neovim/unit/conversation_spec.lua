-- Unit cases for refining and restoring: the feedback kept per proposal (claif.drafts), which hunks a
-- refine is narrowed to (claif.refine), what a new revision's announcement says (claif.review.flow),
-- and which restored proposals are fetched and how they are announced (claif.restore).
local T = ...
local drafts = require('claif.drafts')
local flow = require('claif.review.flow')
local refine = require('claif.refine')
local restore = require('claif.restore')

T.case('feedback is kept until the refine with it went through', function()
  T.eq(drafts.get('p1'), nil)
  drafts.keep('p1', 'use a generator')
  T.eq(drafts.get('p1'), 'use a generator')
  drafts.keep('p1', '   ')
  T.eq(drafts.get('p1'), 'use a generator', 'blank feedback keeps nothing')
  drafts.keep('p1', 'use sum()')
  drafts.done('p1', 'use a generator')
  T.eq(drafts.get('p1'), 'use sum()', 'newer feedback stays when an older refine goes through')
  drafts.done('p1', 'use sum()')
  T.eq(drafts.get('p1'), nil)
end)

T.case('a refine is narrowed to the hunks under the cursor in the view, and to a range anywhere', function()
  local found = { { id = 'p1-h2' }, { id = 'p1-h3' } }
  T.eq(refine.narrow(found, true, false), { 'p1-h2', 'p1-h3' })
  T.eq(refine.narrow(found, false, true), { 'p1-h2', 'p1-h3' })
  T.eq(refine.narrow(found, false, false), nil, 'the cursor in a source buffer picks the proposal, whole')
  T.eq(refine.narrow({}, true, true), nil, 'no hunk there: the whole proposal')
end)

---@param fields table
---@return claif.Proposal
local function proposal(fields)
  local hunks = {
    { id = 'p1-h1', state = 'accepted', oldText = '', newText = '' },
    { id = 'p1-h3', state = 'pending', range = { start = { line = 1, character = 0 }, ['end'] = { line = 2, character = 0 } }, oldText = 'a\n', newText = 'b\n' },
  }
  return vim.tbl_extend('force', {
    id = 'p1', state = 'partial', title = 'Replay: tidy', revision = 1,
    files = { { uri = 'file:///ws/app.py', path = 'app.py', operation = 'update', hunks = hunks } },
  }, fields)
end

T.case('a new revision is announced with its number, and without a command when its view is open', function()
  T.eq(flow.announcement(proposal({})), 'p1 ready, 1 hunk in app.py: :ClaifReview')
  T.eq(flow.announcement(proposal({ revision = 2 })), 'p1 revision 2 ready, 1 hunk in app.py: :ClaifReview')
  T.eq(flow.announcement(proposal({ revision = 2 }), true), 'p1 revision 2 ready, 1 hunk in app.py')
end)

T.case('an announcement says what did not place, that it came from the cache, or that it was restored', function()
  local partial = { unplaced = { { path = 'app.py', hunk = 2, reason = 'not found', expected = 'x\n' } } }
  T.eq(flow.announcement(proposal({ partial = partial })),
    'p1 ready, 1 hunk in app.py: :ClaifReview; hunk 2 of app.py did not place (:ClaifAnswer)')
  T.eq(flow.announcement(proposal({ cached = true })),
    'p1 ready, 1 hunk in app.py: :ClaifReview; from the cache: :ClaifRetry asks again')
  T.eq(flow.announcement(proposal({ restored = true, revision = 3 })), 'p1 restored, 1 hunk in app.py: :ClaifReview')
end)

T.case('restoring fetches the proposals of every session the plugin does not know, newest first', function()
  local sessions = {
    { id = 's3', proposals = { 'p5', 'p6' } },
    { id = 's2', proposals = { 'p3' } },
    { id = 's1', proposals = { 'p1', 'p5' } },
  }
  T.eq(restore.unknown_ids(sessions, {}), { 'p5', 'p6', 'p3', 'p1' })
  T.eq(restore.unknown_ids(sessions, { p6 = {}, p1 = {} }), { 'p5', 'p3' })
  T.eq(restore.unknown_ids({}, {}), {})
end)

T.case('restored proposals are announced in one line', function()
  T.eq(restore.announcement({}), nil)
  T.eq(restore.announcement({ proposal({ restored = true }) }), 'p1 restored, 1 hunk in app.py: :ClaifReview')
  T.eq(restore.announcement({ proposal({ id = 'p4' }), proposal({ id = 'p2' }) }), '2 proposals restored (p4, p2): :ClaifReview')
end)
