"""lsp_edits counts columns in each encoding exactly as pygls' PositionCodec does, whose place it took."""

from __future__ import annotations

import pytest
from pygls.workspace.position_codec import PositionCodec

from claif_lsp.lsp_edits import _code_units, hunk_range
from claif_lsp.patches import Hunk

LINES = ["x = 'é😀'  # ü\n", "日本語 = 2\n", "plain\n", "\ufeffbom 😋\n"]
# The last: the string pygls' encoding became when str() was applied to the enum member; pygls counts it as UTF-16.
ENCODINGS = ["utf-8", "utf-16", "utf-32", "PositionEncodingKind.Utf8"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_prefix_counts_as_pygls_counts_it(encoding: str) -> None:
    codec = PositionCodec(encoding)
    for line in LINES:
        for end in range(len(line) + 1):
            assert _code_units(line[:end], encoding) == codec.client_num_units(line[:end]), (encoding, line[:end])


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_hunk_range_ends_where_pygls_puts_the_end_of_its_line(encoding: str) -> None:
    codec = PositionCodec(encoding)
    for number, line in enumerate(LINES[1:], start=1):
        hunk = Hunk(id="h", index=1, start_line=number, end_line=number + 1, old_lines=[line.rstrip("\n")])
        end = hunk_range("".join(LINES), hunk, encoding).end
        assert end.character == codec.client_num_units(line.rstrip("\n")), (encoding, line)
