import ArgumentParser
import Foundation
import JCMCore
import JCMDaemon
import Logging

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve simulated meters over HTTP, for the demo, tests and benchmarks.",
        discussion: """
            GET /meters/N (1...N) answers JSON with a cumulative energy counter that advances in real time: \
            {"meter":"SIM-0001","ts":"…","energy":{"total_wh":…},"power_w":…}. GET / lists how many meters there are.
            """)

    @Option(help: "Number of meters.")
    var meters: Int = 10

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host:port"))
    var listen: String = "127.0.0.1:9100"

    func validate() throws {
        guard meters > 0 else { throw ValidationError("--meters must be at least 1") }
        guard ListenAddress(listen) != nil else {
            throw ValidationError("--listen must be host:port, e.g. 127.0.0.1:9100")
        }
    }

    func run() throws {
        let address = ListenAddress(listen)!
        let simulator = MeterSimulator(
            meters: meters, startedAt: Date().timeIntervalSince1970, now: { Date().timeIntervalSince1970 })
        // Blocked before the server's threads exist, so only sigwait below sees them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let server = try BackgroundServer("the simulator on \(listen)", threads: threads) { onRunning in
            SimulatorServer(
                simulator: simulator, host: address.host, port: Int(address.port),
                logger: Logger(label: "jcm-ingestd.simulate"), onRunning: onRunning
            )
        }
        print("simulating \(meters) meters on http://\(address.host):\(server.port)/meters/1 … /meters/\(meters)")
        FileHandle.standardOutput.synchronizeFile()
        var sig: Int32 = 0
        sigwait(&set, &sig)
        server.stop()
    }
}
