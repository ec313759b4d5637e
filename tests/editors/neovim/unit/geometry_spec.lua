-- Unit cases for claif.review.geometry: rows of hunks in the source and proposed text, and navigation.
local T = ...
local geometry = require('claif.review.geometry')

--- A file of 20 source rows with three pending hunks, listed out of order:
--- `two` turns row 10 into two rows, `del` deletes rows 14 and 15, `four` rewrites rows 3..6 as four rows.
---@return claif.ProposalFile
local function sample()
  return {
    uri = 'file:///ws/app.py',
    path = 'app.py',
    operation = 'update',
    hunks = {
      T.hunk('two', 10, 11, { 'x', 'y' }),
      T.hunk('del', 14, 16, {}),
      T.hunk('four', 3, 7, { 'a', 'b', 'c', 'd' }),
    },
  }
end

---@param rows {hunk: claif.Hunk, first: integer, last: integer}[]
---@return table[]
local function ids_and_rows(rows)
  return vim.tbl_map(function(r)
    return { r.hunk.id, r.first, r.last }
  end, rows)
end

---@param hunks claif.Hunk[]
---@return string[]
local function ids(hunks)
  return vim.tbl_map(function(h)
    return h.id
  end, hunks)
end

T.case('source_rows: a range ending at column 0 does not cover that line', function()
  T.eq({ geometry.source_rows(T.hunk('h', 3, 7, { 'a' })) }, { 3, 7 })
end)

T.case('source_rows: a range ending inside a line covers it', function()
  local hunk = T.hunk('h', 3, 5, { 'a' })
  hunk.range['end'].character = 4
  T.eq({ geometry.source_rows(hunk) }, { 3, 6 })
end)

T.case('source_rows: an empty range (an insertion) covers one row', function()
  T.eq({ geometry.source_rows(T.hunk('h', 8, 8, { 'new' })) }, { 8, 9 })
end)

T.case('sign_rows: kept inside a buffer shorter than the hunk', function()
  T.eq({ geometry.sign_rows(T.hunk('h', 3, 7, { 'a' }), 5) }, { 3, 5 })
  T.eq({ geometry.sign_rows(T.hunk('h', 9, 12, { 'a' }), 5) }, { 4, 5 })
end)

T.case('proposed_rows: sorted by position, shifted by the lines added or removed above', function()
  T.eq(ids_and_rows(geometry.proposed_rows(sample())), {
    { 'four', 3, 7 },
    { 'two', 10, 12 },
    -- `two` added a row above; a deletion still shows on one row
    { 'del', 15, 16 },
  })
end)

T.case('proposed_rows: a hunk being applied shifts the rows below but is not listed', function()
  local file = sample()
  file.hunks[1].state = 'applying' -- `two`
  T.eq(ids_and_rows(geometry.proposed_rows(file)), { { 'four', 3, 7 }, { 'del', 15, 16 } })
end)

T.case('proposed_rows: decided, stale and unplaced hunks neither show nor shift', function()
  local file = sample()
  file.hunks[1].state = 'accepted' -- `two`
  file.hunks[2].state = 'stale' -- `del`
  file.hunks[2].range = vim.NIL
  T.eq(ids_and_rows(geometry.proposed_rows(file)), { { 'four', 3, 7 } })
end)

T.case('to_proposed_row: rows above every hunk stay, rows below a hunk shift by its lines', function()
  local file = sample()
  T.eq(geometry.to_proposed_row(file, 0), 0, 'above')
  T.eq(geometry.to_proposed_row(file, 8), 8, 'below `four` (4 rows for 4)')
  T.eq(geometry.to_proposed_row(file, 12), 13, 'below `two` (2 rows for 1)')
  T.eq(geometry.to_proposed_row(file, 18), 17, 'below `del` (0 rows for 2)')
end)

T.case('to_proposed_row: a row inside a hunk is not shifted by it, and never goes below 0', function()
  T.eq(geometry.to_proposed_row(sample(), 10), 10)
  local file = { uri = 'file:///f', hunks = { T.hunk('gone', 0, 5, {}) } }
  T.eq(geometry.to_proposed_row(file, 5), 0)
end)

T.case('source_hunks_in: hunks overlapping the rows (inclusive) of the source buffer', function()
  local file = sample()
  T.eq(ids(geometry.source_hunks_in(file, 6, 6)), { 'four' }, 'last row of `four`')
  T.eq(ids(geometry.source_hunks_in(file, 7, 9)), {}, 'between hunks')
  T.eq(ids(geometry.source_hunks_in(file, 5, 10)), { 'four', 'two' }, 'a range over two hunks')
  T.eq(ids(geometry.source_hunks_in(file, 15, 15)), { 'del' })
end)

T.case('proposed_hunks_in: hunks overlapping the rows (inclusive) of the proposed text', function()
  local file = sample()
  T.eq(ids(geometry.proposed_hunks_in(file, 11, 11)), { 'two' }, 'the row `two` added')
  T.eq(ids(geometry.proposed_hunks_in(file, 12, 14)), {}, 'between hunks')
  T.eq(ids(geometry.proposed_hunks_in(file, 15, 15)), { 'del' })
  T.eq(ids(geometry.proposed_hunks_in(file, 16, 16)), {}, 'the row after the deletion')
end)

T.case('marked_in: marks on the rows (inclusive)', function()
  local a, b = T.hunk('a', 0, 1, {}), T.hunk('b', 0, 1, {})
  local marks = { { hunk = a, row = 2 }, { hunk = b, row = 5 } }
  T.eq(ids(geometry.marked_in(marks, 2, 4)), { 'a' })
  T.eq(ids(geometry.marked_in(marks, 2, 5)), { 'a', 'b' })
  T.eq(ids(geometry.marked_in(marks, 3, 4)), {})
end)

T.case('hunk_starts: first rows of the pending hunks on each side', function()
  T.eq(geometry.hunk_starts(sample(), 'proposed'), { 3, 10, 15 })
  T.eq(geometry.hunk_starts(sample(), 'source'), { 3, 10, 14 })
end)

T.case('jump_target: the next start after the row, the previous before it, nil past the ends', function()
  local starts = { 3, 10, 15 }
  T.eq(geometry.jump_target(starts, 0, 1), 3)
  T.eq(geometry.jump_target(starts, 3, 1), 10, 'from a hunk start to the next one')
  T.eq(geometry.jump_target(starts, 12, -1), 10)
  T.eq(geometry.jump_target(starts, 3, -1), nil, 'nothing before the first')
  T.eq(geometry.jump_target(starts, 15, 1), nil, 'nothing after the last')
  T.eq(geometry.jump_target({}, 4, 1), nil)
end)

T.case('stale_row: the proposed row of the anchor, the top without one, inside the text', function()
  local file = sample()
  T.eq(geometry.stale_row(file, 12, 30), 13)
  T.eq(geometry.stale_row(file, nil, 30), 0)
  T.eq(geometry.stale_row(file, 18, 5), 4)
end)

T.case('text_lines: the lines of a text, without the empty one after a final newline', function()
  T.eq(geometry.text_lines('a\nb\n'), { 'a', 'b' })
  T.eq(geometry.text_lines('a\nb'), { 'a', 'b' })
  T.eq(geometry.text_lines('a\n\n'), { 'a', '' })
  T.eq(geometry.text_lines(''), {})
end)
