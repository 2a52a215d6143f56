"""Reading documents: every format gives headings, paragraphs and properties; bad files
give one clear problem naming the file and what is expected. No embeddings needed."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from knowledge.chunking import chunk_blocks
from knowledge.readers import Block, read_bytes, read_document
from tests.knowledge.files import make_docx, make_pdf
from tools.errors import DataError

MARKDOWN = """---
doc_id: cash-policy
title: Cash Policy
version: "2.0"
effective_date: 2024-07-01
owner: Group Treasurer
---
# Cash Policy

## 1. Minimum cash

US01 keeps at least USD 1,250,000.

### 1.1 Breach

Treasury draws on the facility.

```text
# not a heading inside a code fence
```
"""


def test_markdown_front_matter_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "cash.md"
    path.write_text(MARKDOWN)
    doc = read_document(path)
    assert doc.properties["doc_id"] == "cash-policy"
    assert doc.properties["version"] == "2.0"
    assert doc.properties["owner"] == "Group Treasurer"
    headings = [(b.level, b.text) for b in doc.blocks if b.level]
    assert headings == [(1, "Cash Policy"), (2, "1. Minimum cash"), (3, "1.1 Breach")]
    chunks = chunk_blocks(doc.blocks)
    assert [c.section for c in chunks] == [
        ("Cash Policy", "1. Minimum cash"),
        ("Cash Policy", "1. Minimum cash", "1.1 Breach"),
    ]
    assert "# not a heading" in chunks[1].body


def test_plain_text_numbered_headings_and_header_fields(tmp_path: Path) -> None:
    path = tmp_path / "memo.txt"
    path.write_text(
        "Credit Memo\nVersion: 1.2\nEffective date: 2024-03-01\nOwner: Credit Control\n\n"
        "1. Scope\nApplies to all customers.\n\n2.1 Limits\nLimits are reviewed every 90 days.\n"
    )
    doc = read_document(path)
    assert doc.properties["version"] == "1.2"
    assert doc.properties["effective_date"] == "2024-03-01"
    assert [(b.level, b.text) for b in doc.blocks if b.level] == [
        (1, "1. Scope"),
        (2, "2.1 Limits"),
    ]


def test_html_headings_tables_and_meta(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Dunning Guide</title><meta name='version' content='3'>"
        "<meta name='effective-date' content='2024-01-15'><script>var x = 1;</script></head>"
        "<body><nav>Home | About</nav><h1>Dunning</h1><p>Stage one after <b>7 days</b>.</p>"
        "<table><tr><th>Stage</th><th>Days</th></tr><tr><td>2</td><td>21</td></tr></table>"
        "</body></html>"
    )
    doc = read_document(path)
    assert doc.properties == {
        "version": "3",
        "effective_date": "2024-01-15",
        "title": "Dunning Guide",
    }
    texts = [b.text for b in doc.blocks]
    assert texts == ["Dunning", "Stage one after 7 days.", "Stage | Days", "2 | 21"]
    assert "var x" not in " ".join(texts) and "About" not in " ".join(texts)


def test_pdf_text_and_properties(tmp_path: Path) -> None:
    path = tmp_path / "policy.pdf"
    path.write_bytes(
        make_pdf(
            ["1. Purpose", "Cash is invested safely.", "2. Limits", "Deposits up to 92 days."],
            metadata={"/Title": "Investment Rules", "/Author": "Treasury", "/Version": "5"},
        )
    )
    doc = read_document(path)
    assert doc.properties["title"] == "Investment Rules"
    assert doc.properties["owner"] == "Treasury"
    assert doc.properties["version"] == "5"
    assert [b.text for b in doc.blocks if b.level] == ["1. Purpose", "2. Limits"]


def test_docx_heading_styles_and_core_properties(tmp_path: Path) -> None:
    path = tmp_path / "ap.docx"
    path.write_bytes(
        make_docx(
            [
                (1, "Payment Runs"),
                (None, "Runs on Tuesdays and Fridays."),
                (2, "Approvals"),
                (None, "Two approvers above USD 250,000."),
            ],
            title="AP Handbook",
            author="AP Manager",
            version="1.3",
        )
    )
    doc = read_document(path)
    assert doc.properties["title"] == "AP Handbook"
    assert doc.properties["version"] == "1.3"
    assert doc.properties["owner"] == "AP Manager"
    assert [(b.level, b.text) for b in doc.blocks if b.level] == [
        (1, "Payment Runs"),
        (2, "Approvals"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        # a type nobody can read as a document
        ("data.xlsx", b"PK\x03\x04", "unsupported file type '.xlsx'"),
        # empty and whitespace-only files
        ("empty.md", b"", "file is empty"),
        ("blank.txt", b"  \n\n ", "file is empty"),
        # bytes that are not a PDF / not a Word file
        ("broken.pdf", b"%PDF-1.4 garbage without objects", "not a readable PDF"),
        ("broken.docx", b"not a zip at all", "not a readable Word document"),
        # headings only: nothing to retrieve
        ("headings.md", b"# Title\n## Section\n", "no text besides headings"),
        # front matter that is not YAML
        ("bad.md", b"---\ntitle: [unclosed\n---\nbody\n", "front matter is not valid YAML"),
    ],
)
def test_bad_files_name_the_file_and_the_fix(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError) as err:
        read_document(path)
    problem = err.value.problems[0]
    assert problem.file == str(path)
    assert message in problem.message
    assert problem.expected


def test_encrypted_and_image_only_pdfs_are_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(make_pdf(["Secret limits"], password="s3cret"))
    with pytest.raises(DataError, match="password-protected"):
        read_document(locked)
    scanned = tmp_path / "scan.pdf"
    scanned.write_bytes(make_pdf([]))
    with pytest.raises(DataError, match="no text layer") as err:
        read_document(scanned)
    assert "OCR" in (err.value.problems[0].expected or "")


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("cash " * 300_000)  # about 1.5 MB
    with pytest.raises(DataError, match=r"over the 1 MB limit"):
        read_bytes(path, max_mb=1)
    assert read_bytes(path, max_mb=2)


def test_long_sections_split_with_overlap_never_across_headings() -> None:
    words = [f"w{i}" for i in range(400)]
    blocks = [
        Block("A", level=1),
        Block(" ".join(words[:200]) + "."),
        Block(" ".join(words[200:]) + "."),
        Block("B", level=1),
        Block("short text."),
    ]
    chunks = chunk_blocks(blocks, max_words=150, overlap_words=20)
    in_a = [c for c in chunks if c.section == ("A",)]
    assert len(in_a) >= 3
    for first, second in itertools.pairwise(in_a):
        tail = first.body.split()[-20:]
        assert " ".join(tail) in second.body  # the overlap carries the previous tail
    assert all(len(c.body.split()) <= 150 + 21 for c in chunks)
    assert chunks[-1].section == ("B",) and chunks[-1].body == "short text."


def test_damaged_word_package_is_refused(tmp_path: Path) -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")  # cut off mid-tag
    path = tmp_path / "damaged.docx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(DataError, match="not a readable Word document"):
        read_document(path)
