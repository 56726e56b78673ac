/// The release, shown by `--version` and sent as the User-Agent.
public enum Version {
    public static let string = "0.1.0"
}
