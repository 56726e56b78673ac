/// A meter's rated capacity, as the most it can count in one hour in its own unit: "500 kW" of
/// PV generates at most 500 kWh per hour; "12 m3/h" of a fuel line passes at most 12 m3.
public enum Capacity {
    public struct Problem: Error, Equatable {
        public var message: String
    }

    static let powerToEnergy = ["W": "Wh", "kW": "kWh", "MW": "MWh", "GW": "GWh"]

    public static func perHour(_ text: String, in unit: MeasurementUnit) -> Result<ExactDecimal, Problem> {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let amount = ExactDecimal(parsing: parts[0]), !amount.isNegative, amount != .zero else {
            return .failure(
                Problem(
                    message:
                        "\"\(text)\" is not a capacity: write a positive number and a unit, \"500 kW\" or \"12 m3/h\""))
        }
        let symbol = String(parts[1])
        let perHourUnit: MeasurementUnit?
        if let energy = powerToEnergy[symbol] {
            perHourUnit = MeasurementUnit.named(energy)
        } else if symbol.hasSuffix("/h") {
            perHourUnit = MeasurementUnit.named(String(symbol.dropLast(2)))
        } else {
            perHourUnit = nil
        }
        guard let from = perHourUnit else {
            return .failure(
                Problem(message: "\"\(symbol)\" is not a power (W, kW, MW, GW) nor a unit per hour (\"m3/h\")"))
        }
        do {
            return .success(try amount.converted(from: from, to: unit).value)
        } catch .incompatible {
            return .failure(Problem(message: "\(symbol) cannot bound a meter counting \(unit) (\(unit.dimension))"))
        } catch {
            return .failure(Problem(message: "\"\(text)\" overflows in \(unit)"))
        }
    }
}
