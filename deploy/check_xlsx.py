#!/usr/bin/env python3
"""Reads a workbook written by `jcm-ingestd report --format xlsx` with independent tools and
prints what it found as one JSON object, for the integration tests to check:

- openpyxl (PyPI) reads the sheets, their header rows, Table 1 and Table 2, the Dataset's rows
  and its Excel table, and the cached value of each calculation row;
- LibreOffice (headless) recomputes every formula: the formulas' cached values are removed from
  a copy, `soffice --headless --convert-to xlsx` computes them again, and openpyxl reads the
  results.

Usage: check_xlsx.py WORKBOOK.xlsx
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

import openpyxl


def rows(ws):
    return [[c for c in r] for r in ws.iter_rows(values_only=True)]


def text(v):
    if v is None:
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v if isinstance(v, (int, float, str, bool)) else str(v)


def table_after(all_rows, title):
    """The header row under a title row and the rows up to the next empty one."""
    for i, r in enumerate(all_rows):
        if r and r[0] == title:
            header = [c for c in all_rows[i + 1] if c is not None]
            body = []
            for r2 in all_rows[i + 2:]:
                if all(c is None for c in r2):
                    break
                body.append([text(c) for c in r2[: len(header)]])
            return header, body
    return None, []


def calc_values(ws):
    """Column C of MRS(calc_process) by the label in column A."""
    out = {}
    for r in ws.iter_rows(min_row=1):
        if r[0].value is not None and len(r) > 2:
            out[str(r[0].value)] = r[2].value
            out["E:" + str(r[0].value)] = r[4].value if len(r) > 4 else None
    return out


def recalculated(path):
    work = tempfile.mkdtemp(prefix="check-xlsx-")
    try:
        stripped = os.path.join(work, "in", "book.xlsx")
        os.makedirs(os.path.dirname(stripped))
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename.startswith("xl/worksheets/sheet"):
                    data = re.sub(rb"(<f>[^<]*</f>)<v>[^<]*</v>", rb"\1", data)
                dst.writestr(item, data)
        out = os.path.join(work, "out")
        profile = "file://" + os.path.join(work, "profile")
        subprocess.run(
            ["soffice", "-env:UserInstallation=" + profile, "--headless", "--norestore", "--convert-to", "xlsx",
             "--outdir", out, stripped],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        wb = openpyxl.load_workbook(os.path.join(out, "book.xlsx"), data_only=True)
        return {
            "calc": calc_values(wb["MRS(calc_process)"]),
            "issuance": [[text(c) for c in r] for r in rows(wb["Issuance request"])],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    path = sys.argv[1]
    wb = openpyxl.load_workbook(path, read_only=False)
    cached = openpyxl.load_workbook(path, data_only=True)
    inp = rows(wb["MRS(input)"])
    t1_header, t1 = table_after(inp, "Table 1: Parameters monitored ex post")
    t2_header, t2 = table_after(inp, "Table 2: Project-specific parameters to be fixed ex ante")
    ds = wb["Dataset"]
    ds_rows = list(ds.iter_rows(values_only=True))
    tables = {t.name: t.ref for t in ds.tables.values()}
    formulas = {}
    for r in wb["MRS(calc_process)"].iter_rows():
        if r[0].value is not None and len(r) > 2 and isinstance(r[2].value, str) and r[2].value.startswith("="):
            formulas[str(r[0].value)] = r[2].value
    first = ds_rows[1] if len(ds_rows) > 1 else None
    print(json.dumps({
        "sheets": wb.sheetnames,
        "table1_header": t1_header,
        "table1": t1,
        "table2_header": t2_header,
        "table2": t2,
        "dataset_header": [text(c) for c in ds_rows[0]],
        "dataset_rows": len(ds_rows) - 1,
        "dataset_first": [text(c) for c in first] if first else None,
        "dataset_tables": tables,
        "dataset_filter": ds.tables["Dataset"].autoFilter.ref if "Dataset" in ds.tables else None,
        "formulas": formulas,
        "cached": calc_values(cached["MRS(calc_process)"]),
        "corrections": [[text(c) for c in r] for r in rows(wb["Corrections"])],
        "issuance": [[text(c) for c in r] for r in rows(cached["Issuance request"])],
        "about": {str(r[0]): text(r[1]) for r in rows(wb["About"]) if r and r[0] is not None and len(r) > 1},
        "bold_header": bool(wb["MRS(input)"]["A6"].font.b),
        "recalculated": recalculated(path),
    }, default=str))


if __name__ == "__main__":
    main()
