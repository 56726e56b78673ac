// bench/fuzz.sh: libFuzzer's entry point over the decoders that read untrusted bytes.
// Compiled with JCMCore's sources into one module (swiftc -sanitize=fuzzer), not part of the
// package: libFuzzer supplies main(), and the normal build should not need libFuzzer.

/// The first byte chooses the decoder, the rest is its input, so one corpus and one run cover
/// them all and libFuzzer's coverage guidance learns each decoder's grammar separately.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 7 {
    case 0: _ = try? JSON.parse(input)
    case 1: drain(JSONReportDecoder(source: MemorySource(input), fileName: "fuzz.json"))
    case 2: drain(CSVReportDecoder(source: MemorySource(input), fileName: "fuzz.csv"))
    case 3:
        let selector = Config.PrometheusSelector(metric: "energy_wh_total", labels: ["phase": "a"], unit: "Wh")
        _ = PrometheusTextDecoder.decode(input, selector: selector, meterID: "fuzz")
    case 4: _ = try? TOML.parse(String(decoding: input, as: UTF8.self))
    case 5:
        // The whole configuration reader on top of TOML; methodology files are never read.
        _ = try? Config.parse(String(decoding: input, as: UTF8.self), readFile: { _ in "" })
    default:
        let mapping = Config.JSONMapping(value: "emeters[0].total", unitPath: "unit", timestamp: "unixtime")
        _ = JSONMeterDecoder.decode(input, mapping: mapping, meterID: "fuzz")
    }
    return 0
}

/// Reads a report to its end or its first fatal failure, as the ingestor does.
private func drain(_ decoder: some ReportDecoder) {
    var decoder = decoder
    while let item = try? decoder.next() { _ = item }
}
