"""Government shorthand and its long forms, from a data file, for query expansion.

The table lives in `indexer/data/synonyms.txt` (one group a line, the form
the documents use first), so that a deployment extends it without touching
code. A group whose first word starts with "=" maps question words
("谁负责", "哪位区领导") to the field labels passages carry in their search
text ("牵头单位", "分管领导").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Synonyms:
    groups: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    labels: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    @classmethod
    def load(cls, path: Path | None = None) -> Synonyms:
        text = path.read_text(encoding="utf-8") if path else resources.files("indexer.data").joinpath("synonyms.txt").read_text(encoding="utf-8")
        groups, labels = [], []
        for line in text.splitlines():
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            if words[0].startswith("="):
                labels.append((words[0][1:], *words[1:]))
            else:
                groups.append(tuple(words))
        return cls(tuple(groups), tuple(labels))

    def terms(self) -> set[str]:
        return {w for group in self.groups + self.labels for w in group}

    def expand(self, question: str) -> tuple[list[str], list[str]]:
        """(extra words for the keyword side, canonical forms to append for the dense side)."""
        extra, canonical = [], []
        for group in self.groups:
            if any(w in question for w in group):
                extra.extend(w for w in group if w not in question)
                if group[0] not in question:
                    canonical.append(group[0])
        for label, *cues in self.labels:
            if any(c in question for c in cues):
                extra.append(label)
        return extra, canonical
