import Foundation
import Testing

@testable import JCMCore

/// The agreed split of a period's credits: exact shares, the largest-remainder rule, and the
/// configuration's checks that the shares add up to exactly 1.
@Suite struct CreditAllocationTests {
    func account(_ name: String, _ share: String, _ holder: Config.AllocationAccount.Holder = .participant)
        -> Config.AllocationAccount
    {
        Config.AllocationAccount(holder: holder, name: name, share: CreditShare(parsing: share)!)
    }

    @Test func sharesAreExactFractions() throws {
        #expect(CreditShare(parsing: "1/3").map { [$0.numerator, $0.denominator] } == [1, 3])
        #expect(CreditShare(parsing: "2/6").map { [$0.numerator, $0.denominator] } == [1, 3])
        #expect(CreditShare(parsing: "33.5%").map { [$0.numerator, $0.denominator] } == [67, 200])
        #expect(CreditShare(parsing: "0.25").map { [$0.numerator, $0.denominator] } == [1, 4])
        #expect(CreditShare(parsing: "100%")?.isOne == true)
        for bad in ["1/0", "4/3", "-10%", "101%", "1.5", "a/b", "", "1/3/4"] {
            #expect(CreditShare(parsing: bad) == nil, "\(bad)")
        }
        let third = CreditShare(parsing: "1/3")!
        let sum = (third + third).flatMap { $0 + third }
        #expect(sum?.isOne == true)
        #expect((CreditShare(parsing: "33.33%")! + CreditShare(parsing: "2/3")!)?.isOne == false)
    }

    @Test func largestRemainderHandsOutEveryCredit() throws {
        // 782 × (10%, 1/3, 1/3, 7/30) = 78.2, 260.67, 260.67, 182.47: 780 by the whole parts,
        // the 2 left go to the two largest fractions (0.67 and 0.67).
        let lines = try #require(
            CreditAllocation.allocate(
                782,
                to: [
                    account("Partner", "10%", .partnerGovernment), account("Japan", "1/3", .japanGovernment),
                    account("A", "1/3"), account("B", "7/30"),
                ]))
        #expect(lines.map(\.credits) == [78, 261, 261, 182])
        #expect(lines.map(\.remainder) == [false, true, true, false])
        #expect(lines.map(\.credits).reduce(0, +) == 782)
    }

    @Test func tiesGoToTheOrderDeclared() throws {
        // 10 in thirds: 3.33 each, one credit left, all fractions equal: the first declared gets it.
        let lines = try #require(
            CreditAllocation.allocate(10, to: [account("X", "1/3"), account("Y", "1/3"), account("Z", "1/3")]))
        #expect(lines.map(\.credits) == [4, 3, 3])
        let reversed = try #require(
            CreditAllocation.allocate(10, to: [account("Z", "1/3"), account("Y", "1/3"), account("X", "1/3")]))
        #expect(reversed.map { "\($0.account.name)\($0.credits)" } == ["Z4", "Y3", "X3"])
        // 11 in thirds: two left, the first two declared.
        #expect(
            CreditAllocation.allocate(11, to: [account("X", "1/3"), account("Y", "1/3"), account("Z", "1/3")])?.map(
                \.credits) == [4, 4, 3])
    }

    @Test func wholeCreditsOfTheRoundedResult() {
        #expect(CreditAllocation.wholeCredits(ExactDecimal(parsing: "782")!) == 782)
        #expect(CreditAllocation.wholeCredits(ExactDecimal(parsing: "782.9")!) == 782)
        #expect(CreditAllocation.wholeCredits(ExactDecimal(parsing: "-3")!) == 0)
        #expect(
            CreditAllocation.allocate(0, to: [account("A", "1/2"), account("B", "1/2")])?.map(\.credits) == [0, 0])
    }

    static let config = """
        [[project]]
        id = "P"
        methodology = "TH_AM001"
        [[project.allocation]]
        holder = "partner_government"
        name = "Ministry of Environment"
        share = "10%"
        [[project.allocation]]
        holder = "japan_government"
        name = "Government of Japan"
        account = "JP-100-0001"
        share = "1/3"
        [[project.allocation]]
        holder = "participant"
        name = "Solar Co"
        share = "SHARE"
        """

    func problems(_ text: String) -> [String] {
        do {
            _ = try Config.parse(text)
            return []
        } catch {
            return error.problems.map { "\($0.line) \($0.key): \($0.message)" }
        }
    }

    @Test func theConfigurationDeclaresTheAllocation() throws {
        #expect(problems(Self.config.replacingOccurrences(of: "SHARE", with: "17/30")).isEmpty)
        let p = try Config.parse(Self.config.replacingOccurrences(of: "SHARE", with: "17/30")).projects[0]
        #expect(p.allocation.map(\.holder) == [.partnerGovernment, .japanGovernment, .participant])
        #expect(p.allocation[1].account == "JP-100-0001")
        #expect(p.allocation.map(\.share.text) == ["10%", "1/3", "17/30"])
    }

    @Test func sharesThatDoNotAddUpToOneAreRefused() {
        #expect(
            problems(Self.config.replacingOccurrences(of: "SHARE", with: "0.5666666666666666"))
                == [
                    "4 project[1].allocation: the shares add up to 14999999999999999/15000000000000000, not 1 (10% + 1/3 + 0.5666666666666666)"
                ])
        #expect(
            problems(Self.config.replacingOccurrences(of: "SHARE", with: "60%"))
                == ["4 project[1].allocation: the shares add up to 31/30, not 1 (10% + 1/3 + 60%)"])
        #expect(
            problems(Self.config.replacingOccurrences(of: "SHARE", with: "half"))
                == [
                    "16 project[1].allocation[3].share: \"half\" is not a share between 0 and 1: a fraction (\"1/3\"), a percentage (\"50%\") or a decimal (\"0.5\")"
                ])
        let twice = Self.config.replacingOccurrences(of: "SHARE", with: "17/30").replacingOccurrences(
            of: "\"japan_government\"", with: "\"partner_government\"")
        #expect(
            problems(twice)
                == [
                    "9 project[1].allocation[2].holder: partner_government has an account already: one account per government"
                ])
    }
}
