"""A seeded corpus of damaged and hostile inputs, made from a real filled U4SSC workbook and its tidy CSV.

`build(folder, seed)` writes every case and returns them; the same seed gives the same bytes. Each
case says which kind of damage it is and, for a cell that holds something the readers must refuse,
the location the error must carry (sheet and cell in a workbook, row and column in a CSV). Most
workbook cases rewrite the zip or one XML part of it directly (milliseconds each) rather than
through openpyxl, so that damage openpyxl would never write can be made too.

Run `python tests/hostile/corpus.py FOLDER` to write the corpus for a look at it.
"""

from __future__ import annotations

import json
import random
import re
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from citykpi.collect.fill import write_filled
from citykpi.collect.layout import SHEET_COLUMNS
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import CITIES
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.framework.model import ValueKind
from citykpi.model.submission import Submission

COLUMN = {c.key: get_column_letter(i + 1) for i, c in enumerate(SHEET_COLUMNS)}
COVER = {"city": "B4", "country": "B5", "year": "B6", "population": "B7", "currency": "B11"}
CONTROLS = [chr(c) for c in range(32)]
UNICODE_DIGITS = ["²", "①", "³ - Extrapolated", "٣", "３", "1²", "⁴", "᠑", "𝟙"]
NOT_FINITE = ["NaN", "nan", "inf", "-Infinity", "1e309", "-1e999", "9" * 5000]
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)


@dataclass(frozen=True)
class Case:
    kind: str  # truncation, bit-flip, zip-structure, xml, cell, csv, csv-cell, datapackage, zip-bomb...
    name: str
    path: Path
    at: dict[str, object] | None = None  # location fields an error of the report must have
    expect_valid: bool | None = None  # None: either outcome is right, as long as it is a clean one


@dataclass
class Base:
    """The valid inputs every case is made from, and where their cells are."""

    workbook: bytes
    csv: str
    sheet_parts: dict[str, str]  # sheet name -> part name in the zip
    number_cells: list[tuple[str, int]]  # (sheet, row) of reported number values
    rows: list[tuple[str, int]] = field(default_factory=list)  # (sheet, row) of every reported entry


def make_base(folder: Path) -> Base:
    catalogue = Catalogue.load()
    submission: Submission = generate(list(catalogue.kpis.values()), CITIES[0], 2024)
    workbook = folder / "base.xlsx"
    write_filled(catalogue, submission, workbook)
    write_csv(submission, folder / "base.csv")
    wb = openpyxl.load_workbook(workbook, read_only=True)
    parts = {name: f"xl/worksheets/sheet{i}.xml" for i, name in enumerate(wb.sheetnames, start=1)}
    kinds = {(e.kpi, e.kind.value, e.name): e for e in submission.entries}
    numbers, rows = [], []
    for ws in wb.worksheets:
        for number, row in enumerate(ws.iter_rows(min_row=4, max_col=4, values_only=True), start=4):
            entry = kinds.get(tuple(row[0:1] + row[2:4])) if len(row) >= 4 else None
            if entry is None:
                continue
            rows.append((ws.title, number))
            spec = catalogue.kpis[entry.kpi]
            kind = next((i.kind for i in spec.inputs if i.name == entry.name), None) or next(
                (p.kind for p in spec.data_points if p.key == entry.name), None
            )
            if isinstance(entry.value, float) and kind in (ValueKind.NUMBER, ValueKind.INTEGER):
                numbers.append((ws.title, number))
    wb.close()
    return Base(workbook.read_bytes(), (folder / "base.csv").read_text(encoding="utf-8"), parts, numbers, rows)


class Builder:
    def __init__(self, folder: Path, base: Base, seed: int) -> None:
        self.folder, self.base, self.rng = folder, base, random.Random(seed)
        self.cases: list[Case] = []
        with zipfile.ZipFile(_bytes_io(base.workbook)) as z:
            self.members = [(info, z.read(info.filename)) for info in z.infolist()]

    def add(self, kind: str, name: str, data: bytes, suffix: str = ".xlsx", **extra: object) -> None:
        path = self.folder / f"{len(self.cases):04d}-{kind}{suffix}"
        path.write_bytes(data)
        self.cases.append(Case(kind, name, path, **extra))  # type: ignore[arg-type]

    def part(self, name: str) -> bytes:
        return next(data for info, data in self.members if info.filename == name)

    def with_parts(self, changes: dict[str, bytes | None], extra: list[tuple[str, bytes]] = ()) -> bytes:
        """The workbook with parts replaced (None: removed) and parts added, written by zipfile."""
        out = _bytes_io()
        with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            warnings.simplefilter("ignore")  # duplicate names are one of the games
            for info, data in self.members:
                new = changes.get(info.filename, data)
                if new is not None:
                    z.writestr(info.filename, new)
            for name, data in extra:
                z.writestr(name, data)
        return out.getvalue()

    def with_cell(self, sheet: str, ref: str, cell_xml: str) -> bytes:
        part = self.base.sheet_parts[sheet]
        xml = self.part(part).decode()
        pattern = re.compile(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)')
        assert pattern.search(xml), (sheet, ref)
        return self.with_parts({part: pattern.sub(lambda _: cell_xml.replace("REF", ref), xml, count=1).encode()})


def _bytes_io(data: bytes = b""):  # type: ignore[no-untyped-def]
    import io

    return io.BytesIO(data)


def text_cell(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="REF" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'


def escaped_control(text: str) -> str:
    """How Excel writes a control character in XML (`_x0001_`): the only form a valid part can hold."""
    return "".join(f"_x{ord(c):04X}_" if ord(c) < 32 and c not in "\t\n\r" else c for c in text)


# -- zip damage ------------------------------------------------------------------------------------


def truncations(b: Builder, count: int) -> None:
    data = b.base.workbook
    for i in range(count):
        cut = 1 + (i * len(data)) // count if i % 2 else b.rng.randrange(1, len(data))
        b.add("truncation", f"first {cut} of {len(data)} bytes", data[:cut], expect_valid=False)


def bit_flips(b: Builder, count: int) -> None:
    for _ in range(count):
        data = bytearray(b.base.workbook)
        flips = [b.rng.randrange(len(data)) for _ in range(b.rng.randint(1, 4))]
        for pos in flips:
            data[pos] ^= 1 << b.rng.randrange(8)
        b.add("bit-flip", f"bits flipped at {flips}", bytes(data))


def overwrites(b: Builder, count: int) -> None:
    for _ in range(count):
        data = bytearray(b.base.workbook)
        start, length = b.rng.randrange(len(data)), b.rng.randint(1, 64)
        fill = b.rng.choice([b"\x00", b"\xff", b"PK", bytes([b.rng.randrange(256)])])
        data[start : start + length] = (fill * length)[: len(data[start : start + length])]
        b.add("overwrite", f"{length} bytes at {start} overwritten with {fill!r}", bytes(data))


def _central_entries(data: bytes) -> list[int]:
    return [m.start() for m in re.finditer(rb"PK\x01\x02", data)]


def _patched(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def zip_games(b: Builder) -> None:
    data = b.base.workbook
    for info, _ in b.members:
        b.add("zip-structure", f"member {info.filename} missing", b.with_parts({info.filename: None}))
    for info, content in b.members[::2]:
        b.add("zip-structure", f"member {info.filename} twice", b.with_parts({}, [(info.filename, content[::-1])]))
    for info, content in b.members[1::2]:
        b.add(
            "zip-structure",
            f"member {info.filename} renamed",
            b.with_parts({info.filename: None}, [(info.filename.upper() + ".bak", content)]),
        )
    entries = _central_entries(data)
    fields = (  # (what, offset in a central directory entry, struct format, value)
        ("version 8.4", 6, "<H", 84), ("encrypted flag", 8, "<H", 1), ("bzip2 method", 10, "<H", 12),
        ("lzma method", 10, "<H", 14), ("AES method", 10, "<H", 99), ("stored method", 10, "<H", 0),
        ("wrong crc", 16, "<I", 0xDEADBEEF), ("compressed size 1", 20, "<I", 1), ("size 0", 24, "<I", 0),
        ("compressed size huge", 20, "<I", 0x7FFFFFFF), ("size doubled", 24, "<I", 250_000),
        ("size huge", 24, "<I", 0xFFFFFFFF), ("offset wrong", 42, "<I", 7),
    )  # fmt: skip
    for label, offset, fmt, value in fields:
        for entry in b.rng.sample(entries, 3):
            b.add(
                "zip-structure",
                f"{label} in the directory entry at {entry}",
                _patched(data, entry + offset, fmt, value),
            )
    out = _bytes_io()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, content in b.members:
            with z.open(info.filename, "w", force_zip64=True) as handle:
                handle.write(content)
    b.add("zip-structure", "every member with ZIP64 headers", out.getvalue(), expect_valid=True)
    for name in [
        "../../evil.xml",
        "/etc/passwd",
        "C:\\evil.xml",
        "xl/../../evil.xml",
        "xl/worksheets/sheet3.xml\x00.txt",
        "xl/" + "a" * 300,
    ]:
        b.add("zip-structure", f"extra member named {name!r}", b.with_parts({}, [(name, b"<x/>")]))
    b.add(
        "zip-structure",
        "no members at all",
        b.with_parts({info.filename: None for info, _ in b.members}),
        expect_valid=False,
    )
    b.add(
        "zip-structure",
        "6,000 members",
        b.with_parts({}, [(f"xl/media/{i}.xml", b"") for i in range(6000)]),
        expect_valid=False,
    )


# -- XML parts -------------------------------------------------------------------------------------


def xml_parts(b: Builder) -> None:
    sheet = b.base.sheet_parts["Economy"]
    for part in ["xl/workbook.xml", sheet, "xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"]:
        xml = b.part(part)
        body = xml.split(b"?>", 1)[-1] if xml.startswith(b"<?xml") else xml
        b.add(
            "xml",
            f"billion laughs in {part}",
            b.with_parts({part: LAUGHS.encode() + body.replace(b"<", b"&lol4;<", 1)}),
            expect_valid=False,
        )
        b.add(
            "xml",
            f"external entity in {part}",
            b.with_parts({part: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + body}),
            expect_valid=False,
        )
        b.add(
            "xml",
            f"{part} as UTF-16",
            b.with_parts(
                {part: '<?xml version="1.0" encoding="UTF-16"?>'.encode("utf-16") + body.decode().encode("utf-16")[2:]}
            ),
        )
        b.add("xml", f"{part} cut in half", b.with_parts({part: xml[: len(xml) // 2]}), expect_valid=False)
        b.add(
            "xml", f"{part} with a stray '<'", b.with_parts({part: xml.replace(b"><", b"><<", 1)}), expect_valid=False
        )
        b.add("xml", f"{part} with a literal control byte", b.with_parts({part: xml.replace(b"><", b">\x01<", 1)}))
        b.add("xml", f"{part} empty", b.with_parts({part: b""}), expect_valid=False)
        b.add("xml", f"{part} random bytes", b.with_parts({part: b.rng.randbytes(2000)}), expect_valid=False)
    xml = b.part(sheet).decode()
    far = xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    b.add("xml", "a cell at XFD1048576", b.with_parts({sheet: far.encode()}))
    b.add(
        "xml",
        "dimension claims the whole sheet",
        b.with_parts({sheet: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD1048576"', xml).encode()}),
    )
    b.add("xml", "rows out of order", b.with_parts({sheet: xml.replace('<row r="7"', '<row r="3000"', 1).encode()}))
    b.add("xml", "a row numbered 0", b.with_parts({sheet: xml.replace('<row r="7"', '<row r="0"', 1).encode()}))
    b.add("xml", "a cell reference ZZZZ1", b.with_parts({sheet: xml.replace('r="I7"', 'r="ZZZZ1"', 1).encode()}))
    b.add("xml", "a cell without reference", b.with_parts({sheet: xml.replace(' r="I7"', "", 1).encode()}))
    b.add(
        "xml", "a shared string index out of range", b.with_cell("Economy", "I7", '<c r="REF" t="s"><v>99999</v></c>')
    )
    b.add(
        "xml",
        "namespace prefixes",
        b.with_parts(
            {
                sheet: xml.replace("<c ", "<x:c ")
                .replace("</c>", "</x:c>")
                .replace(
                    "<worksheet ", '<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ', 1
                )
                .encode()
            }
        ),
    )
    head = xml[xml.index("<row ") : xml.index('<row r="4"')]  # the title and header rows
    big = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(4, 150_000))
    huge = re.sub(r"<sheetData>.*</sheetData>", lambda _: f"<sheetData>{head}{big}</sheetData>", xml, flags=re.S)
    b.add("xml", "a sheet of 150,000 rows", b.with_parts({sheet: huge.encode()}), expect_valid=False)
    workbook = b.part("xl/workbook.xml").decode()
    b.add(
        "xml",
        "the Economy sheet deleted from the workbook",
        b.with_parts({"xl/workbook.xml": re.sub(r'<sheet name="Economy"[^>]*/>', "", workbook).encode()}),
        expect_valid=False,
    )
    b.add(
        "xml",
        "two sheets of one name",
        b.with_parts({"xl/workbook.xml": workbook.replace('name="Environment"', 'name="Economy"').encode()}),
    )
    b.add(
        "xml",
        "merged cells over a value",
        b.with_parts(
            {
                sheet: xml.replace(
                    "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="I5:O9"/></mergeCells>'
                ).encode()
            }
        ),
    )


# -- cell semantics --------------------------------------------------------------------------------


def cell_semantics(b: Builder) -> None:
    """Each hostile value in cells of each kind; `at` where the readers must refuse it."""
    value_cells = [(s, f"{COLUMN['value']}{r}") for s, r in b.rng.sample(b.base.number_cells, 1)]
    quality_cells = [(s, f"{COLUMN['quality']}{r}") for s, r in b.rng.sample(b.base.rows, 1)]
    text_cells = [
        (s, f"{COLUMN[c]}{r}") for c in ("notes", "source", "origin") for s, r in b.rng.sample(b.base.rows, 1)
    ]
    cover_text = [("Cover", COVER["city"]), ("Cover", COVER["country"])]
    cover_number = [("Cover", COVER["population"])]
    numbers = value_cells + cover_number
    hostile: dict[str, str] = {
        "formula": '<c r="REF"><f>B2*2</f><v>3</v></c>',
        "date": '<c r="REF" t="d"><v>2024-01-01T00:00:00</v></c>',
        "logical": '<c r="REF" t="b"><v>1</v></c>',
        "error value": '<c r="REF" t="e"><v>#DIV/0!</v></c>',
        "number 1e309": '<c r="REF"><v>1e309</v></c>',
        "5,000-digit number": f'<c r="REF"><v>{"9" * 5000}</v></c>',
        "number that is not one": '<c r="REF"><v>twelve</v></c>',
        **{f"text {t[:12]!r}": text_cell(t) for t in NOT_FINITE + UNICODE_DIGITS},
        "40,000 characters": text_cell("a" * 40_000),
        "unit": text_cell("45 %"),
    }
    for label, xml in hostile.items():
        for sheet, ref in numbers + quality_cells:
            b.add("cell", f"{label} in {sheet}!{ref}", b.with_cell(sheet, ref, xml), at={"sheet": sheet, "cell": ref})
        for sheet, ref in text_cells[:1] + cover_text[:1]:
            must = label in ("formula", "40,000 characters")
            b.add(
                "cell",
                f"{label} in {sheet}!{ref}",
                b.with_cell(sheet, ref, xml),
                at={"sheet": sheet, "cell": ref} if must else None,
            )
    for char in CONTROLS:
        for sheet, ref in text_cells + cover_text:
            allowed = char in "\t\n\r" and sheet != "Cover"
            typed = f"a{char}b"
            xml = text_cell(typed if char in "\t\n\r" else escaped_control(typed))
            at = None if allowed else {"sheet": sheet, "cell": ref}
            b.add("cell", f"U+{ord(char):04X} in {sheet}!{ref}", b.with_cell(sheet, ref, xml), at=at)
    for sheet, ref in text_cells[:1] + cover_text[:1]:
        b.add("cell", f"32,767 characters in {sheet}!{ref}", b.with_cell(sheet, ref, text_cell("é" * 32_767)))
        for neutral in ('\'=HYPERLINK("x")', "'+1", "'-cmd", "'@SUM(A1)"):
            b.add("cell", f"quoted {neutral} in {sheet}!{ref}", b.with_cell(sheet, ref, text_cell(neutral)))


# -- tidy CSV --------------------------------------------------------------------------------------


def csv_cases(b: Builder) -> None:
    text = b.base.csv
    lines = text.splitlines()
    header, rows = lines[0].split(","), lines[1:]
    col = {name: i for i, name in enumerate(header)}
    add = lambda name, data, **kw: b.add("csv", name, data, ".csv", **kw)  # noqa: E731
    for encoding in ("utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1", "mac-roman"):
        add(f"encoded {encoding}", text.replace("Vellmarsk", "Zürich-Vellmarsk").encode(encoding, "replace"))
    add(
        "invalid UTF-8 at row 5",
        "\n".join(lines[:4]).encode() + b"\n\xff\xfe\x80," + "\n".join(lines[4:]).encode(),
        expect_valid=False,
    )
    add("NUL bytes", text.replace(",", ",\x00", 3).encode())
    for delimiter in (";", "\t", "|", " "):
        add(f"delimiter {delimiter!r}", text.replace(",", delimiter).encode())
    add("an unclosed quote", (text[:500] + '"' + text[500:]).encode())
    add("quotes inside fields", text.replace(",value,", ',"va""lue",', 5).encode())
    add("line breaks inside quoted fields", text.replace(",value,", ',"val\nue",', 3).encode())
    add("CR line ends", text.replace("\n", "\r").encode())
    add("a field of 200,000 characters", (text + lines[1] + "x" * 200_000 + "\n").encode(), expect_valid=False)
    for name in header:
        add(
            f"column {name} missing",
            "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != col[name]) for line in lines).encode(),
        )
        add(
            f"column {name} twice",
            "\n".join(line + "," + line.split(",")[col[name]] for line in lines).encode(),
            expect_valid=False,
        )
    add("columns reversed", "\n".join(",".join(reversed(line.split(","))) for line in lines).encode())
    add("header only", (lines[0] + "\n").encode())
    add("empty header", ("\n" + "\n".join(rows)).encode(), expect_valid=False)
    add("rows with extra cells", "\n".join([lines[0], *(r + ",x,y" for r in rows)]).encode(), expect_valid=False)
    add("rows with fewer cells", "\n".join([lines[0], *(r.rsplit(",", 3)[0] for r in rows)]).encode())
    add("empty file", b"", expect_valid=False)
    add("only blank lines", b"\n\n\n\n")
    for count in (100_001, 150_000):
        add(f"{count} data rows", (lines[0] + "\n" + (rows[-1] + "\n") * count).encode(), expect_valid=False)
    last = rows[-1].split(",")
    last[col["value"]] = "x"
    add("30,000 rows of errors", (lines[0] + "\n" + (",".join(last) + "\n") * 30_000).encode(), expect_valid=False)
    numeric = [i for i, r in enumerate(rows, start=2) if _is_number(r.split(",")[col["value"]])]
    hostile = [*NOT_FINITE, *UNICODE_DIGITS, "=1+1", "a" * 40_000]
    for index, number in enumerate(b.rng.sample(numeric, 2)):
        for column in ("value", "quality"):
            for value in hostile:
                changed = _csv_with(rows, number, col[column], value)
                b.add(
                    "csv-cell",
                    f"{value[:12]!r} in row {number} {column}",
                    (lines[0] + "\n" + changed).encode(),
                    ".csv",
                    at={"row": number, "column": column},
                )
        for char in CONTROLS:
            for column in (("notes", "city"), ("source", "country"))[index]:
                changed = _csv_with(rows, number, col[column], f'"a{char}b"')
                allowed = char in "\t\n\r" and column not in ("city", "country")
                at = None if allowed else {"row": number, "column": column}
                b.add(
                    "csv-cell",
                    f"U+{ord(char):04X} in row {number} {column}",
                    (lines[0] + "\n" + changed).encode(),
                    ".csv",
                    at=at,
                )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_with(rows: list[str], number: int, column: int, value: str) -> str:
    """The data rows with one cell changed; `number` counts the header as row 1."""
    cells = rows[number - 2].split(",")
    cells[column] = value
    return "\n".join([*rows[: number - 2], ",".join(cells), *rows[number - 1 :]])


# -- data packages ---------------------------------------------------------------------------------


def datapackages(b: Builder) -> None:
    def package(name: str, descriptor: bytes | str, files: dict[str, str] = {}, **kw: object) -> None:  # noqa: B006
        folder = b.folder / f"{len(b.cases):04d}-datapackage"
        folder.mkdir()
        for file, content in files.items():
            (folder / file).write_text(content, encoding="utf-8")
        data = descriptor if isinstance(descriptor, bytes) else descriptor.encode()
        (folder / "datapackage.json").write_bytes(data)
        b.cases.append(Case("datapackage", name, folder / "datapackage.json", **kw))  # type: ignore[arg-type]

    good = {"resources": [{"name": "kpi-values", "path": "data.csv"}]}
    data = {"data.csv": b.base.csv}
    package("a valid package", json.dumps(good), data, expect_valid=True)
    for label, text in {
        "truncated JSON": json.dumps(good)[:20],
        "trailing comma": '{"resources": [{"path": "data.csv"},]}',
        "a 5,000-digit number": '{"resources": [{"path": "data.csv", "x": ' + "9" * 5000 + "}]}",
        "a list": "[]",
        "resources not a list": '{"resources": "data.csv"}',
        "no resources": '{"resources": []}',
        "resource not an object": '{"resources": [1, null, "x"]}',
        "path not a string": '{"resources": [{"path": ["data.csv"]}]}',
        "nested 100,000 deep": '{"resources": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "objects nested 50,000 deep": '{"a": ' * 50_000 + "1" + "}" * 50_000,
        "invalid UTF-8": "",
    }.items():
        raw = b"\xff\xfe{" if label == "invalid UTF-8" else text.encode()
        package(label, raw, data, expect_valid=False)
    package("NaN in an extra field", '{"resources": [{"path": "data.csv", "x": NaN}]}', data)
    package("UTF-16", json.dumps(good).encode("utf-16"), data)
    for path in ["../data.csv", "/etc/passwd", "C:\\data.csv", "https://example.org/data.csv", "data.csv\x00.txt",
                 "\x00", "sub/../../data.csv", "..\\data.csv", "a" * 5000, "", "missing.csv", "."]:  # fmt: skip
        package(f"resource path {path[:20]!r}", json.dumps({"resources": [{"path": path}]}), data, expect_valid=False)
    package("resource path 'data.csv/'", json.dumps({"resources": [{"path": "data.csv/"}]}), data)
    for count in (51, 2_000, 10_000):
        package(
            f"{count} resources", json.dumps({"resources": [{"path": "data.csv"}] * count}), data, expect_valid=False
        )
    package(
        "50 resources of one file", json.dumps({"resources": [{"path": "data.csv"}] * 50}), data, expect_valid=False
    )
    package(
        "a resource that is a workbook",
        json.dumps({"resources": [{"path": "data.csv"}]}),
        {"data.csv": "PK\x03\x04junk"},
        expect_valid=False,
    )
    package(
        "a resource with a bad row",
        json.dumps(good),
        {"data.csv": b.base.csv.replace(",value,", ",bogus,", 1)},
        expect_valid=False,
    )


# -- zip bombs -------------------------------------------------------------------------------------


def zip_bombs(b: Builder) -> None:
    zeros = b"\x00" * 100_000_000
    b.add(
        "zip-bomb", "a 100 MB sheet of zeros", b.with_parts({b.base.sheet_parts["Economy"]: zeros}), expect_valid=False
    )
    b.add("zip-bomb", "a 100 MB extra part", b.with_parts({}, [("xl/media/bomb.bin", zeros)]), expect_valid=False)
    b.add(
        "zip-bomb",
        "4 x 90 MB parts",
        b.with_parts({}, [(f"xl/media/b{i}.bin", zeros[:90_000_000]) for i in range(4)]),
        expect_valid=False,
    )
    b.add(
        "zip-bomb",
        "sharedStrings of 5 MB of one character",
        b.with_parts({}, [("xl/sharedStrings.xml", b"<sst>" + b"<si><t>a</t></si>" * 300_000 + b"</sst>")]),
    )
    lying = b.with_parts({b.base.sheet_parts["Economy"]: zeros[:20_000_000]})
    for entry in _central_entries(lying)[:4]:
        b.add(
            "zip-bomb",
            f"a 20 MB part whose directory says 1 kB ({entry})",
            _patched(lying, entry + 24, "<I", 1000),
            expect_valid=False,
        )


KINDS: list[Callable[[Builder], None]] = [
    lambda b: truncations(b, 80),
    lambda b: bit_flips(b, 250),
    lambda b: overwrites(b, 120),
    zip_games,
    xml_parts,
    cell_semantics,
    csv_cases,
    datapackages,
    zip_bombs,
]


SEED = 11  # the seed the tests build the corpus with


def build(folder: Path, seed: int = SEED) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    base = make_base(folder)
    builder = Builder(folder / "cases", base, seed)
    builder.folder.mkdir(exist_ok=True)
    for kind in KINDS:
        kind(builder)
    return builder.cases


def cases_by_kind(cases: list[Case]) -> Iterator[tuple[str, int]]:
    kinds: dict[str, int] = {}
    for case in cases:
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
    yield from sorted(kinds.items())


if __name__ == "__main__":
    built = build(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else SEED)
    print(len(built), dict(cases_by_kind(built)))
