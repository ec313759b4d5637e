--- Rows of the review: which rows of the source buffer and of the proposed text show which hunk, how
--- a source row maps to a row of the proposed text, and where hunk navigation lands. Pure functions of
--- the proposal objects (rows are 0-based; ranges end exclusive unless said otherwise).
local hunks = require('claif.review.hunks')

local M = {}

---@param text string
---@return integer
local function count_newlines(text)
  local _, n = text:gsub('\n', '')
  return n
end

--- The lines of a text, without the empty one after a final newline.
---@param text string
---@return string[]
function M.text_lines(text)
  local lines = vim.split(text, '\n', { plain = true })
  if lines[#lines] == '' then
    table.remove(lines)
  end
  return lines
end

--- Rows (end exclusive) a hunk covers in the source buffer: at least one, and a range ending at
--- column 0 of a later line does not cover that line.
---@param hunk claif.Hunk
---@return integer, integer
function M.source_rows(hunk)
  local s, e = hunk.range.start, hunk.range['end']
  local last = (e.character == 0 and e.line > s.line) and e.line or e.line + 1
  return s.line, math.max(last, s.line + 1)
end

--- Rows a hunk's sign covers in a buffer of `count` lines: its source rows, kept inside the buffer.
---@param hunk claif.Hunk
---@param count integer
---@return integer first, integer last (end exclusive)
function M.sign_rows(hunk, count)
  local s, e = M.source_rows(hunk)
  s = math.min(s, count - 1)
  return s, math.max(math.min(e, count), s + 1)
end

--- Rows (end exclusive) each pending hunk covers in the proposed text (hunks being applied are in
--- that text too, so they shift the rows, but are not listed).
---@param file claif.ProposalFile
---@return {hunk: claif.Hunk, first: integer, last: integer}[]
function M.proposed_rows(file)
  local rows, offset = {}, 0
  for _, hunk in ipairs(hunks.open(file)) do
    local s, e = hunk.range.start, hunk.range['end']
    local first = s.line + offset
    local span = count_newlines(hunk.newText or '')
    if hunk.state == 'pending' then
      table.insert(rows, { hunk = hunk, first = first, last = first + math.max(span, 1) })
    end
    offset = offset + span - (e.line - s.line)
  end
  return rows
end

--- The row of the proposed text that shows row `row` of the source text (pending hunks above it
--- shift it by the lines they add or remove).
---@param file claif.ProposalFile
---@param row integer
---@return integer
function M.to_proposed_row(file, row)
  local offset = 0
  for _, hunk in ipairs(hunks.open(file)) do
    local s, e = hunk.range.start, hunk.range['end']
    if select(2, M.source_rows(hunk)) <= row then
      offset = offset + count_newlines(hunk.newText or '') - (e.line - s.line)
    end
  end
  return math.max(0, row + offset)
end

--- The pending hunks of `file` shown on rows `first..last` (inclusive) of the source buffer.
---@param file claif.ProposalFile
---@param first integer
---@param last integer
---@return claif.Hunk[]
function M.source_hunks_in(file, first, last)
  local found = {}
  for _, hunk in ipairs(hunks.pending(file)) do
    local s, e = M.source_rows(hunk)
    if s <= last and first < e then
      table.insert(found, hunk)
    end
  end
  return found
end

--- The pending hunks of `file` shown on rows `first..last` (inclusive) of the proposed text.
---@param file claif.ProposalFile
---@param first integer
---@param last integer
---@return claif.Hunk[]
function M.proposed_hunks_in(file, first, last)
  local found = {}
  for _, r in ipairs(M.proposed_rows(file)) do
    if r.first <= last and first < r.last then
      table.insert(found, r.hunk)
    end
  end
  return found
end

--- The hunks of `marks` (hunks with the row they are marked on) marked on rows `first..last` (inclusive).
---@param marks {hunk: claif.Hunk, row: integer}[]
---@param first integer
---@param last integer
---@return claif.Hunk[]
function M.marked_in(marks, first, last)
  local found = {}
  for _, r in ipairs(marks) do
    if first <= r.row and r.row <= last then
      table.insert(found, r.hunk)
    end
  end
  return found
end

--- The first row of each pending hunk of `file`, in the proposed text (`side` `proposed`) or in the
--- source buffer (`side` `source`).
---@param file claif.ProposalFile
---@param side 'proposed'|'source'
---@return integer[]
function M.hunk_starts(file, side)
  local starts = {}
  if side == 'proposed' then
    for _, r in ipairs(M.proposed_rows(file)) do
      table.insert(starts, r.first)
    end
  else
    for _, hunk in ipairs(hunks.pending(file)) do
      table.insert(starts, (M.source_rows(hunk)))
    end
  end
  return starts
end

--- Where the next (`direction` 1) or previous (`-1`) hunk starts, seen from `row`; nil past the last
--- (or before the first). `starts` is sorted.
---@param starts integer[]
---@param row integer
---@param direction integer
---@return integer?
function M.jump_target(starts, row, direction)
  if direction > 0 then
    for _, s in ipairs(starts) do
      if s > row then
        return s
      end
    end
  else
    for i = #starts, 1, -1 do
      if starts[i] < row then
        return starts[i]
      end
    end
  end
  return nil
end

--- The row of the proposed text (of `count` lines) where a stale hunk is marked: the row showing
--- `source_row`, where its anchor is now, or the first row when it has no anchor.
---@param file claif.ProposalFile
---@param source_row integer?
---@param count integer
---@return integer
function M.stale_row(file, source_row, count)
  return math.min(source_row and M.to_proposed_row(file, source_row) or 0, count - 1)
end

return M
