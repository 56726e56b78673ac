/// Reading `[[project.allocation]]` and `[project.value_sources]` (docs/configuration.md).
extension Config {
    /// Each account's holder, name, registry account and share. The shares must add up to
    /// exactly 1, and each government appears at most once: otherwise the request form would
    /// hand out more or fewer credits than the period earned.
    static func readAllocation(_ r: inout TableReader) -> [AllocationAccount] {
        let tables = r.tables("allocation")
        guard !tables.isEmpty else { return [] }
        var accounts: [AllocationAccount] = []
        var complete = true
        for (i, t) in tables.enumerated() {
            var a = TableReader(t, path: r.keyPath("allocation[\(i + 1)]"))
            var holder: AllocationAccount.Holder?
            if let h = a.requiredString("holder") {
                holder = AllocationAccount.Holder(rawValue: h)
                if holder == nil {
                    a.problem(
                        "holder",
                        "\"\(h)\" is not one of \(AllocationAccount.Holder.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
            }
            let name = a.requiredString("name")
            let account = a.string("account")
            var share: CreditShare?
            if let text = a.requiredString("share") {
                share = CreditShare(parsing: text)
                if share == nil {
                    a.problem(
                        "share",
                        "\"\(text)\" is not a share between 0 and 1: a fraction (\"1/3\"), a percentage (\"50%\") or a decimal (\"0.5\")"
                    )
                }
            }
            if let holder, holder != .participant, accounts.contains(where: { $0.holder == holder }) {
                a.problem("holder", "\(holder.rawValue) has an account already: one account per government")
            }
            if let name, accounts.contains(where: { $0.name == name }) {
                a.problem("name", "\"\(name)\" has an account already")
            }
            if let holder, let name, let share {
                accounts.append(AllocationAccount(holder: holder, name: name, account: account, share: share))
            } else {
                complete = false
            }
            r.problems += a.finish()
        }
        guard complete else { return accounts }
        var sum: CreditShare? = .zero
        for a in accounts { sum = sum.flatMap { $0 + a.share } }
        if let sum, !sum.isOne {
            r.problem(
                "allocation",
                "the shares add up to \(sum.numerator)/\(sum.denominator), not 1 (\(accounts.map(\.share.text).joined(separator: " + ")))"
            )
        } else if sum == nil {
            r.problem("allocation", "the shares are too fine to add up exactly: write them with fewer digits")
        }
        return accounts
    }

    /// `[project.value_sources]`: for each option A value, where it comes from (Table 2's
    /// "Source of data"). Checked against the methodology with the values.
    static func readValueSources(_ r: inout TableReader) -> [String: String] {
        guard let t = r.table("value_sources") else { return [:] }
        var out: [String: String] = [:]
        for (key, node) in t.nodes {
            if case .string(let s) = node.value, !s.isEmpty {
                out[key] = s
            } else {
                r.problems.append(
                    ConfigProblem(
                        key: r.keyPath("value_sources.\(key)"), line: node.line,
                        message: "must be a text naming the source (\"IGES JCM grid emission factors, 2024\")"))
            }
        }
        return out
    }
}
