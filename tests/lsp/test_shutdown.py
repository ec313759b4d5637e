"""End to end: ``shutdown`` while asks stream cancels them, waits for them, and answers null.

pygls' own shutdown iterated its request table while cancelling, and cancelling removes entries, so a
shutdown with asks in flight answered InternalError ("dictionary changed size during iteration").
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.fakes.helpers import async_wait_until
from tests.lsp import scenario
from tests.lsp.conftest import start_client

WAIT = 60.0


async def test_shutdown_while_asks_stream_answers_null(editor: str, workspace: Path, tmp_path: Path) -> None:
    uri = scenario.make_project(workspace).as_uri()
    slow = ["*** Begin Patch\n"] + [f"# line {i}\n" for i in range(600)]
    transcript = scenario.write_transcript(tmp_path / "slow.jsonl", [{"chunks": slow, "delayMs": 100}])
    client, _ = await start_client(editor, workspace, settings=scenario.replay_settings(transcript))
    try:
        client.open_document(uri, scenario.SAMPLE)
        asks = []
        for n in range(2):
            arguments = [{"uri": uri, "range": scenario.whole_range(), "instruction": f"tidy {n}"}]
            params = types.ExecuteCommandParams(command="claif.ask", arguments=arguments)
            asks.append(asyncio.wrap_future(client.protocol.send_request(types.WORKSPACE_EXECUTE_COMMAND, params)))

        def streaming() -> bool:
            reports = [v for vs in client.progress_reports.values() for v in vs]
            return sum(isinstance(v, types.WorkDoneProgressReport) for v in reports) >= 2

        assert await async_wait_until(streaming, timeout=WAIT), "both asks started streaming"
        assert await asyncio.wait_for(client.shutdown_async(None), WAIT) is None
        for ask in asks:
            with pytest.raises(JsonRpcException) as outcome:
                await asyncio.wait_for(ask, WAIT)
            assert outcome.value.code == -32800, "each running ask was cancelled"
        ends = [v for vs in client.progress_reports.values() for v in vs if isinstance(v, types.WorkDoneProgressEnd)]
        assert [e.message for e in ends] == ["cancelled", "cancelled"]
        errors = [m.message for m in client.log_messages if m.type == types.MessageType.Error]
        assert errors == []
        client.exit(None)
    finally:
        await client.stop()
