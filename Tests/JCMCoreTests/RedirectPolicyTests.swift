import Testing

@testable import JCMCore

@Suite struct RedirectPolicyTests {
    let meter = Origin(scheme: "http", host: "gw.example", port: nil)

    @Test func anOriginIsSchemeHostAndPortWithDefaultPorts() {
        #expect(Origin(scheme: "HTTP", host: "GW.Example", port: 80) == meter)
        #expect(Origin(scheme: "https", host: "gw.example", port: nil).port == 443)
        #expect(Origin(scheme: "http", host: "gw.example", port: 8080) != meter)
        #expect(Origin(scheme: "https", host: "gw.example", port: 80) != meter)
        #expect("\(Origin(scheme: "https", host: "portal.example", port: 8443))" == "https://portal.example:8443")
    }

    @Test func sameOriginFollowsOnlyTheMetersOriginWithCredentials() {
        let p = RedirectPolicy.sameOrigin
        #expect(
            p.decide(
                meter: meter, target: Origin(scheme: "http", host: "gw.example", port: 80), hop: 1, credentialed: true)
                == .follow(withCredentials: true))
        let away = p.decide(
            meter: meter, target: Origin(scheme: "http", host: "evil.example", port: 80), hop: 1, credentialed: true)
        #expect(
            away
                == .refuse(
                    "redirect to http://evil.example:80 refused: not the meter's origin http://gw.example:80 (redirects = \"same-origin\")"
                ))
        guard
            case .refuse = p.decide(
                meter: meter, target: Origin(scheme: "http", host: "gw.example", port: 81), hop: 1, credentialed: true)
        else {
            Issue.record("another port is another origin")
            return
        }
    }

    @Test func anyFollowsElsewhereWithoutCredentialsAndNeverGetsThemBack() {
        let p = RedirectPolicy.any
        let portal = Origin(scheme: "https", host: "portal.example", port: nil)
        #expect(p.decide(meter: meter, target: portal, hop: 1, credentialed: true) == .follow(withCredentials: false))
        // Back on the meter's origin after a hop elsewhere: the chain was steered by another
        // host, so it stays without credentials.
        #expect(p.decide(meter: meter, target: meter, hop: 2, credentialed: false) == .follow(withCredentials: false))
        #expect(p.decide(meter: meter, target: meter, hop: 1, credentialed: true) == .follow(withCredentials: true))
    }

    @Test(arguments: RedirectPolicy.allCases)
    func noPolicyFollowsPastTheBoundOffHttpsOrToAnotherScheme(_ p: RedirectPolicy) {
        let secure = Origin(scheme: "https", host: "gw.example", port: nil)
        func refused(_ d: RedirectPolicy.Decision) -> String? { if case .refuse(let why) = d { why } else { nil } }
        let loop = refused(p.decide(meter: meter, target: meter, hop: RedirectPolicy.maxHops + 1, credentialed: true))
        #expect(loop != nil)
        if p != .none { #expect(loop == "more than 5 redirects; the last to http://gw.example:80") }
        #expect(
            refused(
                p.decide(
                    meter: secure, target: Origin(scheme: "http", host: "gw.example", port: 443), hop: 1,
                    credentialed: true)) != nil)
        #expect(
            refused(
                p.decide(
                    meter: meter, target: Origin(scheme: "ftp", host: "gw.example", port: nil), hop: 1,
                    credentialed: true)) != nil)
        #expect(refused(p.decide(meter: meter, target: nil, hop: 1, credentialed: true)) != nil)
        #expect(
            p == .none
                ? refused(p.decide(meter: meter, target: meter, hop: 1, credentialed: true)) != nil
                : p.decide(meter: meter, target: meter, hop: RedirectPolicy.maxHops, credentialed: true)
                    == .follow(withCredentials: true))
    }
}
