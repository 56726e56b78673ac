/// Fixed limits of the embedded HTTP server. Not configurable: the server only
/// serves the simulator and test gateways, and these cover both comfortably.
enum HTTPServerLimits {
    /// A head larger than this is answered with 431 and the connection closed.
    static let maxHeadBytes = 64 * 1024
    /// Request bodies above this are answered with 413 (gateway uploads are small).
    static let maxBodyBytes = 16 * 1024 * 1024
    /// A connection with no traffic for this long is closed (also bounds slow-loris heads).
    static let idleTimeoutMilliseconds: Int64 = 30_000
    /// After our final reply we half-close and drain the peer this long before close(),
    /// so unread pipelined input cannot turn our FIN into an RST that eats the reply.
    static let lingerMilliseconds: Int64 = 2_000
    /// Stop parsing further pipelined requests while this much output is unsent.
    static let maxBufferedOutputBytes = 1024 * 1024
    /// Back-off for accept() after EMFILE/ENFILE, so a full fd table is not a busy loop.
    static let acceptBackoffMilliseconds: Int64 = 100
    /// Bytes read from one socket per wake-up, so one fast sender cannot starve the rest.
    static let readBudgetBytes = 256 * 1024
    static let listenBacklog: Int32 = 4096
}
