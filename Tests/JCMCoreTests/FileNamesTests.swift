import JCMCore
import Testing

@Suite("file names and log text from untrusted names")
struct FileNamesTests {
    @Test func namesThatFitAreKeptAndLongOnesShortenedApart() {
        #expect(FileNames.fitting("a.csv", prefix: ".", suffix: ".errors.json.part") == ".a.csv.errors.json.part")
        let long = String(repeating: "é", count: 125) + "x.csv"  // 255 bytes
        let a = FileNames.fitting(long, prefix: ".", suffix: ".errors.json.part")
        let b = FileNames.fitting(long + "y", prefix: ".", suffix: ".errors.json.part")
        #expect(a.utf8.count <= 255 && b.utf8.count <= 255)
        #expect(a != b, "names differing after the cut stay apart")
        #expect(a.hasPrefix(".éé") && a.hasSuffix(".errors.json.part"))
        #expect(String(validating: Array(a.utf8), as: UTF8.self) != nil, "cut at a character boundary")
    }

    @Test func listedNamesKeepTheirExtension() {
        let long = String(repeating: "L", count: 296) + ".csv"
        let local = FileNames.fittingKeepingExtension(long, maxBytes: 249)
        #expect(local.utf8.count == 249 && local.hasSuffix(".csv") && local.contains("~"))
        #expect(FileNames.tagged("a_b", with: "http://x/a/b") != FileNames.tagged("a_b", with: "http://x/a_b"))
        #expect(FileNames.fittingKeepingExtension("day.csv") == "day.csv")
    }

    @Test func controlCharactersMakeANameUnsafe() {
        for bad in ["a.csv\u{0}zzz", "a\u{1B}[0m.csv", "a\u{7F}.csv", "a\u{9B}.csv", "a/b.csv", "", "x\n.csv"] {
            #expect(FileNames.isUnsafe(bad), "\(bad.debugDescription)")
        }
        for good in ["a.csv", "pv 2026-11 Pune ☀.csv", "レポート.json"] { #expect(!FileNames.isUnsafe(good)) }
    }

    @Test func logValuesEscapeControlCharacters() {
        #expect(LogText.logfmtValue("plain") == "plain")
        #expect(LogText.logfmtValue("a b") == "\"a b\"")
        #expect(LogText.logfmtValue("esc\u{1B}[31m\u{7}") == #""esc\x1B[31m\x07""#)
        #expect(LogText.logfmtValue("n\u{0}ul") == #""n\x00ul""#)
        #expect(LogText.logfmtValue("c1\u{9B}ls\u{2028}") == #""c1\x9Bls\u{2028}""#)
        #expect(LogText.logfmtValue("q\"\\\n\r\t") == #""q\"\\\n\r\t""#)
        #expect(LogText.logfmtValue("") == "\"\"")
    }
}
