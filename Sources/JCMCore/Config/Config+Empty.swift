extension Config {
    /// No project, meter, watched folder or upload source: the configuration as shipped. The
    /// daemon then runs idle and says so, rather than polling or recording anything.
    public var isEmpty: Bool { projects.isEmpty && meters.isEmpty && watches.isEmpty && uploads.isEmpty }

    /// What the daemon logs (and sends as systemd STATUS=) while nothing is configured.
    public static let nothingConfiguredMessage =
        "nothing configured: no [[project]], [[meter]], [[watch]] or [[upload]]; edit the configuration, then reload"
}
