import Glibc

/// One accepted socket and its buffers. Touched only by the server thread.
///
/// Replies leave strictly in request order: while a delayed reply is held, later
/// pipelined requests stay buffered and unparsed.
final class HTTPServerConnection {
    /// What the next step for the buffered input is.
    enum Step {
        case needMore
        case sendContinue
        case request(HTTPRequest, keepAlive: Bool)
        case failure(HTTPRequestParseError)
    }

    /// A reply the handler asked to hold until `dueAt`.
    struct DelayedReply {
        var bytes: [UInt8]
        var dueAt: Int64
        var keepAlive: Bool
    }

    let fd: Int32
    var lastActivity: Int64
    var delayed: DelayedReply?
    /// Set once the final reply is queued; input after it is ignored.
    var closeAfterFlush = false
    /// The peer half-closed (FIN seen): nothing more will arrive.
    private(set) var readClosed = false
    /// Set once our side is shut down; we only drain input until this instant.
    private(set) var lingerUntil: Int64?
    private(set) var isClosed = false

    private var input: [UInt8] = []
    private var inputStart = 0
    /// How far the current partial head has been scanned for its blank line.
    private var headScanned = 0
    private var parsedHead: (head: HTTPRequestHead, length: Int)?
    private var sentContinue = false
    private var output: [UInt8] = []
    private var outputStart = 0

    /// When the request being awaited began: its first byte, or the connection's start for the
    /// first request; nil between requests on a kept-alive connection. Trickled bytes do not move it.
    private(set) var requestStartedAt: Int64?
    private let maxBodyBytes: Int

    init(fd: Int32, now: Int64, maxBodyBytes: Int = HTTPServerLimits.maxBodyBytes) {
        self.fd = fd
        self.lastActivity = now
        self.requestStartedAt = now
        self.maxBodyBytes = maxBodyBytes
    }

    var bufferedInput: Int { input.count - inputStart }
    var bufferedOutput: Int { output.count - outputStart }

    /// poll(2) interest. Reading pauses once enough is buffered (back-pressure on
    /// pipelining clients) and stops for good after FIN, which would otherwise
    /// report readable forever.
    var pollEvents: Int16 {
        var events: Int16 = 0
        if !readClosed && bufferedInput < readLimit { events |= Int16(POLLIN) }
        if bufferedOutput > 0 { events |= Int16(POLLOUT) }
        return events
    }

    private var readLimit: Int {
        if lingerUntil != nil { return Int.max }
        let body = parsedHead.map { $0.length + $0.head.contentLength } ?? 0
        return body + HTTPServerLimits.maxHeadBytes + 1
    }

    // MARK: - Socket I/O

    /// Reads until EAGAIN or the per-wake-up budget. Returns false on a fatal
    /// socket error (the caller closes).
    func readAvailable(scratch: UnsafeMutableRawBufferPointer, now: Int64) -> Bool {
        var budget = HTTPServerLimits.readBudgetBytes
        while budget > 0 && !readClosed {
            let n = recv(fd, scratch.baseAddress, scratch.count, 0)
            if n > 0 {
                lastActivity = now
                if requestStartedAt == nil { requestStartedAt = now }
                budget -= n
                // While lingering the input is discarded: we answered the last request already.
                if lingerUntil == nil && !closeAfterFlush {
                    input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                }
            } else if n == 0 {
                readClosed = true
            } else {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return true
                default: return false
                }
            }
        }
        return true
    }

    /// Sends as much buffered output as the socket takes. Returns false on a
    /// fatal error such as EPIPE/ECONNRESET (MSG_NOSIGNAL keeps SIGPIPE away).
    func flush(now: Int64) -> Bool {
        while bufferedOutput > 0 {
            let n = output.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + outputStart, bufferedOutput, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                lastActivity = now
                outputStart += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                break
            } else {
                return false
            }
        }
        if bufferedOutput == 0 {
            output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
            outputStart = 0
        } else if outputStart > 64 * 1024 {
            output.removeFirst(outputStart)
            outputStart = 0
        }
        return true
    }

    func enqueue(_ bytes: [UInt8]) {
        output += bytes
    }

    /// Half-closes our side after the final reply and starts draining; when the
    /// peer has already sent FIN there is nothing to drain and we close now.
    func beginClose(now: Int64) {
        if readClosed {
            close()
        } else if lingerUntil == nil {
            shutdown(fd, Int32(SHUT_WR))
            lingerUntil = now + HTTPServerLimits.lingerMilliseconds
            input = []
            inputStart = 0
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
        input = []
        output = []
    }

    // MARK: - Request framing

    /// Extracts the next complete request from the input buffer, if any.
    func nextStep(now: Int64) -> Step {
        if parsedHead == nil {
            skipEmptyLines()
            let found: Int? = input.withUnsafeBufferPointer { all in
                let pending = UnsafeBufferPointer(rebasing: all[inputStart...])
                // Back up 3 bytes: the terminator may straddle two reads.
                return HTTPRequestParser.findHeadEnd(pending, from: headScanned - 3)
            }
            guard let headLength = found else {
                headScanned = bufferedInput
                if bufferedInput > HTTPServerLimits.maxHeadBytes {
                    return .failure(HTTPRequestParseError(status: 431, message: "request head exceeds 64 KiB"))
                }
                return .needMore
            }
            headScanned = 0
            if headLength > HTTPServerLimits.maxHeadBytes {
                return .failure(HTTPRequestParseError(status: 431, message: "request head exceeds 64 KiB"))
            }
            do {
                let head = try input.withUnsafeBufferPointer { all throws(HTTPRequestParseError) in
                    try HTTPRequestParser.parseHead(
                        UnsafeBufferPointer(rebasing: all[inputStart..<(inputStart + headLength)]),
                        maxBodyBytes: maxBodyBytes
                    )
                }
                parsedHead = (head, headLength)
            } catch {
                return .failure(error)
            }
        }

        let (head, headLength) = parsedHead!
        guard bufferedInput >= headLength + head.contentLength else {
            // curl sends Expect: 100-continue for large uploads and would otherwise wait ~1 s.
            if head.expectsContinue && !sentContinue {
                sentContinue = true
                return .sendContinue
            }
            return .needMore
        }
        let bodyStart = inputStart + headLength
        let body = Array(input[bodyStart..<(bodyStart + head.contentLength)])
        consume(headLength + head.contentLength)
        // A pipelined request already begun starts its clock now.
        requestStartedAt = bufferedInput > 0 ? now : nil
        parsedHead = nil
        sentContinue = false
        let request = HTTPRequest(
            method: head.method, path: head.path, query: head.query, headers: head.headers, body: body)
        return .request(request, keepAlive: head.keepAlive)
    }

    private func skipEmptyLines() {
        while inputStart < input.count, input[inputStart] == 13 || input[inputStart] == 10 {
            inputStart += 1
        }
        if inputStart == input.count { consume(0) }
    }

    private func consume(_ count: Int) {
        inputStart += count
        if inputStart >= input.count {
            input.removeAll(keepingCapacity: input.capacity <= 64 * 1024)
            inputStart = 0
        } else if inputStart > 64 * 1024 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }
}
