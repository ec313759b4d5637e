--- Where each pending hunk sits in its source buffer. These extmarks move with the user's edits, so a
--- hunk that turns stale (the server then gives it no range) can still be shown near its lines.
local geometry = require('claif.review.geometry')
local hunks = require('claif.review.hunks')

local M = {}

M.ns = vim.api.nvim_create_namespace('claif.review.anchors')

--- Move the anchor of each open hunk of `file` to the row the server placed it on in `bufnr`.
---@param session claif.Session
---@param file claif.ProposalFile
---@param bufnr integer
function M.place(session, file, bufnr)
  session.anchors = session.anchors or {}
  local count = vim.api.nvim_buf_line_count(bufnr)
  for _, hunk in ipairs(hunks.open(file)) do
    local s = math.min(geometry.source_rows(hunk), count - 1)
    local old = session.anchors[hunk.id]
    -- Left gravity: a line the user rewrites (deleted and inserted again) keeps its anchor.
    local id = vim.api.nvim_buf_set_extmark(bufnr, M.ns, s, 0, {
      id = old and old.buf == bufnr and old.id or nil,
      right_gravity = false,
    })
    session.anchors[hunk.id] = { buf = bufnr, id = id }
  end
end

--- The row of the source buffer where a hunk's anchor is now, if it has one there.
---@param session claif.Session
---@param hunk claif.Hunk
---@param bufnr? integer only in this buffer
---@return integer?
function M.row(session, hunk, bufnr)
  local anchor = session.anchors and session.anchors[hunk.id]
  if not anchor or not vim.api.nvim_buf_is_valid(anchor.buf) or (bufnr and anchor.buf ~= bufnr) then
    return nil
  end
  local pos = vim.api.nvim_buf_get_extmark_by_id(anchor.buf, M.ns, anchor.id, {})
  return pos[1]
end

--- Delete every anchor of a session.
---@param session claif.Session
function M.clear(session)
  for _, a in pairs(session.anchors or {}) do
    if vim.api.nvim_buf_is_valid(a.buf) then
      vim.api.nvim_buf_del_extmark(a.buf, M.ns, a.id)
    end
  end
  session.anchors = nil
end

return M
