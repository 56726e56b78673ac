import JCMPostgres
import Testing

/// URLs are stored and logged with their secrets out, whether Foundation can parse them or not.
@Suite struct URLRedactionTests {
    @Test func queryValuesAndPasswordsAreRedacted() {
        #expect(
            URLRedaction.redact("https://monitoringapi.solaredge.com/site/1/overview?api_key=K123&format=json")
                == "https://monitoringapi.solaredge.com/site/1/overview?api_key=REDACTED&format=REDACTED")
        #expect(!URLRedaction.redact("http://user:pw@10.0.0.5/status").contains("pw"))
    }

    @Test func aWindowedURLThatFoundationRefusesStillLosesItsSecrets() {
        let url = "https://u:pw@monitoringapi.solaredge.com/site/1/energy?startDate={start}&api_key=K123#x"
        let redacted = URLRedaction.redact(url)
        #expect(!redacted.contains("K123"))
        #expect(!redacted.contains("pw"))
        #expect(redacted.hasPrefix("https://"))
        #expect(redacted.contains("monitoringapi.solaredge.com/site/1/energy?"))
    }
}
