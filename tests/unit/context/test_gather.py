"""Budget fitting on real files: what is kept whole, shortened or left out, and in which order."""

from __future__ import annotations

from pathlib import Path

from claif_lsp.context import DiagnosticView
from claif_lsp.context.gather import FILE_WINDOW_SHARE, MIN_PARTIAL_TOKENS
from claif_lsp.context.windows import omitted_marker
from claif_lsp.token_counts import estimate_tokens, format_tokens
from tests.unit.context.workspace import ask, view, write


def lines_text(count: int, width: int = 40) -> str:
    return "".join(f"{i:0{width - 1}d}\n" for i in range(count))


def test_the_selection_goes_even_past_the_budget_and_everything_else_is_cut(tmp_path: Path) -> None:
    path = write(tmp_path, "big.py", lines_text(400))
    context = ask(tmp_path, view(path), 0, 399, budget_tokens=256, related_files=False)
    assert [s.kind for s in context.sections] == ["selection"]
    assert context.selection.tokens > 256
    assert context.cut == [f"file big.py ({format_tokens(estimate_tokens(path.read_text()))} tokens) left out: budget"]


def test_diagnostics_past_the_budget_are_listed_one_by_one(tmp_path: Path) -> None:
    path = write(tmp_path, "a.py", "x = 1\n" * 10)
    many = [DiagnosticView(i % 10, i % 10, f"problem {i} " + "y" * 200) for i in range(30)]
    context = ask(tmp_path, view(path), 0, 9, diagnostics=[*many, many[0]], budget_tokens=1000)
    (section,) = context.of_kind("diagnostics")
    kept = section.text.count("\n") + 1
    dropped = [o for o in context.omissions if o.kind == "diagnostics"]
    assert kept + len(dropped) == 30  # the repeated one counts once
    assert dropped[0].name == f"line {many[kept].start_line + 1}"
    assert context.total_tokens <= 1000


def test_the_file_window_leaves_room_for_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, "big.py", lines_text(2000))
    context = ask(tmp_path, view(path), 1000, 1000, budget_tokens=4000, surrounding_lines=5, related_files=False)
    file_section = context.of_kind("file")[0]
    left = 4000 - context.selection.tokens
    assert file_section.tokens <= int(left * FILE_WINDOW_SHARE) + 1
    assert file_section.partial
    (shortened,) = context.omissions
    assert shortened.shortened and shortened.reason.startswith("budget, ")


def test_a_buffer_too_big_gets_half_of_what_is_left_from_its_top(tmp_path: Path) -> None:
    doc = write(tmp_path, "a.py", "x = 1\n")
    buffer_text = lines_text(1000)
    buffer = view(write(tmp_path, "notes/b.py", buffer_text))
    context = ask(tmp_path, view(doc), open_documents=[buffer], budget_tokens=4000, related_files=False)
    (section,) = context.of_kind("open_buffer")
    left = 4000 - context.selection.tokens - context.of_kind("file")[0].tokens
    assert section.tokens <= left // 2
    assert section.line_ranges[0][0] == 0 and section.partial
    assert section.text.endswith(omitted_marker(1000 - section.line_ranges[0][1] - 1))
    (note,) = context.omissions
    assert note.shortened and note.reason == f"budget, first {section.line_ranges[0][1] + 1} of 1000 lines shown"


def test_below_the_partial_minimum_a_buffer_is_left_out_whole(tmp_path: Path) -> None:
    doc = write(tmp_path, "a.py", lines_text(100))
    buffer = view(write(tmp_path, "notes/b.py", lines_text(200)))
    # The selection is the whole document, so selection and file cost the same.
    budget = estimate_tokens(doc.read_text()) * 2 + MIN_PARTIAL_TOKENS - 10
    context = ask(tmp_path, view(doc), 0, 99, open_documents=[buffer], budget_tokens=budget, related_files=False)
    assert budget - context.total_tokens < MIN_PARTIAL_TOKENS
    assert context.of_kind("open_buffer") == []
    assert [(o.kind, o.name, o.reason, o.shortened) for o in context.omissions] == [
        ("open_buffer", "notes/b.py", "budget", False)
    ]


def test_blank_buffers_are_skipped_silently(tmp_path: Path) -> None:
    doc = write(tmp_path, "a.py", "x = 1\n")
    blank = view(write(tmp_path, "b.py", ""), "\n  \n")
    context = ask(tmp_path, view(doc), open_documents=[blank], related_files=False)
    assert context.of_kind("open_buffer") == [] and context.omissions == []


def test_buffers_go_related_first_then_same_folder_then_the_rest(tmp_path: Path) -> None:
    doc = write(tmp_path, "pkg/main.py", "import dep\n")
    far = view(write(tmp_path, "other/far.py", "far = 1\n"))
    near = view(write(tmp_path, "pkg/near.txt", "near = 1\n"))
    dep = view(write(tmp_path, "pkg/dep.py", "dep = 1\n"))
    context = ask(tmp_path, view(doc), open_documents=[far, near, dep])
    assert [s.path for s in context.of_kind("open_buffer")] == ["pkg/dep.py", "pkg/near.txt", "other/far.py"]
    # An open related file is sent once, as a buffer.
    assert context.of_kind("related_file") == []


def test_every_budget_is_kept_once_the_selection_fits(tmp_path: Path) -> None:
    doc = write(tmp_path, "pkg/main.py", "import dep\n" + lines_text(3000))
    write(tmp_path, "pkg/dep.py", lines_text(500))
    buffers = [view(write(tmp_path, f"pkg/b{i}.py", lines_text(300 * (i + 1)))) for i in range(4)]
    for budget in (256, 500, 1000, 3000, 10_000, 50_000):
        context = ask(tmp_path, view(doc), 1500, 1510, open_documents=buffers, budget_tokens=budget)
        assert context.total_tokens <= budget, budget
        assert sum(s.tokens for s in context.sections) == context.total_tokens
