import Testing

@testable import JCMCore

/// Messages that say what to fix, asserted word for word: what an operator sees in
/// NAME.errors.json, `ingest`'s summary and the journal.
@Suite("messages that say what to fix")
struct OperatorMessageTests {
    @Test func anExcelFileIsNamedAndTheFixSaid() {
        // An .xlsx is a zip archive: "PK\3\4", then binary with NUL bytes.
        var reader = CSVReader(
            source: MemorySource([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00] + Array("xl/workbook.xml".utf8)))
        #expect(throws: CSVReader<MemorySource>.Failure(line: 1, message: "an Excel file (.xlsx); export as CSV")) {
            _ = try reader.next()
        }
        // Other binary content keeps its own message.
        var other = CSVReader(source: MemorySource([0x47, 0x49, 0x46, 0x38, 0x00, 0x01]))
        #expect(throws: CSVReader<MemorySource>.Failure(line: 1, message: "binary content (NUL byte); not a CSV file"))
        { _ = try other.next() }
    }

    @Test func aDayFirstDateSaysWhichFormatsAreAccepted() {
        let meters: [Config.Meter] = [
            .init(id: "EG-1", project: "P", parameter: "EG_p", kind: .cumulative, unit: MeasurementUnit.named("kWh")!)
        ]
        var validator = ReadingValidator(
            registry: MeterRegistry(meters: meters, keys: ["EG-1": 1]), clockSkewMilliseconds: 300_000)
        let raw = RawReading(
            meterID: "EG-1", timestamp: "01/10/2026 10:00", value: "1", unit: "kWh", location: "a.csv:2", raw: "")
        guard case .rejected(let r) = validator.validate(raw, now: Timestamp(microseconds: 1_800_000_000_000_000))
        else {
            Issue.record("accepted")
            return
        }
        #expect(r.reason == .timestampInvalid)
        #expect(
            r.detail
                == "timestamp \"01/10/2026 10:00\": year is not 4 digits; accepted: YYYY-MM-DDTHH:MM[:SS[.fraction]] with an offset "
                + "(+05:30) or Z, e.g. 2026-10-01T10:00:00+05:30; a space may stand for the T; no offset only when the meter or folder "
                + "declares a timezone. Day-first or month-first dates (01/10/2026) only where the folder sets timestamp_format"
        )
        // A date that is a date, out of range, says only that.
        let feb30 = RawReading(
            meterID: "EG-1", timestamp: "2026-02-30T00:00:00Z", value: "1", unit: "kWh", location: "a.csv:3", raw: "")
        guard case .rejected(let r2) = validator.validate(feb30, now: Timestamp(microseconds: 1_800_000_000_000_000))
        else { return }
        #expect(r2.detail == "timestamp \"2026-02-30T00:00:00Z\": day 30 out of range")
    }

    @Test func durationsInLogsAreRounded() {
        #expect(DurationText.seconds(0.5007846988062743) == "0.5")
        #expect(DurationText.seconds(3) == "3")
        #expect(DurationText.seconds(1.26) == "1.3")
        #expect(DurationText.seconds(9.96) == "10")
        #expect(DurationText.seconds(12.4) == "12")
    }

    @Test func aSemicolonSeparatedFileIsSaidToBeOne() throws {
        func first(_ text: String) -> String? {
            var decoder = CSVReportDecoder(source: MemorySource(text), fileName: "r.csv")
            do {
                _ = try decoder.next()
                return nil
            } catch { return error.message }
        }
        #expect(
            first("meter_id;timestamp;value;unit\nPV-1;2026-10-01T10:00:00Z;1,5;kWh\n")
                == "this file uses `;` as its separator; export it with `,` (and `.` as the decimal mark), "
                + "or set delimiter = \";\" on its [[watch]] folder")
        #expect(
            first("meter_id\ttimestamp\tvalue\tunit\n")?.hasPrefix("this file uses a tab as its separator;") == true)
        // A comma file missing a column is still told which.
        #expect(first("meter_id,timestamp,value\n") == "header lacks column unit (needs meter_id,timestamp,value,unit)")
    }

    @Test func aWindows1252RowIsRefusedSayingSo() throws {
        // "José" in Windows-1252: 4A 6F 73 E9.
        let bytes =
            Array("meter_id,timestamp,value,unit,operator\nPV-1,2026-10-01T10:00:00Z,1,kWh,Jos".utf8) + [0xE9]
            + Array("\nPV-1,2026-10-01T10:15:00Z,2,kWh,Jos\u{E9}\n".utf8)
        var decoder = CSVReportDecoder(source: MemorySource(bytes), fileName: "r.csv")
        guard case .malformed(_, let detail)? = try decoder.next() else {
            Issue.record("not refused")
            return
        }
        #expect(
            detail
                == "not UTF-8 (byte 0xE9 at column 36); the file looks like Windows-1252 or Latin-1: export it as \"CSV UTF-8\", "
                + "or set encoding = \"windows-1252\" on its [[watch]] folder")
        // The same name in UTF-8 is read.
        guard case .reading(let r)? = try decoder.next() else {
            Issue.record("UTF-8 row refused")
            return
        }
        #expect(r.extra == #"{"operator":"José"}"#)
    }

    @Test func aFolderMayDeclareItsSeparatorAndDecimalComma() throws {
        let dialect = CSVDialect(delimiter: ";", decimalComma: true)
        var decoder = CSVReportDecoder(
            source: MemorySource("meter_id;timestamp;value;unit;note\nPV-1;2026-10-01T10:00:00Z;1234,5;kWh;a,b\n"),
            fileName: "r.csv", dialect: dialect)
        guard case .reading(let r)? = try decoder.next() else {
            Issue.record("not read")
            return
        }
        #expect(r.value == "1234.5" && r.meterID == "PV-1" && r.unit == "kWh")
        #expect(r.extra == #"{"note":"a,b"}"#)
        // A comma file dropped in that folder is said to be one.
        var comma = CSVReportDecoder(
            source: MemorySource("meter_id,timestamp,value,unit\n"), fileName: "r.csv", dialect: dialect)
        do {
            _ = try comma.next()
            Issue.record("read")
        } catch {
            #expect(
                error.message
                    == "this file uses `,` as its separator, but its [[watch]] folder sets delimiter = \";\": "
                    + "export it with that separator, or drop it in a folder without the setting")
        }
    }

    @Test func theFolderSettingsAreChecked() throws {
        let ok = try Config.parse("[[watch]]\ndir = \"/in\"\ndelimiter = \";\"\ndecimal_separator = \",\"\n")
        #expect(ok.watches[0].csv == CSVDialect(delimiter: ";", decimalComma: true))
        #expect(try Config.parse("[[watch]]\ndir = \"/in\"\ndelimiter = \"\\t\"\n").watches[0].csv.delimiter == "\t")
        func problems(_ text: String) -> [String] {
            do {
                _ = try Config.parse(text)
                return []
            } catch { return error.problems.map { "\($0.key): \($0.message)" } }
        }
        #expect(
            problems("[[watch]]\ndir = \"/in\"\ndelimiter = \"::\"\n") == [
                #"watch[1].delimiter: "::" is not one of "," ";" "\t" "|""#
            ])
        #expect(
            problems("[[watch]]\ndir = \"/in\"\ndecimal_separator = \",\"\n")
                == [#"watch[1].decimal_separator: a decimal comma needs another delimiter (delimiter = ";")"#])
    }

    @Test func aFolderMayDeclareDayFirstOrMonthFirstDates() throws {
        #expect(LocalDateOrder.dayFirst.iso("01/10/2026 10:00") == "2026-10-01T10:00:00")
        #expect(LocalDateOrder.monthFirst.iso("01/10/2026 10:00") == "2026-01-10T10:00:00")
        #expect(LocalDateOrder.dayFirst.iso("31.12.2026 23:59:30") == "2026-12-31T23:59:30")
        #expect(LocalDateOrder.dayFirst.iso("2026-10-01T10:00:00+05:30") == nil)  // passed on as it is
        #expect(LocalDateOrder.dayFirst.iso("13/13/2026 10:00") == nil)
        #expect(LocalDateOrder.dayFirst.iso("01/10-2026 10:00") == nil)
        var decoder = CSVReportDecoder(
            source: MemorySource(
                "meter_id,timestamp,value,unit\nPV-1,01/10/2026 10:00,1,kWh\nPV-1,2026-10-01T10:15:00Z,2,kWh\n"),
            fileName: "r.csv", dialect: CSVDialect(dateOrder: .dayFirst))
        guard case .reading(let a)? = try decoder.next(), case .reading(let b)? = try decoder.next() else {
            Issue.record("not read")
            return
        }
        #expect(a.timestamp == "2026-10-01T10:00:00" && b.timestamp == "2026-10-01T10:15:00Z")
        #expect(
            try Config.parse("[[watch]]\ndir = \"/in\"\ntimestamp_format = \"month-first\"\n").watches[0].csv.dateOrder
                == .monthFirst)
        do {
            _ = try Config.parse("[[watch]]\ndir = \"/in\"\ntimestamp_format = \"DD/MM/YYYY\"\n")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.message) == [#""DD/MM/YYYY" is not one of "day-first", "month-first""#])
        }
    }

    @Test func aFolderMayDeclareWindows1252() throws {
        let bytes =
            Array("meter_id,timestamp,value,unit,operator\nPV-1,2026-10-01T10:00:00Z,1,kWh,Jos".utf8) + [
                0xE9, 0x20, 0x80, 0x0A,
            ]
        var decoder = CSVReportDecoder(
            source: MemorySource(bytes), fileName: "r.csv", dialect: CSVDialect(encoding: .windows1252))
        guard case .reading(let r)? = try decoder.next() else {
            Issue.record("not read")
            return
        }
        #expect(r.extra == #"{"operator":"José €"}"#)
        #expect(r.raw == "PV-1,2026-10-01T10:00:00Z,1,kWh,José €")
        #expect(TextEncoding.latin1.decode([0x4A, 0xE9, 0x80]) == "Jé\u{80}")
        #expect(
            try Config.parse("[[watch]]\ndir = \"/in\"\nencoding = \"Windows-1252\"\n").watches[0].csv.encoding
                == .windows1252)
    }
}
