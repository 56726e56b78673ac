/// COPY takes no `$n` parameters. A value a COPY needs is set beforehand as a setting of the
/// session or transaction (`jcm.param_<name>`) through a bound `set_config`, and the statement
/// reads it back with `Connection.parameter(_:as:)`: no value is ever spliced into SQL text.
extension Connection {
    /// - Parameter local: for the current transaction only (the verifier's snapshot); else for
    ///   the session.
    public func setParameter(_ name: String, _ value: SQLParameter, local: Bool = true) throws {
        try query("select set_config('jcm.param_' || $1, $2, $3)", [.text(name), value, .bool(local)])
    }

    /// The SQL that reads a parameter set by `setParameter` as `type`: a scalar subquery, so it
    /// is read and cast once per statement, not once per row; cast again outside it so that
    /// `= any(…)` takes it as an array, not as a subquery's rows. `name` and `type` are the
    /// caller's constants, never values.
    public static func parameter(_ name: String, as type: String) -> String {
        "(select current_setting('jcm.param_\(name)')::\(type))::\(type)"
    }
}
