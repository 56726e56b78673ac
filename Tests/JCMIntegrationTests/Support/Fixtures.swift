import Foundation
import JCMCore

/// Configurations the integration tests share.
enum Fixtures {
    /// Each configuration gets a state folder (and so a spool) of its own unless told otherwise.
    static func config(
        watchDir: String? = nil, gateway: String? = nil, stateDir: String = TestCluster.scratch(), metrics: Bool = false
    ) throws -> Config {
        var text = metrics ? "[metrics]\nlisten = \"127.0.0.1:0\"\n\n" : ""
        text += """
            [daemon]
            state_dir = "\(stateDir)"
            clock_skew = "5m"

            [[project]]
            id = "IN-JP-0001"
            methodology = "IN_AM001 ver01.0"

            [[meter]]
            id = "PV-1"
            project = "IN-JP-0001"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"

            [[meter]]
            id = "PV-2"
            project = "IN-JP-0001"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"
            timezone = "Asia/Kolkata"

            [[meter]]
            id = "FUEL-1"
            project = "IN-JP-0001"
            parameter = "FC_p"
            kind = "interval"
            unit = "kL"

            """
        if let gateway {
            for (id, path) in [
                ("GW-OK", "ok"), ("GW-HTML", "html"), ("GW-500", "error"), ("GW-SLOW", "slow"), ("GW-BIG", "big"),
                ("GW-NOFIELD", "nofield"), ("GW-304", "unchanged"),
            ] {
                text += """
                    [[meter]]
                    id = "\(id)"
                    project = "IN-JP-0001"
                    parameter = "EG_p"
                    kind = "cumulative"
                    unit = "kWh"
                    url = "\(gateway)/\(path)?api_key=secret123"
                    interval = "1s"
                    timeout = "700ms"
                    max_response_bytes = 4096
                    json.value = "energy.total_wh"
                    json.unit = "Wh"
                    json.timestamp = "ts"

                    """
            }
        }
        if let watchDir {
            text += """
                [[watch]]
                dir = "\(watchDir)"

                """
        }
        return try Config.parse(text)
    }
}
