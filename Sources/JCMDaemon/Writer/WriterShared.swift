import Foundation
import JCMCore
import JCMPostgres
import Synchronization

/// What the writer shares with other threads: the sources hand over and ask about downloads,
/// the main thread sets the report callback and the drain deadline and reads the validators and
/// the halted chains. One lock over small, quick things, never held across I/O: the writer's own
/// state (its connection, the validator, what it holds for halted chains) is WriterEngine's.
final class WriterShared: Sendable {
    private struct State {
        var reportDone: @Sendable (String, ReportOrigin?) -> Void = { _, _ in }
        /// Paths of downloaded reports submitted and not yet done with. Kept by the writer, not
        /// the upload poller, because the writer outlives a reload: the poller of the next
        /// configuration must not download over a copy the previous one handed over.
        var downloadsInFlight: Set<String> = []
        var spooledWaiting = false
        var drainDeadline: Date?
        var meterStates = MeterStates()
        var chainHeads: ChainHeadGuard?
        var recheckSeconds = 10.0
        var health = WriterHealth()
    }
    private let state = Mutex(State())

    var reportDone: @Sendable (String, ReportOrigin?) -> Void {
        get { state.withLock { $0.reportDone } }
        set { state.withLock { $0.reportDone = newValue } }
    }

    func submitted(download path: String) { state.withLock { _ = $0.downloadsInFlight.insert(path) } }

    func isDownloadPending(_ path: String) -> Bool { state.withLock { $0.downloadsInFlight.contains(path) } }

    func reportFinished(_ path: String, origin: ReportOrigin?) {
        let done = state.withLock { s in
            if origin != nil { s.downloadsInFlight.remove(path) }
            return s.reportDone
        }
        done(path, origin)
    }

    /// True for the first call since the writer last took the spooled job (takeSpooledJob).
    func spooled() -> Bool {
        state.withLock { s in
            defer { s.spooledWaiting = true }
            return !s.spooledWaiting
        }
    }

    func takeSpooledJob() { state.withLock { $0.spooledWaiting = false } }

    func drain(until deadline: Date) { state.withLock { $0.drainDeadline = deadline } }

    var pastDrainDeadline: Bool { state.withLock { s in s.drainDeadline.map { Date() > $0 } ?? false } }

    var validators: [String: MeterStates.Validators] { state.withLock { $0.meterStates.byMeter } }

    func seed(_ stored: [String: MeterStates.Validators]) {
        state.withLock { s in for (meter, v) in stored { s.meterStates.seed(meter: meter, v) } }
    }

    /// The rows of jcm.meter_state a group must move (MeterStates.due).
    func due(_ states: [MeterPollState]) -> [MeterPollState] {
        state.withLock { s in states.filter { s.meterStates.due($0) } }
    }

    func committed(polled: [MeterPollState], wrote: [MeterPollState]) {
        state.withLock { $0.meterStates.committed(polled: polled, wrote: wrote) }
    }

    var chainHeads: ChainHeadGuard? {
        get { state.withLock { $0.chainHeads } }
        set { state.withLock { $0.chainHeads = newValue } }
    }

    /// What the daemon's /healthz and systemd's STATUS= say of the writer.
    var health: WriterHealth {
        state.withLock { s in
            var h = s.health
            h.haltedChains = s.chainHeads?.halted.keys.sorted() ?? []
            return h
        }
    }

    func update(_ change: (inout WriterHealth) -> Void) { state.withLock { change(&$0.health) } }

    var recheckSeconds: Double {
        get { state.withLock { $0.recheckSeconds } }
        set { state.withLock { $0.recheckSeconds = newValue } }
    }
}
