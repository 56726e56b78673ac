/// A project's agreed split of its credits between the two governments and its participants,
/// as the JCM Credits Issuance Request Form names each registry account and its credits.
extension Config {
    public struct AllocationAccount: Sendable, Equatable {
        public enum Holder: String, Sendable, Equatable, CaseIterable {
            case partnerGovernment = "partner_government"
            case japanGovernment = "japan_government"
            case participant

            /// The form's words for the kind of account.
            public var title: String {
                switch self {
                case .partnerGovernment: "Government of the partner country"
                case .japanGovernment: "Government of Japan"
                case .participant: "Project participant"
                }
            }
        }

        public var holder: Holder
        /// The account holder's name: the government, the participant company.
        public var name: String
        /// The registry account number, when known.
        public var account: String?
        public var share: CreditShare

        public init(holder: Holder, name: String, account: String? = nil, share: CreditShare) {
            self.holder = holder
            self.name = name
            self.account = account
            self.share = share
        }
    }
}

/// Whole credits out of a period's emission reductions, split by the agreed shares with the
/// largest-remainder rule (Hamilton's method): each account first gets the whole part of its
/// exact quota; the credits left over, fewer than the number of accounts, go one each to the
/// accounts with the largest fractional parts, and between equal fractions to the account
/// declared first. The total is always handed out exactly, and no account gets a credit more
/// than its quota rounded up.
public enum CreditAllocation {
    public struct Line: Sendable, Equatable {
        public var account: Config.AllocationAccount
        /// Exact quota: credits × share.
        public var quotaNumerator: Int128
        public var quotaDenominator: Int128
        public var credits: Int128
        /// Whether it received one of the leftover credits.
        public var remainder: Bool
    }

    /// Whole credits of the rounded emission reductions: the integer part (toward −∞) of a
    /// result kept to decimals, and nothing for a result at or below zero.
    public static func wholeCredits(_ rounded: ExactDecimal) -> Int128 {
        let floor = Methodology.Rounding(mode: .down, scale: 0).apply(rounded)
        return max(0, floor.significand)
    }

    /// Nil when a product does not fit in 128 bits (shares of absurd precision).
    public static func allocate(_ credits: Int128, to accounts: [Config.AllocationAccount]) -> [Line]? {
        guard credits >= 0 else { return nil }
        var lines: [Line] = []
        var given: Int128 = 0
        var remainders: [Int128] = []
        for a in accounts {
            let (product, overflow) = credits.multipliedReportingOverflow(by: a.share.numerator)
            guard !overflow else { return nil }
            let whole = product / a.share.denominator
            remainders.append(product % a.share.denominator)
            given += whole
            lines.append(
                Line(
                    account: a, quotaNumerator: product, quotaDenominator: a.share.denominator, credits: whole,
                    remainder: false))
        }
        // Larger fraction first (r_i/d_i > r_j/d_j ⇔ r_i·d_j > r_j·d_i), then declared order.
        var order = Array(lines.indices)
        var overflow = false
        order.sort { i, j in
            let (x, o1) = remainders[i].multipliedReportingOverflow(by: lines[j].quotaDenominator)
            let (y, o2) = remainders[j].multipliedReportingOverflow(by: lines[i].quotaDenominator)
            if o1 || o2 { overflow = true }
            return x != y ? x > y : i < j
        }
        guard !overflow else { return nil }
        var left = credits - given
        for i in order where left > 0 && remainders[i] > 0 {
            lines[i].credits += 1
            lines[i].remainder = true
            left -= 1
        }
        // Shares that add up to less than 1 leave credits unallocated: check-config refuses them.
        return lines
    }
}
