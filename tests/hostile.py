"""Hostile inputs built by hand: .xlsx packages written part by part, deep JSON, and so on."""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell(ref: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows: dict[int, str], dimension: str = "", tail: str = "") -> str:
    """A worksheet whose ``rows`` map a row number to its cells' XML."""
    body = "".join(f'<row r="{n}">{cells}</row>' for n, cells in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{body}</sheetData>{tail}</worksheet>"
    )


def header_cells(headers: list[str], row: int = 1) -> str:
    return "".join(cell(f"{column_letters(i)}{row}", h) for i, h in enumerate(headers, 1))


def package(sheet: str | bytes, *, lie_about: int | None = None) -> bytes:
    """An .xlsx zip holding ``sheet`` as its only worksheet.

    ``lie_about`` declares the sheet's unpacked size as that many bytes (and the CRC
    of that much of it), as a zip bomb does to slip past a size check.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    data = buffer.getvalue()
    if lie_about is None:
        return data
    return _lie(data, "xl/worksheets/sheet1.xml", sheet, lie_about)


def _lie(data: bytes, name: str, content: str | bytes, size: int) -> bytes:
    raw = content.encode() if isinstance(content, str) else content
    crc = zlib.crc32(raw[:size]).to_bytes(4, "little")
    fake = size.to_bytes(4, "little")
    out = bytearray(data)
    encoded = name.encode()
    # local header: CRC at +14, uncompressed size at +22; central entry: at +16 and +24
    local = out.find(b"PK\x03\x04")
    while local != -1:
        if out[local + 30 : local + 30 + len(encoded)] == encoded:
            out[local + 14 : local + 18] = crc
            out[local + 22 : local + 26] = fake
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        if out[central + 46 : central + 46 + len(encoded)] == encoded:
            out[central + 16 : central + 20] = crc
            out[central + 24 : central + 28] = fake
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def far_corner_xlsx(headers: list[str], far: str = "XFD1048576") -> bytes:
    """The 1.7 KB attack: real headers at row 1 and one cell at the far corner."""
    return package(sheet_xml({1: header_cells(headers), _row_of(far): cell(far, "x")}, f"A1:{far}"))


def _row_of(ref: str) -> int:
    return int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
