/// How a group of polls gets written, as a value that says what to do next; the writer
/// (WriterEngine.writePolls) does it and reports back. Nothing here touches the database.
///
/// - First the whole group in one transaction, its rows in one COPY.
/// - The server refuses a row of it (a reading already stored with another value, a
///   constraint): the group again, a chunk per poll, which finds the row and keeps it as a
///   rejection. A refusal then is the database's for good.
/// - A chain halts under it: its polls are held (their own spool), and the rest start again as a
///   group; the same polls left as before mean the halt is not theirs, and it is passed on.
///
/// Every attempt starts from the polls as decoded once (PollStage.Decoded).
struct PollGroupMachine: Equatable {
    enum Action: Equatable {
        /// Write the polls left: as one group, or a chunk per poll.
        case write(grouped: Bool)
        /// Move the polls of halted chains aside, then report `held`.
        case holdHalted
        case done
        /// Give up: the error the writer last reported is passed on.
        case fail
    }

    private(set) var polls: Int
    private var grouped = true

    init(polls: Int) { self.polls = polls }

    /// The first thing to do.
    var start: Action { polls == 0 ? .done : .write(grouped: true) }

    /// The attempt committed.
    mutating func committed() -> Action { .done }

    /// The server refused a row of the attempt.
    mutating func refused() -> Action {
        guard grouped else { return .fail }
        grouped = false
        return .write(grouped: false)
    }

    /// A chain the attempt wrote to is halted.
    mutating func halted() -> Action { .holdHalted }

    /// `left` polls are left once those of halted chains were moved aside.
    mutating func held(left: Int) -> Action {
        guard left < polls else { return .fail }  // not these polls' chain: never loop
        polls = left
        grouped = true
        return left == 0 ? .done : .write(grouped: true)
    }
}
