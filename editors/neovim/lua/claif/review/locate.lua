--- Which review session, and which of its hunks, a buffer's rows show: a source buffer of a
--- proposal's file or the proposal buffer of a diff view.
local anchors = require('claif.review.anchors')
local buffers = require('claif.buffers')
local geometry = require('claif.review.geometry')
local hunks = require('claif.review.hunks')
local store = require('claif.store')

local M = {}

--- The session, the pending hunks and the stale hunks on rows `first..last` (0-based, inclusive) of
--- `bufnr`, which is a source buffer or a proposal buffer of the diff view.
---@param bufnr integer
---@param first integer
---@param last integer
---@return claif.Session?, claif.Hunk[], claif.Hunk[]
function M.hunks_at(bufnr, first, last)
  local fallback ---@type claif.Session?
  for _, session in pairs(store.sessions) do
    if session.prop_buf == bufnr then
      return session, geometry.proposed_hunks_in(session.file, first, last), geometry.marked_in(session.stale_rows or {}, first, last)
    end
    for _, file in ipairs(session.proposal.files or {}) do
      if buffers.find(file.uri) == bufnr then
        local found = geometry.source_hunks_in(file, first, last)
        local marks = {}
        for _, hunk in ipairs(hunks.stale(file)) do
          local row = anchors.row(session, hunk, bufnr)
          if row then
            table.insert(marks, { hunk = hunk, row = row })
          end
        end
        local stale = geometry.marked_in(marks, first, last)
        if #found > 0 or #stale > 0 then
          return session, found, stale
        end
        fallback = fallback or session
      end
    end
  end
  return fallback, {}, {}
end

--- The newest open session whose proposal touches `bufnr` (or whose diff view shows it).
---@param bufnr integer
---@return claif.Session?
function M.session_for(bufnr)
  for _, session in ipairs(store.newest_sessions()) do
    if session.prop_buf == bufnr or session.src_buf == bufnr then
      return session
    end
    for _, file in ipairs(session.proposal.files or {}) do
      if buffers.find(file.uri) == bufnr then
        return session
      end
    end
  end
  return nil
end

return M
