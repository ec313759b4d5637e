--- What the review draws in buffers: signs and hints on the hunks of the source buffers, and the
--- proposed text with its stale marks in the proposal buffer.
local anchors = require('claif.review.anchors')
local buffers = require('claif.buffers')
local config = require('claif.config')
local geometry = require('claif.review.geometry')
local hunks = require('claif.review.hunks')

local M = {}

M.ns = vim.api.nvim_create_namespace('claif.review')

--- Define the review's highlight groups unless the user did (again after a colorscheme cleared them):
--- `ClaifDiffRemoved` draws the rows the proposal removes, on the source side of the diff view.
function M.define_highlights()
  vim.api.nvim_set_hl(0, 'ClaifDiffRemoved', { link = 'DiffDelete', default = true })
end

--- The mark of a stale hunk: its sign, and its label and reason at the end of the line.
---@param label string
---@param hunk claif.Hunk
---@param hint string
---@return vim.api.keyset.set_extmark
local function stale_mark(label, hunk, hint)
  return {
    sign_text = '!',
    sign_hl_group = 'DiagnosticWarn',
    virt_text = { { ('%s %s%s'):format(label, hunks.stale_text(hunk), hint), 'DiagnosticWarn' } },
    virt_text_pos = 'eol',
    priority = 20,
  }
end

--- The hunks a refined proposal keeps as accepted, with the row of `bufnr` where their anchor is now:
--- from revision 2 on they are marked, so the view shows what the new revision was built on.
---@param session claif.Session
---@param file claif.ProposalFile
---@param bufnr integer
---@return {hunk: claif.Hunk, row: integer}[]
local function kept_accepted(session, file, bufnr)
  local kept = {}
  if (tonumber(session.proposal.revision) or 1) < 2 then
    return kept
  end
  for _, hunk in ipairs(file.hunks or {}) do
    local row = hunk.state == 'accepted' and anchors.row(session, hunk, bufnr)
    if row then
      table.insert(kept, { hunk = hunk, row = row })
    end
  end
  return kept
end

---@param label string
---@return vim.api.keyset.set_extmark
local function accepted_mark(label)
  return { virt_text = { { label .. ' accepted', 'Comment' } }, virt_text_pos = 'eol', priority = 10 }
end

---@param bufnr integer
---@param file claif.ProposalFile
---@param session claif.Session
local function sign_hunks(bufnr, file, session)
  local count = vim.api.nvim_buf_line_count(bufnr)
  for _, hunk in ipairs(hunks.pending(file)) do
    local s, e = geometry.sign_rows(hunk, count)
    local deletion = (hunk.newText or '') == ''
    vim.api.nvim_buf_set_extmark(bufnr, M.ns, s, 0, {
      end_row = e - 1,
      sign_text = deletion and '▁' or '▍',
      sign_hl_group = deletion and 'DiffDelete' or 'DiffChange',
      virt_text = { { 'claif: ' .. hunks.label(file, hunk), 'Comment' } },
      virt_text_pos = 'eol',
      priority = 20,
    })
  end
  for _, hunk in ipairs(hunks.stale(file)) do
    local row = anchors.row(session, hunk, bufnr)
    if row then
      vim.api.nvim_buf_set_extmark(bufnr, M.ns, math.min(row, count - 1), 0, stale_mark('claif: ' .. hunks.label(file, hunk), hunk, ''))
    end
  end
  for _, kept in ipairs(kept_accepted(session, file, bufnr)) do
    vim.api.nvim_buf_set_extmark(bufnr, M.ns, math.min(kept.row, count - 1), 0, accepted_mark('claif: ' .. hunks.label(file, kept.hunk)))
  end
end

--- Place signs and a hint on each pending and stale hunk of every loaded buffer the proposal touches.
---@param session claif.Session
function M.mark(session)
  for _, file in ipairs(session.proposal.files or {}) do
    local bufnr = buffers.find(file.uri)
    if bufnr then
      vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
      anchors.place(session, file, bufnr)
      if config.options.review.signs then
        sign_hunks(bufnr, file, session)
      end
    end
  end
end

--- Remove the signs and anchors of a session from every buffer.
---@param session claif.Session
function M.unmark(session)
  for _, file in ipairs(session.proposal.files or {}) do
    local bufnr = buffers.find(file.uri)
    if bufnr then
      vim.api.nvim_buf_clear_namespace(bufnr, M.ns, 0, -1)
    end
  end
  anchors.clear(session)
end

--- Mark the stale hunks of the shown file in the proposal buffer, near where their lines were
--- (at the top when the plugin never saw them placed), where `gr` drops them; and a refined
--- proposal's accepted hunks.
---@param session claif.Session
local function mark_stale(session)
  local buf = session.prop_buf --[[@as integer]]
  vim.api.nvim_buf_clear_namespace(buf, M.ns, 0, -1)
  session.stale_rows = {}
  local count = vim.api.nvim_buf_line_count(buf)
  for _, hunk in ipairs(hunks.stale(session.file)) do
    local row = geometry.stale_row(session.file, anchors.row(session, hunk, session.src_buf), count)
    table.insert(session.stale_rows, { hunk = hunk, row = row })
    local keys = config.options.review.keys
    local hint = keys.reject_hunk and (' (%s drops it)'):format(keys.reject_hunk) or ''
    local mark = stale_mark('claif: ' .. hunks.label(session.file, hunk), hunk, hint)
    mark.line_hl_group = 'DiagnosticVirtualTextWarn'
    vim.api.nvim_buf_set_extmark(buf, M.ns, row, 0, mark)
  end
  for _, kept in ipairs(kept_accepted(session, session.file, session.src_buf)) do
    local row = geometry.stale_row(session.file, kept.row, count)
    vim.api.nvim_buf_set_extmark(buf, M.ns, row, 0, accepted_mark('claif: ' .. hunks.label(session.file, kept.hunk)))
  end
end

--- Fill the proposal buffer with the shown file's proposed text (named and typed after the file) and
--- mark its stale hunks.
---@param session claif.Session
function M.proposed_text(session)
  local buf = session.prop_buf --[[@as integer]]
  local filetype = vim.bo[session.src_buf].filetype
  if filetype == '' then
    filetype = vim.filetype.match({ filename = vim.uri_to_fname(session.file.uri) }) or ''
  end
  if vim.bo[buf].filetype ~= filetype then
    vim.bo[buf].filetype = filetype
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, geometry.text_lines(session.file.proposedText or ''))
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  mark_stale(session)
end

return M
