import Foundation
import JCMCore
import ZIPFoundation

/// Opens an .xlsx report for `XLSXReportDecoder`: the small parts (workbook, relationships,
/// shared strings, styles) are read into memory, the sheet is inflated into an unlinked
/// temporary file and streamed from there, so memory does not grow with its rows.
///
/// The archive is opened through the report's own descriptor (/proc/self/fd), never by path
/// again: the file checked (regular, not a link) is the file read.
enum XLSXWorkbookFile {
    /// Parts held in memory are capped: a shared-strings part larger than this is not a report.
    static let maxPartBytes: UInt64 = 512 << 20
    /// The inflated sheet is capped too (a zip bomb would fill the disk).
    static let maxSheetBytes: UInt64 = 16 << 30

    static func decoder(
        _ file: FileSource, name: String, sheet wanted: String?, dialect: CSVDialect
    ) throws(ReportFailure) -> any ReportDecoder {
        do {
            let archive = try Archive(url: URL(fileURLWithPath: "/proc/self/fd/\(file.fd)"), accessMode: .read)
            guard let workbookXML = try part(archive, "xl/workbook.xml") else {
                throw ReportFailure(line: 0, message: "a zip archive without xl/workbook.xml: not an Excel workbook")
            }
            let workbook = try XLSXParts.workbook(
                workbookXML, relationships: try part(archive, "xl/_rels/workbook.xml.rels") ?? [])
            guard let sheet = wanted.map({ w in workbook.sheets.first { $0.name == w } }) ?? workbook.sheets.first
            else {
                let names = workbook.sheets.map { "\"\($0.name)\"" }.joined(separator: ", ")
                throw ReportFailure(
                    line: 0,
                    message: wanted.map { "no sheet named \"\($0)\" (the workbook has \(names))" }
                        ?? "the workbook has no sheet")
            }
            let strings = try part(archive, "xl/sharedStrings.xml").map {
                try XLSXParts.sharedStrings(MemorySource($0))
            }
            let dates = try part(archive, "xl/styles.xml").map { try XLSXParts.dateStyles($0) } ?? []
            guard let entry = archive[sheet.path] else {
                throw ReportFailure(line: 0, message: "sheet \"\(sheet.name)\" is listed but \(sheet.path) is missing")
            }
            return XLSXReportDecoder(
                sheet: try inflate(archive, entry), sheetName: sheet.name, sharedStrings: strings ?? [],
                dateStyles: dates, date1904: workbook.date1904, fileName: name, dialect: dialect)
        } catch let failure as ReportFailure {
            throw failure
        } catch let malformed as XMLPullReader<MemorySource>.Malformed {
            throw ReportFailure(line: 0, message: "workbook part: \(malformed)")
        } catch {
            throw ReportFailure(
                line: 0, message: "not a readable .xlsx workbook (a damaged or cut-off zip archive: \(error))")
        }
    }

    private static func part(_ archive: Archive, _ path: String) throws -> [UInt8]? {
        guard let entry = archive[path] else { return nil }
        guard entry.uncompressedSize <= maxPartBytes else {
            throw ReportFailure(line: 0, message: "\(path) is \(entry.uncompressedSize) bytes: too large for a report")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(entry.uncompressedSize))
        _ = try archive.extract(entry) { chunk in
            bytes.append(contentsOf: chunk)
            guard UInt64(bytes.count) <= maxPartBytes else {
                throw ReportFailure(line: 0, message: "\(path) too large")
            }
        }
        return bytes
    }

    /// The sheet's XML in a temporary file that is already unlinked: it goes when the
    /// descriptor closes, even after a crash.
    private static func inflate(_ archive: Archive, _ entry: Entry) throws -> FileSource {
        var template = Array((NSTemporaryDirectory() + "/jcm-xlsx-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            throw ReportFailure(
                line: 0, message: "no temporary file for the sheet: \(String(cString: strerror(errno)))")
        }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { close(fd) }
        var written: UInt64 = 0
        do {
            _ = try archive.extract(entry) { chunk in
                written += UInt64(chunk.count)
                guard written <= maxSheetBytes else {
                    throw ReportFailure(line: 0, message: "the sheet inflates past \(maxSheetBytes >> 30) GiB")
                }
                try chunk.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                        guard n > 0 else {
                            throw ReportFailure(
                                line: 0,
                                message: "writing the sheet's temporary file: \(String(cString: strerror(errno)))")
                        }
                        offset += n
                    }
                }
            }
            let source = try FileSource(path: path)
            unlink(path)
            return source
        } catch {
            unlink(path)
            throw error
        }
    }
}
