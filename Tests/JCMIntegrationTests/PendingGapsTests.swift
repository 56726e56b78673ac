import Foundation
import JCMCore
import Testing

@testable import JCMDaemon

/// The file of gaps not yet backfilled (`state_dir/backfill/pending.json`), written by the
/// project's own JSON writer and read by its own reader.
@Suite struct PendingGapsTests {
    func gap(_ meter: String, after: Int64, through: Int64, value: String) -> BackfillGap {
        BackfillGap(
            meterID: meter,
            window: HistoryRequest.Window(
                after: Timestamp(microseconds: after), through: Timestamp(microseconds: through)),
            before: BackfillMark(timestamp: Timestamp(microseconds: after), value: ExactDecimal(parsing: value)!))
    }

    func same(_ a: [BackfillGap], _ b: [BackfillGap]) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy {
                $0.meterID == $1.meterID && $0.window == $1.window && $0.before == $1.before
            }
    }

    @Test func gapsComeBackAsWritten() throws {
        let gaps = [
            gap("EMON", after: 1_767_225_600_000_000, through: 1_767_225_660_000_000, value: "12345.678"),
            gap("site \"A\"/ü\n", after: -5, through: 7, value: "-0.001"),
        ]
        let data = PendingGaps.encode(gaps)
        let decoded = try #require(PendingGaps.decode(data))
        #expect(same(decoded, gaps))
        #expect(String(decoding: data, as: UTF8.self).contains(#""meter":"EMON""#))
    }

    /// What Foundation's JSONEncoder wrote before (its `\/` escape, its key order, white space).
    @Test func aFileWrittenByJSONEncoderStillLoads() throws {
        let old = """
            [{"meter":"EMON\\/2","afterMicroseconds":1767225600000000,"throughMicroseconds":1767225660000000,\
            "beforeMicroseconds":1767225600000000,"beforeValue":"12345.678"},
             {"beforeValue" : "5", "throughMicroseconds" : 20, "afterMicroseconds" : 10,
              "beforeMicroseconds" : 10, "meter" : "M"}]
            """
        let decoded = try #require(PendingGaps.decode(Data(old.utf8)))
        #expect(
            same(
                decoded,
                [
                    gap("EMON/2", after: 1_767_225_600_000_000, through: 1_767_225_660_000_000, value: "12345.678"),
                    gap("M", after: 10, through: 20, value: "5"),
                ]))
    }

    @Test func whatIsNotAListOfGapsIsRefused() {
        for text in [
            "", "{}", "[1]", #"[{"meter":"M"}]"#,
            #"[{"meter":"M","afterMicroseconds":1.5,"throughMicroseconds":2,"beforeMicroseconds":1,"beforeValue":"5"}]"#,
            #"[{"meter":"M","afterMicroseconds":1,"throughMicroseconds":2,"beforeMicroseconds":1,"beforeValue":"x"}]"#,
        ] {
            #expect(PendingGaps.decode(Data(text.utf8)) == nil, "\(text)")
        }
        #expect(PendingGaps.decode(Data("[]".utf8))?.isEmpty == true)
    }
}
