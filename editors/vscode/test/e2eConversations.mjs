// The conversation checks of the VS Code end-to-end test (issues 14 and 15), run by e2e.mjs with its helpers:
//   refine   accept one hunk, a refine that fails keeps the feedback (Try Again offers it prefilled), Refine… from
//            the review's title with feedback typed in the input box, the open review shows the new revision
//            (the accepted hunk stays accepted), Accept all: the file's text has both
//   partial  an answer one of whose hunks does not place: the warning says which and why, nothing is applied,
//            Show Raw Answer opens the model's answer read-only
//   retry    Retry (palette) on a fresh proposal: revision 2, in the same review
//   stream   an explanation renders in its own view while it streams (the one view, reused), read-only,
//            without taking the focus
//   restore  after a window reload, a proposal still open comes back: its lenses in the file and a Review button
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The partial answer's proposal, left open for the reload at the end. */
let partialId;

/** What the checks share, built on the driver's helpers `h` (see the calls in e2e.mjs). */
function helpers(h) {
  const { page, waitFor, runCommand, firstGroup } = h;
  const toastWith = (text) => page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  const clearToasts = async () => {
    await runCommand('Notifications: Clear All Notifications');
    await waitFor('the toasts to go away', async () => (await page.locator('.notifications-toasts .notification-toast').count()) === 0, 5000);
  };
  const quickInput = () => page.locator('.quick-input-widget input[type="text"]').first();
  /** The feedback box is up (its prompt): what it starts with. */
  const feedbackBox = async () => {
    await page.locator('.quick-input-widget', { hasText: 'What should change?' }).waitFor({ state: 'visible', timeout: 10000 });
    return quickInput().inputValue();
  };
  const diffSide = (side) =>
    page.locator(`.monaco-diff-editor .editor.${side} .view-lines .view-line`).evaluateAll((nodes) =>
      nodes
        .map((n) => ({ top: parseFloat(n.style.top || '0'), text: (n.textContent ?? '').replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text)
        .join('\n'),
    );
  /** The CodeLens labels right above the first-group line containing `lineText`. */
  const lensesAbove = async (lineText) => {
    const lineBox = await firstGroup().locator('.monaco-editor .view-lines .view-line', { hasText: lineText }).first().boundingBox();
    const decorations = firstGroup().locator('.monaco-editor .codelens-decoration');
    for (let i = 0; i < (await decorations.count()); i++) {
      const b = await decorations.nth(i).boundingBox();
      if (b && lineBox && Math.abs(lineBox.y - (b.y + b.height)) <= 3) return (await decorations.nth(i).locator('a').allTextContents()).map((t) => t.trim());
    }
    return [];
  };
  /** A title-bar button of the review (VS Code draws them in the active group: the file's, or the diff's). */
  const diffTitleButton = (label) => page.locator(`.editor-group-container .editor-actions .action-label[aria-label*="${label}"]`).first();
  return { toastWith, clearToasts, quickInput, feedbackBox, diffSide, lensesAbove, diffTitleButton };
}

/** Refine, a partial answer and a streamed explanation (before the server-setting checks). */
export async function conversationChecks(h) {
  const { page, check, waitFor, waitEvent, events, shot, runCommand, openInFirstGroup, focusFile, askHere, firstGroup, diffTabs, bufferText, norm, clickLensAbove, WS } = h;
  const { toastWith, clearToasts, quickInput, feedbackBox, diffSide, lensesAbove, diffTitleButton } = helpers(h);

  await check('refine-keeps-the-accepted-hunk', async () => {
    await clearToasts();
    await openInFirstGroup('refine.py');
    await focusFile('refine.py');
    const asked = await askHere('E2E-REFINE-FIRST: comment each return');
    const result = await waitEvent('ask.result', undefined, 30000, asked);
    const id = result.result?.proposals?.[0];
    if (!id) throw new Error(`no proposal: ${JSON.stringify(result.result)}`);
    await waitEvent('review.diffOpened', (e) => e.proposal === id, 10000, asked);
    // Each pending hunk offers Refine… beside Accept and Reject.
    const labels = await waitFor('Accept | Reject | Refine… above "return 2 * (w + h)"', async () => {
      const l = await lensesAbove('return 2 * (w + h)');
      return l.includes('Accept') && l.includes('Refine…') ? l : undefined;
    }, 15000);
    const accepted = Date.now();
    await clickLensAbove('return w * h', 'Accept');
    await waitFor('hunk 1 in the buffer', async () => norm(await bufferText()).includes('return w * h  # the area'), 10000);
    await waitEvent('decided', (e) => e.command === 'claif.accept' && e.result?.applied === true, 10000, accepted);
    // A refine that fails keeps what the user typed.
    await clearToasts();
    await diffTitleButton('Refine').click();
    if ((await feedbackBox()) !== '') throw new Error('the first feedback box is not empty');
    const failing = 'E2E-REFINE-FAILS: say what the perimeter is';
    await quickInput().fill(failing);
    const sent = Date.now();
    await quickInput().press('Enter');
    await waitEvent('refine.start', (e) => e.proposal === id && e.feedback === failing, 10000, sent);
    const failure = toastWith('Claif: refine failed');
    await failure.waitFor({ state: 'visible', timeout: 20000 });
    const failureText = (await failure.innerText()).replace(/\s+/g, ' ');
    if (!failureText.includes('overloaded')) throw new Error(`the failure does not say why: ${failureText}`);
    await failure.locator('.monaco-button', { hasText: 'Try Again' }).click();
    const prefilled = await feedbackBox();
    if (prefilled !== failing) throw new Error(`Try Again starts with "${prefilled}", not the feedback typed`);
    await shot('refine-feedback-kept');
    // The feedback, typed again: the review follows the new revision.
    const feedback = 'E2E-REFINED: call it twice the sum';
    await quickInput().fill(feedback);
    const refinedAt = Date.now();
    await quickInput().press('Enter');
    const done = await waitEvent('refine.result', (e) => e.reaction === 'revised', 30000, refinedAt).catch(() => {
      const seen = events().filter((e) => e.t >= refinedAt && e.event.startsWith('refine.'));
      throw new Error(`the refine did not make a revision: ${JSON.stringify(seen)}`);
    });
    const revision = await waitEvent('review.revision', (e) => e.proposal === id, 10000, refinedAt);
    if (revision.revision !== 2) throw new Error(`the review shows revision ${revision.revision}`);
    const modified = await waitFor('the diff to show the new revision', async () => {
      const text = await diffSide('modified');
      return text.includes('# twice the sum') && !text.includes('# the perimeter') ? text : undefined;
    }, 10000).catch(async () => {
      throw new Error(`the diff does not show the new revision:\n${await diffSide('modified')}`);
    });
    if (!modified.includes('return w * h  # the area')) throw new Error(`the accepted hunk is gone from the new revision:\n${modified}`);
    const original = await diffSide('original');
    if (!original.includes('# the area')) throw new Error(`the file side lost the accepted hunk:\n${original}`);
    const report = toastWith('Claif: revision 2 of');
    await report.waitFor({ state: 'visible', timeout: 10000 });
    const reportText = (await report.innerText()).replace(/\s+/g, ' ');
    if (!reportText.includes('1 hunk to review, 1 accepted earlier')) throw new Error(`the revision report reads: ${reportText}`);
    // The refine's progress notification is gone once its revision is shown.
    await waitFor('the refine\'s progress to go away', async () => (await page.locator('.notifications-toasts .notification-toast', { hasText: 'call it twice the sum' }).count()) === 0, 10000);
    await shot('refine-new-revision');
    const acceptedAll = Date.now();
    await diffTitleButton('Accept all hunks').click();
    await waitEvent('proposalsChanged', (e) => e.proposals.some((p) => p.id === id && p.state === 'accepted'), 15000, acceptedAll);
    const text = await waitFor('both changes in refine.py', async () => {
      const t = norm(await bufferText());
      return t.includes('return w * h  # the area') && t.includes('return 2 * (w + h)  # twice the sum') ? t : undefined;
    }, 10000);
    if (text.includes('# the perimeter')) throw new Error(`the replaced hunk landed:\n${text}`);
    await waitFor('the diff editor to close', async () => (await diffTabs().count()) === 0, 10000);
    await focusFile('refine.py');
    await page.keyboard.press('Control+S');
    await waitFor('refine.py on disk', () => readFileSync(join(WS, 'refine.py'), 'utf8').includes('# twice the sum'), 10000);
    return { proposal: id, lenses: labels, failure: failureText.slice(0, 160), report: reportText.slice(0, 160), result: done.result };
  });

  await check('partial-answer-shows-the-raw-answer', async () => {
    await clearToasts();
    await openInFirstGroup('partial.py');
    await focusFile('partial.py');
    const disk = readFileSync(join(WS, 'partial.py'), 'utf8');
    const before = norm(await bufferText());
    const asked = await askHere('E2E-PARTIAL: comment both functions');
    const result = await waitEvent('ask.result', undefined, 30000, asked);
    const id = result.result?.proposals?.[0];
    if (!id) throw new Error(`no proposal: ${JSON.stringify(result.result)}`);
    const partial = await waitEvent('review.partial', (e) => e.proposal === id, 15000, asked);
    const warning = toastWith('is a partial answer');
    await warning.waitFor({ state: 'visible', timeout: 10000 });
    const warningText = (await warning.innerText()).replace(/\s+/g, ' ');
    for (const wanted of ['1 hunk could not be placed', 'partial.py hunk 2', 'nothing was applied']) {
      if (!warningText.includes(wanted)) throw new Error(`the warning lacks "${wanted}": ${warningText}`);
    }
    // Never applied by itself: the placed hunk waits for review.
    if (norm(await bufferText()) !== before || readFileSync(join(WS, 'partial.py'), 'utf8') !== disk) throw new Error('the partial answer was applied');
    await waitFor('the placed hunk up for review', async () => (await lensesAbove('return x + 1')).includes('Accept'), 15000);
    await shot('partial-answer-warning');
    const opened = Date.now();
    await warning.locator('.monaco-button', { hasText: 'Show Raw Answer' }).click();
    await waitEvent('answer.raw', (e) => e.proposal === id, 10000, opened);
    const rawTab = page.locator('.tabs-container .tab', { hasText: '(answer, revision 1).md' }).first();
    await rawTab.waitFor({ state: 'visible', timeout: 10000 });
    const rawEditor = page.locator('.editor-group-container', { has: page.locator('.tabs-container .tab.active', { hasText: '(answer, revision 1).md' }) }).locator('.monaco-editor').first();
    const raw = await waitFor('the raw answer in its tab', async () => {
      const t = (await rawEditor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
      return t.includes('return x - 2  # E2E-PARTIAL') ? t : undefined;
    }, 10000);
    // Read-only: typing into it changes nothing.
    await rawEditor.locator('.view-lines').click();
    await page.keyboard.type('typed');
    await page.waitForTimeout(300);
    const after = (await rawEditor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
    if (after.includes('typed')) throw new Error('the raw answer could be edited');
    await shot('partial-raw-answer');
    await rawTab.hover();
    await rawTab.locator('.tab-actions .action-label').first().click();
    partialId = id;
    return { proposal: id, warning: warningText.slice(0, 240), unplaced: partial.unplaced, raw: raw.slice(0, 120) };
  });

  await check('retry-makes-the-next-revision', async () => {
    await clearToasts();
    await openInFirstGroup('retry.py');
    await focusFile('retry.py');
    const before = norm(await bufferText());
    const asked = await askHere('E2E-RETRY: name the constant');
    const result = await waitEvent('ask.result', undefined, 30000, asked);
    const id = result.result?.proposals?.[0];
    if (!id) throw new Error(`no proposal: ${JSON.stringify(result.result)}`);
    await waitEvent('review.diffOpened', (e) => e.proposal === id, 10000, asked);
    await focusFile('retry.py');
    const retried = Date.now();
    await runCommand('Claif: Retry');
    await waitEvent('retry.result', (e) => e.reaction === 'revised' && e.result?.proposals?.[0] === id, 30000, retried).catch(() => {
      throw new Error(`the retry made no revision: ${JSON.stringify(events().filter((e) => e.t >= retried && e.event.startsWith('retry.')))}`);
    });
    const revision = await waitEvent('review.revision', (e) => e.proposal === id, 10000, retried);
    if (revision.revision !== 2) throw new Error(`the review shows revision ${revision.revision}`);
    const report = toastWith('Claif: revision 2 of');
    await report.waitFor({ state: 'visible', timeout: 10000 });
    const reportText = (await report.innerText()).replace(/\s+/g, ' ');
    await waitFor('the diff to show the retried answer', async () => (await diffSide('modified')).includes('LIMIT = 10  # the limit'), 10000);
    const tabs = () => page.locator('.tabs-container .tab', { hasText: 'retry.py ↔ Claif proposal' });
    if ((await tabs().count()) !== 1) throw new Error(`${await tabs().count()} review tabs of retry.py (the retry opened another)`);
    // The file's lenses are the new revision's.
    const fileLenses = await waitFor('the lenses above "LIMIT = 10" in retry.py', async () => {
      const l = await lensesAbove('LIMIT = 10');
      return l.includes('Accept') && l.includes('Refine…') ? l : undefined;
    }, 15000).catch(async (error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await lensesAbove('LIMIT = 10'))}`);
    });
    await shot('retry-next-revision');
    const rejected = Date.now();
    await diffTitleButton('Reject all hunks').click();
    await waitEvent('proposalsChanged', (e) => e.proposals.some((p) => p.id === id && p.state === 'rejected'), 15000, rejected);
    await waitFor('the diff editor to close', async () => (await tabs().count()) === 0, 10000);
    if (norm(await bufferText()) !== before) throw new Error('retry.py changed');
    return { proposal: id, report: reportText.slice(0, 160), fileLenses };
  });

  await check('explain-streams-into-a-rendered-view', async () => {
    // The transcript streams the explanation in five pieces, 600 ms apart.
    await clearToasts();
    await openInFirstGroup('sample.py');
    await focusFile('sample.py', 4);
    const asked = Date.now();
    await runCommand('Claif: Explain');
    const view = page.locator('.tabs-container .tab', { hasText: 'Claif: Explain' }).first();
    // While the answer streams: its view is up with the first words, before the ask answers.
    const streamed = await waitEvent('answer.stream', (e) => e.chars > 0, 30000, asked);
    await view.waitFor({ state: 'visible', timeout: 10000 });
    const frame = page.frameLocator('iframe.webview').last().frameLocator('#active-frame');
    await frame.locator('#answer', { hasText: 'E2E-EXPLAIN' }).first().waitFor({ state: 'visible', timeout: 10000 });
    const early = (await frame.locator('#answer').first().innerText()).trim();
    const status = (await frame.locator('#status').first().innerText()).trim();
    const answeredEarly = events().some((e) => e.event === 'ask.result' && e.t >= asked && e.t <= streamed.t);
    if (answeredEarly) throw new Error('the view opened only once the ask had answered');
    await shot('explain-streaming');
    const result = await waitEvent('ask.result', undefined, 30000, asked);
    if (typeof result.result?.answer !== 'string') throw new Error(`no answer: ${JSON.stringify(result.result)}`);
    await waitEvent('answer.shown', (e) => e.chars === result.result.answer.length, 10000, asked);
    await frame.locator('#answer', { hasText: 'no side effects' }).first().waitFor({ state: 'visible', timeout: 10000 });
    await frame.locator('#answer code', { hasText: 'add' }).first().waitFor({ state: 'visible', timeout: 5000 });
    const final = (await frame.locator('#answer').first().innerText()).trim();
    if (final.length <= early.length) throw new Error(`the view did not grow: "${early}" then "${final}"`);
    if ((await frame.locator('#status').first().innerText()).trim()) throw new Error('the view still says the answer streams');
    if (await page.locator('.tabs-container .tab', { hasText: /answer-.*\.md/ }).count()) throw new Error('the raw answer file is open');
    const views = await page.locator('.tabs-container .tab', { hasText: 'Claif: Explain' }).count();
    if (views !== 1) throw new Error(`${views} answer tabs (the next answer reuses the view)`);
    const stillSource = await firstGroup().locator('.tabs-container .tab.active', { hasText: 'sample.py' }).count();
    if (!stillSource) throw new Error('the answer replaced the source editor');
    const focused = await page.evaluate(() => !!document.activeElement?.closest('.editor-group-container .monaco-editor'));
    if (!focused) throw new Error('the answer took the focus');
    await shot('explain-streamed');
    const updates = events().filter((e) => e.event === 'answer.stream' && e.t >= asked).length;
    return { early: early.slice(0, 80), status, final: final.slice(0, 160), updates };
  });
}

/** A window reload brings back the proposal still open (last: the server checks before it leave no server). */
export async function restoreCheck(h) {
  const { page, check, waitFor, waitEvent, shot, openInFirstGroup, diffTabs, setUserSettings, PYTHON } = h;
  const { toastWith, clearToasts, lensesAbove, diffTitleButton } = helpers(h);
  await check('proposals-restored-after-reload', async () => {
    if (!partialId) throw new Error('no open proposal from partial-answer-shows-the-raw-answer');
    const started = setUserSettings({ 'claif.server.python': PYTHON });
    await waitEvent('server.ready', undefined, 60000, started);
    await clearToasts();
    const reloaded = Date.now();
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await waitEvent('server.ready', undefined, 60000, reloaded);
    const restore = await waitEvent('restore', undefined, 30000, reloaded);
    const back = restore.proposals.find((p) => p.id === partialId);
    if (!back) throw new Error(`the open proposal ${partialId} did not come back: ${JSON.stringify(restore)}`);
    const note = toastWith('from before the reload');
    await note.waitFor({ state: 'visible', timeout: 10000 });
    const noteText = (await note.innerText()).replace(/\s+/g, ' ');
    await openInFirstGroup('partial.py');
    await waitFor('the restored hunk\'s lenses in partial.py', async () => (await lensesAbove('return x + 1')).includes('Accept'), 20000);
    const reviewed = Date.now();
    await note.locator('.monaco-button', { hasText: 'Review' }).click();
    await waitEvent('review.diffOpened', (e) => e.proposal === partialId, 10000, reviewed);
    await shot('restored-after-reload');
    // It still works: reject it, the file is as it was.
    const rejected = Date.now();
    await diffTitleButton('Reject all hunks').click();
    await waitEvent('proposalsChanged', (e) => e.proposals.some((p) => p.id === partialId && p.state === 'rejected'), 15000, rejected);
    await waitFor('the diff editor to close', async () => (await diffTabs().count()) === 0, 10000);
    return { restored: restore.proposals, note: noteText.slice(0, 200) };
  });
}
