--- What a proposal's revision says about itself beside its hunks: its number, the hunks already
--- accepted, whether its answer came from the cache, and the hunks of the answer that could not be
--- placed (a partial answer). Pure functions of the server's proposal objects.
local M = {}

--- The hunks of the answer that could not be placed, in the server's order.
---@param proposal claif.Proposal
---@return claif.UnplacedHunk[]
function M.unplaced(proposal)
  local partial = proposal.partial
  if type(partial) ~= 'table' or type(partial.unplaced) ~= 'table' then
    return {}
  end
  return partial.unplaced
end

--- An unplaced hunk as the user knows it: `hunk 2 of app.py`.
---@param unplaced claif.UnplacedHunk
---@return string
function M.unplaced_name(unplaced)
  return ('hunk %s of %s'):format(tostring(unplaced.hunk), unplaced.path)
end

--- One line of a reason (its first), without a trailing colon introducing more.
---@param reason string?
---@return string
local function one_line(reason)
  local first = vim.trim((tostring(reason or '')):match('^[^\n]*') or '')
  return (first:gsub(':$', ''))
end

--- What could not be placed, in one short phrase: `hunk 2 of app.py did not place`,
--- `3 hunks of the answer did not place`; nil for a whole answer.
---@param proposal claif.Proposal
---@return string?
function M.not_placed(proposal)
  local unplaced = M.unplaced(proposal)
  if #unplaced == 0 then
    return nil
  elseif #unplaced == 1 then
    return M.unplaced_name(unplaced[1]) .. ' did not place'
  end
  return ('%d hunks of the answer did not place'):format(#unplaced)
end

--- Why each hunk did not place, with the old lines the answer expected: the lines that head the raw
--- answer's buffer (none for a whole answer).
---@param proposal claif.Proposal
---@return string[]
function M.unplaced_lines(proposal)
  local unplaced = M.unplaced(proposal)
  if #unplaced == 0 then
    return {}
  end
  local lines = { ('Not placed (%d of the answer\'s hunks; the rest is in the proposal):'):format(#unplaced) }
  for _, u in ipairs(unplaced) do
    local reason = one_line(u.reason)
    table.insert(lines, ('- %s: %s'):format(M.unplaced_name(u), reason ~= '' and reason or 'its old lines were not found'))
    local expected = vim.split((u.expected or ''):gsub('\n$', ''), '\n', { plain = true })
    if #expected > 0 and not (#expected == 1 and expected[1] == '') then
      table.insert(lines, '  expected:')
      for _, line in ipairs(expected) do
        table.insert(lines, '    ' .. line)
      end
    end
  end
  return lines
end

--- Number of hunks of a proposal in state `state` (all files).
---@param proposal claif.Proposal
---@param state string
---@return integer
function M.count(proposal, state)
  local n = 0
  for _, file in ipairs(proposal.files or {}) do
    for _, hunk in ipairs(file.hunks or {}) do
      if hunk.state == state then
        n = n + 1
      end
    end
  end
  return n
end

--- The notes of a revision, in the order they are shown: `revision 2`, `1 hunk accepted` (from a revision
--- 2 on, when there are some), `from the cache (:ClaifRetry asks again)`, `hunk 2 of app.py did not place`.
--- `answer_key` (the review key showing the raw answer) is named after the last one.
---@param proposal claif.Proposal
---@param answer_key? string|false
---@return string[]
function M.notes(proposal, answer_key)
  local notes = {}
  local revision = tonumber(proposal.revision) or 1
  if revision > 1 then
    table.insert(notes, ('revision %d'):format(revision))
    local accepted = M.count(proposal, 'accepted')
    if accepted > 0 then
      table.insert(notes, ('%d hunk%s accepted'):format(accepted, accepted == 1 and '' or 's'))
    end
  end
  if proposal.restored == true then
    table.insert(notes, 'restored')
  end
  if proposal.cached == true then
    table.insert(notes, 'from the cache (:ClaifRetry asks again)')
  end
  local not_placed = M.not_placed(proposal)
  if not_placed then
    table.insert(notes, not_placed .. (answer_key and (' (%s: why)'):format(answer_key) or ' (:ClaifAnswer: why)'))
  end
  return notes
end

return M
