--- Answers of explain-type actions: Markdown in a scratch window beside the current one.
local events = require('claif.events')
local messages = require('claif.messages')
local state = require('claif.state')

local M = {}

--- Show a Markdown answer (explain-type actions) in a scratch buffer beside the current window. The
--- answer arrives on its own time: its window opens without the focus, so typing goes on where it was.
---@param answer string
---@param title? string
---@return integer bufnr
function M.show(answer, title)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].bufhidden = 'wipe'
  local lines = vim.split(answer, '\n', { plain = true })
  if title then
    table.insert(lines, 1, '# ' .. title)
    table.insert(lines, 2, '')
  end
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'markdown'
  pcall(vim.api.nvim_buf_set_name, buf, ('claif://answer/%s'):format(state.next_request_id()))
  local win = vim.api.nvim_open_win(buf, false, { split = 'right', win = 0 })
  vim.wo[win].wrap = true
  vim.wo[win].linebreak = true
  vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = buf, nowait = true, desc = 'claif: close the answer' })
  messages.say('answer ready in the window on the right (q there closes it)')
  events.fire('ClaifAnswer', { bufnr = buf, winid = win })
  return buf
end

--- Open a document the server wrote (an answer or a diff) beside the current window, without the focus.
---@param uri string
function M.show_document(uri)
  local doc = vim.uri_to_bufnr(uri)
  vim.fn.bufload(doc)
  vim.api.nvim_open_win(doc, false, { split = 'right', win = 0 })
end

return M
