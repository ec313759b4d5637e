--- The review UI: a diff view of a buffer against a proposal's `proposedText`, signs on pending
--- hunks, and accepting or rejecting hunks with `claif.accept` / `claif.reject`. This module is the
--- review's face to the rest of the plugin; each job lives in a module of `claif.review.*`:
--- `hunks` and `geometry` (pure: hunk states, rows), `render` and `anchors` (extmarks), `layout`
--- (windows) and `labels` (what their bars say), `keys`, `server` (requests), `locate` (the session at a buffer's rows) and `flow` (a
--- session's life). Sessions are kept in `claif.store`.
local anchors = require('claif.review.anchors')
local buffers = require('claif.buffers')
local flow = require('claif.review.flow')
local geometry = require('claif.review.geometry')
local hunks = require('claif.review.hunks')
local layout = require('claif.review.layout')
local locate = require('claif.review.locate')
local render = require('claif.review.render')
local store = require('claif.store')

local M = {}

M.ns = render.ns
M.anchor_ns = anchors.ns

---@type table<string, claif.Session> review sessions by proposal id
M.sessions = store.sessions

M.find_buf = buffers.find

M.pending_hunks = hunks.pending
M.open_hunks = hunks.open
M.stale_hunks = hunks.stale
M.stale_text = hunks.stale_text
M.reviewable = hunks.reviewable
M.any_pending = hunks.any_pending
M.any_open = hunks.any_open
M.any_stale = hunks.any_stale

M.source_rows = geometry.source_rows
M.proposed_rows = geometry.proposed_rows
M.to_proposed_row = geometry.to_proposed_row
M.anchor_row = anchors.row

M.hunks_at = locate.hunks_at
M.session_for = locate.session_for

M.mark = render.mark
M.file_index = layout.file_index
M.jump = layout.jump
M.show_file = layout.show_file
M.close_view = layout.close

M.step_file = flow.step_file
M.find_file = flow.find_file
M.open_view = flow.open_view
M.finish = flow.finish
M.update = flow.update
M.refresh = flow.refresh
M.start = flow.start
M.announcement = flow.announcement
M.show = flow.show
M.decide = flow.decide
M.decide_at = flow.decide_at
M.on_changed = flow.on_changed

return M
