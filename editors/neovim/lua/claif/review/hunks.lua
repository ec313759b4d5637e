--- Which hunks of a proposal are in which state: pure functions of the server's proposal objects.
local messages = require('claif.messages')
local store = require('claif.store')

local M = {}

--- Hunks of a file that are placed (have a range) in one of `states`, sorted by position.
---@param file claif.ProposalFile
---@param states string[]
---@return claif.Hunk[]
local function placed(file, states)
  local hunks = vim.tbl_filter(function(h)
    return vim.list_contains(states, h.state) and type(h.range) == 'table'
  end, file.hunks or {})
  table.sort(hunks, function(a, b)
    return a.range.start.line < b.range.start.line
  end)
  return hunks
end

--- Pending hunks of a file, sorted by position.
---@param file claif.ProposalFile
---@return claif.Hunk[]
function M.pending(file)
  return placed(file, { 'pending' })
end

--- Hunks the proposed text holds: pending ones and those whose edit is in flight (`applying`).
---@param file claif.ProposalFile
---@return claif.Hunk[]
function M.open(file)
  return placed(file, { 'pending', 'applying' })
end

--- Stale hunks of a file: the user changed their lines, so they no longer place (server state `stale`).
---@param file claif.ProposalFile
---@return claif.Hunk[]
function M.stale(file)
  return vim.tbl_filter(function(h)
    return h.state == 'stale'
  end, file.hunks or {})
end

---@param list fun(file: claif.ProposalFile): claif.Hunk[]
---@return fun(proposal: claif.Proposal): boolean
local function any(list)
  return function(proposal)
    for _, file in ipairs(proposal.files or {}) do
      if #list(file) > 0 then
        return true
      end
    end
    return false
  end
end

--- True when a file of the proposal has a pending hunk.
M.any_pending = any(M.pending)
--- True when a hunk is pending or being applied.
M.any_open = any(M.open)
--- True when a file of the proposal has a stale hunk.
M.any_stale = any(M.stale)

--- True while a proposal has something to review: a pending hunk (or one being applied), or a stale
--- one to drop. (A server without per-hunk staleness marks the whole proposal `stale` and leaves its
--- hunks pending: that proposal can no longer be accepted, so it is over.)
---@param proposal claif.Proposal
---@return boolean
function M.reviewable(proposal)
  if proposal.state == 'stale' then
    return M.any_stale(proposal)
  end
  return store.is_open(proposal.state) and (M.any_open(proposal) or M.any_stale(proposal))
end

--- The text of a stale hunk's mark: `stale: <reason>`.
---@param hunk claif.Hunk
---@return string
function M.stale_text(hunk)
  local reason = type(hunk.reason) == 'string' and messages.strip(hunk.reason) or ''
  -- One line fits a mark: the reason's first, without a `stale:` of its own or a colon introducing more.
  reason = vim.trim(reason:match('^[^\n]*'):gsub('^stale:%s*', ''):gsub(':$', ''))
  return reason ~= '' and ('stale: ' .. reason) or 'stale: its lines changed'
end

--- A hunk as the user knows it: `hunk 2 of 3` (its place among its file's hunks).
---@param file claif.ProposalFile
---@param hunk claif.Hunk
---@return string
function M.label(file, hunk)
  local all = file.hunks or {}
  for i, h in ipairs(all) do
    if h.id == hunk.id then
      return ('hunk %d of %d'):format(i, #all)
    end
  end
  return 'hunk'
end

--- What a decision did, in claif's words: `accepted hunk 1 of 3 in app.py`, `rejected 2 hunks in app.py`,
--- `accepted 3 hunks in 2 files`; nil when no hunk went from open to `state` (`accepted` or `rejected`)
--- between the proposal objects `before` and `after`.
---@param state 'accepted'|'rejected'
---@param before claif.Proposal
---@param after claif.Proposal
---@return string?
function M.decision_message(state, before, after)
  local was = {} ---@type table<string, string>
  for _, file in ipairs(before.files or {}) do
    for _, h in ipairs(file.hunks or {}) do
      was[h.id] = h.state
    end
  end
  local changed, files = {}, {} ---@type {file: claif.ProposalFile, hunk: claif.Hunk}[], string[]
  for _, file in ipairs(after.files or {}) do
    for _, h in ipairs(file.hunks or {}) do
      if h.state == state and was[h.id] ~= nil and was[h.id] ~= state then
        table.insert(changed, { file = file, hunk = h })
        local path = file.path or vim.uri_to_fname(file.uri)
        if not vim.list_contains(files, path) then
          table.insert(files, path)
        end
      end
    end
  end
  if #changed == 0 then
    return nil
  elseif #changed == 1 then
    return ('%s %s in %s'):format(state, M.label(changed[1].file, changed[1].hunk), files[1])
  elseif #files == 1 then
    return ('%s %d hunks in %s'):format(state, #changed, files[1])
  end
  return ('%s %d hunks in %d files'):format(state, #changed, #files)
end

--- Index (1-based) of the file with `uri` in `files`; 1 when it is not there.
---@param files claif.ProposalFile[]
---@param uri string
---@return integer
function M.file_index(files, uri)
  for i, file in ipairs(files) do
    if file.uri == uri then
      return i
    end
  end
  return 1
end

--- The file to show once the one at `index` has no pending hunk left: the first from there (wrapping
--- around) with a pending hunk, else the first with a stale one; nil when none has either.
---@param files claif.ProposalFile[]
---@param index integer
---@return claif.ProposalFile?
function M.next_to_review(files, index)
  for _, wanted in ipairs({ M.pending, M.stale }) do
    for step = 0, #files - 1 do
      local file = files[(index - 1 + step) % #files + 1]
      if #wanted(file) > 0 then
        return file
      end
    end
  end
  return nil
end

--- Number of pending hunks in all files of a proposal.
---@param proposal claif.Proposal
---@return integer
function M.count_pending(proposal)
  local n = 0
  for _, file in ipairs(proposal.files or {}) do
    n = n + #M.pending(file)
  end
  return n
end

return M
