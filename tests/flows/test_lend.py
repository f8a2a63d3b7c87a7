"""Task inputs are lent: the task body reads them, the caller takes them back when it returns."""

from __future__ import annotations

import pytest

from flows.tasks import Lent, lend


def test_a_lent_input_is_read_in_the_call_and_taken_back_after_it() -> None:
    seen: list[Lent[list[int]]] = []

    def body(values: Lent[list[int]], *, scale: int) -> int:
        seen.append(values)
        return sum(values.get()) * scale

    assert lend(body, [1, 2, 3], scale=2) == 12
    with pytest.raises(RuntimeError, match="after its task run"):
        seen[0].get()


def test_a_failing_call_gives_its_inputs_back_too() -> None:
    seen: list[Lent[str]] = []

    def body(text: Lent[str]) -> None:
        seen.append(text)
        raise ValueError(text.get())

    with pytest.raises(ValueError, match="draft"):
        lend(body, "draft")
    with pytest.raises(RuntimeError):
        seen[0].get()
