"""The user guides' YAML blocks are valid YAML, and their full standard example loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tierwise
from tierwise.spec._yaml import read_yaml

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("guide", ["language.zh.md", "language.en.md"])
def test_every_yaml_block_of_the_guide_reads(guide: str) -> None:
    text = (DOCS / guide).read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 11
    for block in blocks:
        located, problems = read_yaml(block.replace("{...}", "{}"), guide)
        assert located is not None, block
        assert not problems, block


@pytest.mark.parametrize("guide", ["language.zh.md", "language.en.md"])
def test_every_grader_example_of_the_guide_validates(guide: str) -> None:
    text = (DOCS / guide).read_text(encoding="utf-8")
    head = 'tierwise: 1\nid: doc\nname: doc\nversion: "1"\n'
    checked = 0
    for block in re.findall(r"```yaml\n(grade:\n.*?)```", text, flags=re.S):
        if "# …" in block:
            continue  # the scorecard example elides six criteria
        located, _ = read_yaml(block, guide)
        assert located is not None
        labels = sorted(
            set(re.findall(r"grade: ([^,}\s]+)", block))
            | set(re.findall(r"(?:then|otherwise): ([^{\s][^,}\n]*)", block))
            | set(re.findall(r": (大型|中型|小型)", block))
            | {g.strip() for listed in re.findall(r"segments: \[([^\]]*)\]", block) for g in listed.split(",")}
        )
        labels = [label for label in labels if label not in ("{", "")]
        document = head + f"grades: [{', '.join(labels)}]\n" + block
        if "{standard:" in block:
            continue  # needs the referenced standard's file; covered by the LANGUAGE.md tests
        tierwise.loads_standard(document, file=guide)
        checked += 1
    assert checked >= 6


ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("reference", ["reference.zh.md", "reference.en.md"])
def test_the_normative_reference_is_in_the_repository_and_every_example_reads(reference: str) -> None:
    text = (DOCS / reference).read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 12
    for block in blocks:
        located, problems = read_yaml(block, reference)
        assert located is not None, block
        assert not problems, block
    full = tierwise.loads_standard(blocks[0], file=reference)  # §2: a whole standard file
    assert full.id == "annual-sales"


def test_both_references_carry_the_same_examples() -> None:
    zh, en = ((DOCS / f"reference.{lang}.md").read_text(encoding="utf-8") for lang in ("zh", "en"))
    assert re.findall(r"```yaml\n(.*?)```", zh, flags=re.S) == re.findall(r"```yaml\n(.*?)```", en, flags=re.S)


def test_every_file_the_readme_and_docs_link_to_is_in_the_repository() -> None:
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+)\)", text):
            assert (page.parent / target).exists(), f"{page.name} links to {target}, which is not in the repository"
        assert "LANGUAGE.md" not in text, f"{page.name} names a file outside the repository"
