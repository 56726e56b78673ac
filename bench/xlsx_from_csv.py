#!/usr/bin/env python3
"""Writes an .xlsx twin of a canonical CSV report with openpyxl's streaming writer: timestamps
as date cells (UTC wall time: ingest with --timezone UTC), values as numbers written with their
CSV digits, ids and units as strings. Usage: xlsx_from_csv.py REPORT.csv OUT.xlsx"""
import csv
import sys
from datetime import datetime

import openpyxl
from openpyxl.cell import WriteOnlyCell

wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet("Readings")
with open(sys.argv[1], newline="") as f:
    rows = csv.reader(f)
    ws.append(next(rows))
    for meter, ts, value, unit in rows:
        when = WriteOnlyCell(ws, value=datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))
        when.number_format = "yyyy-mm-dd hh:mm:ss"
        # A float prints back as the shortest digits that round-trip: the CSV's own.
        ws.append([meter, when, float(value), unit])
wb.save(sys.argv[2])
