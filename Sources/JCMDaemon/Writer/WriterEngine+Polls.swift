import Foundation
import JCMCore
import JCMCurl
import JCMPostgres
import Logging

/// Polls, one way: decoded once (PollStage.decode), validated outside the transaction
/// (PollStage.validate), stored by one transaction of SQL and COPY (`commit`), and their effects
/// applied after it (WriterEngine+Effects.swift).
extension WriterEngine {
    /// One transaction for all the polls. A poll whose spool record is already stored (a replay
    /// after a crash) is skipped. How a group the server refuses, or one a chain halts under, is
    /// written is PollGroupMachine's.
    func writePolls(_ items: [(result: PollResult, spoolRecord: String?)]) throws {
        try write(decode(try holdHalted(items, \.result, \.spoolRecord)), holdingHalted: true)
    }

    /// Each poll's body decoded, once. A poll of a meter that a reload has just removed is
    /// dropped with the meter.
    func decode(_ items: [(result: PollResult, spoolRecord: String?)]) -> [PollStage.Decoded] {
        guard let registry = validator?.registry else { return [] }
        return items.compactMap { item in
            guard let meter = registry.lookup(item.result.meterID)?.meter, let poll = meter.poll else {
                logger.warning(
                    "poll of a meter no longer configured; not written",
                    metadata: ["meter.id": "\(item.result.meterID)"])
                return nil
            }
            decodedPolls += 1
            return PollStage.decode(item.result, spoolRecord: item.spoolRecord, meter: meter, poll: poll)
        }
    }

    /// Drives PollGroupMachine: performs what it says and tells it how that went. Every attempt
    /// starts from the decoded polls; they are validated again only when the polls left change.
    /// - Parameter holdingHalted: false for a resumed chain's held polls: a halt goes to the caller.
    func write(_ polls: [PollStage.Decoded], holdingHalted: Bool) throws {
        guard let store, stage != nil else { return }
        try seedGaps(polls.map(\.meter), store: store)
        var polls = polls
        var machine = PollGroupMachine(polls: polls.count)
        var action = machine.start
        var planned: (batch: PollStage.Batch, from: PollStage.State, now: Timestamp)?
        var failure: Error?
        while true {
            switch action {
            case .done: return
            case .fail:
                if let failure { throw failure }
                return
            case .holdHalted:
                polls = try holdHalted(polls, \.result, \.spoolRecord)
                planned = nil
                action = machine.held(left: polls.count)
            case .write(let grouped):
                guard let from = stage else { return }
                let plan =
                    planned
                    ?? {
                        let now = Timestamp(date: Date())
                        return (PollStage.validate(polls, from: from, now: now), from, now)
                    }()
                planned = plan
                do {
                    apply(try commit(polls, plan.batch, from: plan.from, now: plan.now, grouped: grouped, store: store))
                    action = machine.committed()
                } catch let error as PostgresError where error.isUniqueViolation || error.isDataError {
                    failure = error
                    if grouped {
                        logger.debug(
                            "group of polls redone a poll at a time",
                            metadata: ["polls": "\(polls.count)", "error": "\(error)"])
                    }
                    action = machine.refused()
                } catch let halt as ChainHalted where holdingHalted {
                    failure = halt
                    noteHalt(halt)
                    action = machine.halted()
                }
            }
        }
    }

    /// The newest stored reading of each backfilled meter not read yet, read before the
    /// transaction: after a restart, the first poll's gap is measured from it.
    private func seedGaps(_ meters: [Config.Meter], store: ReadingStore) throws {
        guard let unseeded = stage?.gaps.unseeded(meters), !unseeded.isEmpty else { return }
        let newest = try store.newestReadings(ofMeters: unseeded).mapValues {
            BackfillMark(timestamp: $0.timestamp, value: $0.value)
        }
        stage?.gaps.seed(unseeded, newest: newest)
    }

    /// Runs the batch's SQL and COPY in one transaction: the polls' batches, their rows (together
    /// when `grouped`, a chunk each otherwise), and the rows of jcm.meter_state they move.
    private func commit(
        _ polls: [PollStage.Decoded], _ planned: PollStage.Batch, from: PollStage.State, now: Timestamp, grouped: Bool,
        store: ReadingStore
    ) throws -> PollEffects {
        var polls = polls
        var batch = planned
        var effects = PollEffects()
        try store.transaction {
            let records = polls.map(\.record)
            let group = grouped ? ChunkGroup() : nil
            let ids = try group != nil ? store.insertBatches(records) : records.map { try store.insertBatch($0) }
            if ids.contains(nil) {
                // Spooled polls already written (a replay after a crash): the others are
                // validated again without them, from the same state. Decoded already.
                for (poll, id) in zip(polls, ids) where id == nil {
                    logger.debug(
                        "spooled poll already written",
                        metadata: ["meter.id": "\(poll.meter.id)", "spool.record": "\(poll.spoolRecord ?? "")"])
                }
                polls = zip(polls, ids).filter { $0.1 != nil }.map(\.0)
                batch = PollStage.validate(polls, from: from, now: now)
            }
            for (i, (poll, id)) in zip(polls, ids.compactMap { $0 }).enumerated() {
                let chunk =
                    try group.map { try store.beginChunk(batch: id, source: poll.meter.id, group: $0) }
                    ?? store.beginChunk(batch: id, source: poll.meter.id)
                let item = batch.items[i]
                for row in item.rows {
                    switch row {
                    case .reading(let r): try chunk.add(r, location: poll.meter.id)
                    case .rejection(let r): chunk.add(r)
                    }
                }
                var counts = try chunk.commit()
                counts.duplicates += item.duplicates
                effects.add(poll, item, counts)
            }
            if let group { try store.finish(group) }
            // The meters' state moves with their polls: both commit, or neither.
            effects.states = MeterPollState.fold(effects.polls)
            effects.written = shared.due(effects.states)
            try store.recordPollStates(effects.written)
        }
        effects.stage = batch.state
        effects.gaps = batch.gaps
        return effects
    }
}
