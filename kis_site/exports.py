"""CSV and XLSX downloads of tables: text that a spreadsheet would run as a formula is neutralised,
numbers stay numbers.

A table is a title and rows (the first row the header). Cells are str, int, float, Decimal, date
or None.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse

# A spreadsheet reads a cell starting with these as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """The cell as a spreadsheet should show it: text that would start a formula gets a leading
    apostrophe (shown as text, never run); numbers and dates are kept as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, Decimal, date, datetime)):
        return float(value) if isinstance(value, Decimal) else value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


@dataclass
class Table:
    title: str
    rows: list = field(default_factory=list)  # the first row is the header

    def add(self, *cells):
        self.rows.append(list(cells))
        return self


def xlsx(tables: list[Table], *, heading: str = "") -> bytes:
    """One sheet per table, headers in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used = set()
    for table in tables:
        name = _sheet_name(table.title, used)
        sheet = book.create_sheet(name)
        offset = 0
        if heading:
            sheet.append([neutralise(heading)])
            sheet["A1"].font = Font(bold=True)
            offset = 1
        sheet.append([neutralise(table.title)])
        sheet.cell(row=offset + 1, column=1).font = Font(bold=True)
        for index, row in enumerate(table.rows):
            sheet.append([neutralise(cell) for cell in row])
            if index == 0:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 40
        for letter in "BCDEFGH":
            sheet.column_dimensions[letter].width = 16
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _sheet_name(title: str, used: set) -> str:
    base = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:28].strip() or "Arkusz"
    name, number = base, 2
    while name in used:
        name = f"{base[:26]} {number}"
        number += 1
    used.add(name)
    return name


def csv_text(tables: list[Table]) -> str:
    """The tables one after another, separated by an empty line (semicolons: Polish Excel)."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    for number, table in enumerate(tables):
        if number:
            writer.writerow([])
        writer.writerow([neutralise(table.title)])
        for row in table.rows:
            writer.writerow([_csv_cell(neutralise(cell)) for cell in row])
    return output.getvalue()


def _csv_cell(value):
    if isinstance(value, float):
        return _plain_number(value).replace(".", ",")
    if isinstance(value, (date, datetime)):
        return value.strftime("%d.%m.%Y")
    return value


def _plain_number(value: float) -> str:
    """All the digits of a number, never an exponent: 123456.78 stays 123456.78 (``%g`` would
    print 123457), 50000.0 is 50000."""
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def download(tables: list[Table], *, fmt: str, filename: str, heading: str = ""):
    """The HTTP response of a CSV (UTF-8 with BOM, for Excel) or XLSX download."""
    if fmt == "csv":
        content = ("\ufeff" + csv_text(tables)).encode("utf-8")
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    response = HttpResponse(xlsx(tables, heading=heading), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
