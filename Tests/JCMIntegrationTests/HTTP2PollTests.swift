import Foundation
import JCMCore
import JCMDaemon
import Testing

/// A gateway that offers HTTP/2 (nginx over TLS, from Debian's package): the daemon's polls of
/// all its meters go over HTTP/2 on one connection, even with one connection allowed per host.
@Suite("polls: HTTP/2 where the gateway offers it", .serialized)
struct HTTP2PollTests {
    @Test func everyMeterOfAnHTTP2GatewayIsPolledOverOneConnection() throws {
        try #require(Nginx.available, "nginx is installed by deploy/deps.sh")
        let dir = TempDir()
        let cert = dir.file("gw.pem")
        let key = dir.file("gw.key")
        try #require(makeCertificate(cert, key: key), "openssl could not make a certificate")
        let port = try freePort()
        // Each request's connection number and protocol, and a counter that advances (its clock).
        let nginx = try Nginx(
            dir: dir.path, port: port,
            http: """
                    log_format h2 '$connection $server_protocol $request_uri $status';
                    access_log \(dir.file("access.log")) h2;
                    server {
                        listen 127.0.0.1:\(port) ssl http2;
                        ssl_certificate \(cert); ssl_certificate_key \(key);
                        location ~ ^/meters/(\\d+)$ { default_type application/json; return 200 '{"ts": $msec, "wh": $msec}'; }
                    }
                """)
        defer { nginx.stop() }

        let meters = 12
        var text = PolledGateways.header(daemon: "max_connections_per_host = 1")
        for i in 1...meters {
            text += PolledGateways.meter(
                "H2-\(i)", "https://127.0.0.1:\(port)/meters/\(i)", "tls.ca_file = \"\(cert)\"")
        }
        let conninfo = try TestCluster.freshDatabase()
        let polled = PolledGateways.run(try Config.parse(text), conninfo) {
            try scalar(
                conninfo,
                "select count(*) from (select meter_id from jcm.readings_view group by 1 having count(*) >= 3) x")
                == "\(meters)"
        }
        #expect(polled, "every meter has three readings")
        #expect(try scalar(conninfo, "select count(*) from jcm.rejections") == "0")
        let log = try String(contentsOfFile: dir.file("access.log"), encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: " ")
        }
        #expect(log.count >= 3 * meters)
        #expect(log.allSatisfy { $0.count == 4 && $0[1] == "HTTP/2.0" && $0[3] == "200" }, "\(log.prefix(3))")
        #expect(Set(log.map { $0[0] }).count == 1, "connections: \(Set(log.map { $0[0] }))")
    }
}
