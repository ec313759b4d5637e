-- What the progress line says (claif.progress, claif.progress_view) and how streamed lines fill an
-- explanation's window (claif.answer.add_tail).
local T = ...
local progress = require('claif.progress')
local view = require('claif.progress_view')
local answer = require('claif.answer')
local config = require('claif.config')

T.case('a report splits into its short status and the streamed line', function()
  T.eq({ progress.split_report('≈50 tokens · 3.3 s · -    return s') }, { '≈50 tokens · 3.3 s', '-    return s' })
  T.eq({ progress.split_report('≈1.2k tokens · 10.0 s · a · b') }, { '≈1.2k tokens · 10.0 s', 'a · b' })
  T.eq({ progress.split_report('≈50 tokens · 3.3 s') }, { '≈50 tokens · 3.3 s', nil })
  T.eq({ progress.split_report('waiting for the provider') }, { 'waiting for the provider', nil })
end)

T.case('the line names the providers and the instruction', function()
  local task = { begin = 'Replay, Claude API: ask (cut to 200 lines)' }
  T.eq(progress.describe(task, { action = 'ask', instruction = 'make  it\nfaster' }), 'Replay, Claude API: make it faster')
  T.eq(progress.describe({ begin = 'Replay: explain' }, { action = 'explain' }), 'Replay: explain')
  T.eq(progress.describe({ begin = 'Replay: tests' }, nil), 'Replay: tests')
  T.eq(view.text({ what = 'Replay: x' }), 'Replay: x …')
  T.eq(view.text({ what = 'Replay: x', status = '≈5 tokens · 0.1 s' }), 'Replay: x · ≈5 tokens · 0.1 s')
end)

T.case('auto mode echoes unless a statusline or a progress plugin shows it', function()
  config.set({})
  T.eq(view.mode(), 'echo')
  vim.go.statusline = "%{v:lua.require'claif'.status()}"
  T.eq(view.mode(), 'none')
  vim.go.statusline = '%{luaeval("vim.lsp.status()")}'
  T.eq(view.mode(), 'none')
  vim.go.statusline = ''
  package.loaded['fidget'] = {}
  T.eq(view.mode(), 'none')
  package.loaded['fidget'] = nil
  package.loaded['notify'] = {}
  T.eq(view.mode(), 'notify')
  package.loaded['notify'] = nil
end)

T.case('the progress option picks the display, and a wrong value is a problem', function()
  config.set({ progress = false })
  T.eq(view.mode(), 'none')
  config.set({ progress = 'notify' })
  T.eq(view.mode(), 'notify')
  config.set({ progress = 'loud' })
  T.eq(config.problems, { 'progress must be "auto", "echo", "notify" or false, not "loud"' })
  T.eq(view.mode(), 'echo')
end)

T.case('a streamed line that grew replaces its start, a new one goes below', function()
  local lines = answer.add_tail({}, '`total` adds')
  T.eq(answer.add_tail(lines, '`total` adds up'), { '`total` adds up' })
  T.eq(answer.add_tail(lines, '`total` adds up'), { '`total` adds up' })
  T.eq(answer.add_tail(lines, '- `s` starts'), { '`total` adds up', '- `s` starts' })
end)

T.case('the echoed line shows an ask, but leaves a message claif just said on screen', function()
  config.set({})
  local messages = require('claif.messages')
  local drawn = {}
  local ns = vim.api.nvim_create_namespace('claiftest.progress_spec')
  vim.ui_attach(ns, { ext_messages = true }, function(event, _, content)
    if event == 'msg_show' then
      table.insert(drawn, table.concat(vim.tbl_map(function(chunk)
        return chunk[2]
      end, content)))
    end
  end)
  local function drawn_after(fn)
    local before = #drawn
    fn()
    vim.cmd.redraw()
    vim.wait(100)
    return vim.list_slice(drawn, before + 1)
  end
  T.eq(drawn_after(function()
    view.update('t1', { what = 'Replay: make it faster' })
  end), { 'claif ⠋ Replay: make it faster …' })
  local after_message = drawn_after(function()
    messages.say('p1 ready, 2 hunks in app.py: :ClaifReview')
    view.update('t1', { what = 'Replay: make it faster', status = '≈5 tokens · 0.1 s' })
  end)
  T.eq(vim.tbl_filter(function(text)
    return text:find('Replay', 1, true) ~= nil
  end, after_message), {})
  view.finish('t1', 'done')
  vim.ui_detach(ns)
end)
