"""An instruction written as a ``claif:`` comment inside the selection, in any common comment syntax."""

from __future__ import annotations

import pytest

from claif_lsp.core.instructions import find_comment_instruction, with_comment_removed
from claif_lsp.protocol.models import AskEditResult
from tests.unit.core.conftest import TEXT, World, codex_patch


@pytest.mark.parametrize(
    "line",
    [
        "# claif: make it faster",
        "    // claif: make it faster",
        "-- claif: make it faster",
        "; claif: make it faster",
        "/* claif: make it faster */",
        "<!-- claif: make it faster -->",
        '" claif: make it faster',
        "% CLAIF: make it faster",
    ],
)
def test_each_comment_syntax_carries_the_instruction(line: str) -> None:
    found = find_comment_instruction(f"x = 1\n{line}\ny = 2\n", 0, 2)
    assert found is not None and found.text == "make it faster" and found.line == 1


def test_only_inside_the_selection_and_only_in_a_comment() -> None:
    text = "# claif: outside\nx = 1\nprint('claif: not a comment')\n# claif:\n"
    assert find_comment_instruction(text, 1, 3) is None
    found = find_comment_instruction(text, 0, 3)
    assert found is not None and found.text == "outside"


def test_the_model_is_told_to_delete_the_comment() -> None:
    found = find_comment_instruction("# claif: shout\n", 0, 0)
    assert found is not None
    assert with_comment_removed(found).startswith("shout\n") and "`# claif: shout`" in with_comment_removed(found)


async def test_an_ask_without_instruction_takes_the_comment_and_asks_nobody(world: World) -> None:
    text = "# claif: mark line 3 checked\n" + TEXT
    world.editor.documents.edit(world.app, text)
    world.editor.user.choice = None  # a picker shown would cancel the ask
    world.answer({"action": "ask", "match": "mark line 3 checked", "answer": codex_patch(3)})

    outcome = await world.ask().run(world.request("ask"))

    assert outcome == AskEditResult(proposals=["p1"], errors=[])
    assert world.state.proposals.get("p1").title == "Replay: mark line 3 checked"
