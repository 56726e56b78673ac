import JCMCore

extension MeterPoller {
    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    enum Hop {
        /// The next hop is in flight.
        case followed
        /// The poll ends here, and why (naming the target's origin, never its path or query).
        case refused(String)
        /// No Location: the 3xx is the poll's answer.
        case final
    }

    /// On a 3xx: re-issues the poll at its Location, on the same handle, if the meter's
    /// RedirectPolicy allows it and time is left.
    func followRedirect(
        _ easy: EasyHandle, target t: PollTarget, meter: Int, origin: Origin?, machine: inout PollSlots,
        multi: MultiHandle, now: Int64
    ) -> Hop {
        guard let location = easy.redirectURL else { return .final }
        guard let origin else { return .refused("redirect not followed: the meter's url does not parse") }
        let next = Origin(curlURL: location)
        let slot = machine.slots[meter]
        switch t.redirects.decide(
            meter: origin, target: next, hop: slot.hops + 1, credentialed: easy.credentialed, afterHTTPS: slot.onHTTPS)
        {
        case .refuse(let why):
            return .refused(why)
        case .follow(let withCredentials):
            machine.hopped(meter, toHTTPS: next?.scheme == "https")
            let left = Int64(t.timeoutMs) - (now - slot.startedMs)
            guard left > 0 else { return .refused("timeout of \(t.timeoutMs) ms reached following redirects") }
            do {
                try easy.prepareRedirect(to: location, timeoutMs: Int(left), withCredentials: withCredentials)
                try multi.add(easy)
                return .followed
            } catch {
                return .refused("redirect to \(next.map(String.init(describing:)) ?? "?") failed: \(error)")
            }
        }
    }
}
