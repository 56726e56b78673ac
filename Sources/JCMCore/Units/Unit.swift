/// The units a meter or a report may speak, grouped by the physical dimension they measure.
/// A reading converts only within its dimension; factors are exact integers in the dimension's
/// smallest unit, so every conversion is decimal arithmetic.
public enum Dimension: String, Sendable {
    case energy, power, volume, mass, emissions
}

public struct MeasurementUnit: Sendable, Hashable, CustomStringConvertible {
    public let symbol: String
    public let dimension: Dimension
    /// How many of the dimension's base unit (J, W, L, kg, kgCO2) one of this unit is.
    public let factor: Int128

    public var description: String { symbol }

    public static let all: [MeasurementUnit] = [
        .init(symbol: "J", dimension: .energy, factor: 1),
        .init(symbol: "kJ", dimension: .energy, factor: 1_000),
        .init(symbol: "MJ", dimension: .energy, factor: 1_000_000),
        .init(symbol: "GJ", dimension: .energy, factor: 1_000_000_000),
        .init(symbol: "Wh", dimension: .energy, factor: 3_600),
        // Watt-minutes: Shelly Gen1 plugs and relays count energy in them (`meters[].total`).
        .init(symbol: "Wmin", dimension: .energy, factor: 60),
        .init(symbol: "kWh", dimension: .energy, factor: 3_600_000),
        .init(symbol: "MWh", dimension: .energy, factor: 3_600_000_000),
        .init(symbol: "GWh", dimension: .energy, factor: 3_600_000_000_000),
        .init(symbol: "W", dimension: .power, factor: 1),
        .init(symbol: "kW", dimension: .power, factor: 1_000),
        .init(symbol: "MW", dimension: .power, factor: 1_000_000),
        .init(symbol: "GW", dimension: .power, factor: 1_000_000_000),
        .init(symbol: "L", dimension: .volume, factor: 1),
        .init(symbol: "kL", dimension: .volume, factor: 1_000),
        .init(symbol: "m3", dimension: .volume, factor: 1_000),
        .init(symbol: "kg", dimension: .mass, factor: 1),
        .init(symbol: "t", dimension: .mass, factor: 1_000),
        .init(symbol: "kgCO2", dimension: .emissions, factor: 1),
        .init(symbol: "tCO2", dimension: .emissions, factor: 1_000),
    ]

    /// Spellings met in the field. Matching is otherwise exact: `MWh` and `mWh` differ by a
    /// factor of 10^9, so case is never folded.
    static let aliases: [String: String] = [
        "m³": "m3", "m^3": "m3", "l": "L", "kl": "kL", "tonne": "t",
        "tCO2e": "tCO2", "t-CO2": "tCO2", "kgCO2e": "kgCO2",
    ]

    private static let bySymbol: [String: MeasurementUnit] = {
        var table = Dictionary(uniqueKeysWithValues: all.map { ($0.symbol, $0) })
        for (alias, symbol) in aliases { table[alias] = table[symbol] }
        return table
    }()

    public static func named(_ symbol: String) -> MeasurementUnit? { bySymbol[symbol] }
}

public enum UnitConversionError: Error, Equatable, Sendable {
    case incompatible(from: MeasurementUnit, to: MeasurementUnit)
    case overflow
}

extension ExactDecimal {
    /// Converts between units of one dimension. `exact` is false only when the quotient does not
    /// terminate in decimal (J to Wh divides by 3,600), and the value was rounded half-to-even at
    /// `maxScale` digits; the raw value is always kept beside it.
    public func converted(from: MeasurementUnit, to: MeasurementUnit) throws(UnitConversionError)
        -> (value: ExactDecimal, exact: Bool)
    {
        guard from.dimension == to.dimension else { throw .incompatible(from: from, to: to) }
        if from.factor == to.factor { return (self, true) }
        guard let base = multiplied(by: from.factor), let result = base.divided(by: to.factor) else {
            throw .overflow
        }
        return (result.value.normalized, result.exact)
    }
}
