import Foundation
import JCMCore
import Testing

@testable import JCMDaemon

/// Work done apart (the configuration's TOML tree, built on a thread of its own so that its
/// memory is freed whole): the same answer and the same error as done in place.
@Suite("work done on a thread of its own")
struct MallocArenasTests {
    // Typed throws, as TOML.parse: with `Never` the compiler (6.3.1) crashes making the thunk.
    static func thread(_: Int) throws(TOMLError) -> pthread_t { pthread_self() }
    static func double(_ n: Int) throws(TOMLError) -> Int { n * 2 }

    @Test("runs on another thread and hands back its result")
    func anotherThread() throws {
        #expect(try MallocArenas.apart(Self.thread)(0) != pthread_self())
        #expect(try MallocArenas.apart(Self.double)(21) == 42)
    }

    @Test("a syntax error comes back as it would in place, with its line")
    func sameError() {
        let text = "[daemon]\nstate_dir = \"/x\"\nlog_level = \n"
        #expect(throws: ConfigError.self) { try Config.parse(text, readTOML: MallocArenas.apart(TOML.parse)) }
        do {
            _ = try Config.parse(text, readTOML: MallocArenas.apart(TOML.parse))
        } catch {
            #expect(error.problems.first?.line == 3)
            #expect(error.problems.first?.key == "(syntax)")
        }
    }

    @Test("the shipped configuration reads the same either way")
    func sameConfig() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/demo.toml").path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let apart = try Config.parse(text, file: file, readTOML: MallocArenas.apart(TOML.parse))
        let inPlace = try Config.parse(text, file: file)
        #expect(apart == inPlace)
        #expect(!apart.meters.isEmpty)
    }
}
