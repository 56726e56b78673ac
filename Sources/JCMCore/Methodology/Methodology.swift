/// A JCM methodology as data: the parameters it reads and the equations that turn them into
/// reference, project and emission reductions. Read from TOML by `Methodology+TOML.swift`
/// (docs/methodologies.md documents the format); evaluated by `PeriodCalculation`.
public struct Methodology: Sendable, Equatable {
    /// The file it was read from, as given to the loader; messages and results name it.
    public var file: String
    public var id: String
    public var title: String
    public var version: String
    /// The approved methodologies it follows, free text ("TH_AM001 / KH_AM002").
    public var reference: String?
    public var rounding: Rounding
    /// The equation whose value is the emission reductions; it is rounded by `rounding`.
    public var result: String
    public var parameters: [Parameter]
    /// In file order; each refers only to parameters and to equations above it.
    public var equations: [Equation]

    public init(
        file: String, id: String, title: String, version: String, reference: String? = nil,
        rounding: Rounding = Rounding(), result: String, parameters: [Parameter], equations: [Equation]
    ) {
        self.file = file
        self.id = id
        self.title = title
        self.version = version
        self.reference = reference
        self.rounding = rounding
        self.result = result
        self.parameters = parameters
        self.equations = equations
    }

    public func parameter(_ id: String) -> Parameter? { parameters.first { $0.id == id } }

    /// Option A parameters: one fixed value per project, from the configuration.
    public var fixedParameters: [Parameter] { parameters.filter { $0.option == .a } }
    /// Option B and C parameters: summed from the project's meters over the period.
    public var measuredParameters: [Parameter] { parameters.filter { $0.option != .a } }

    /// Which way a larger value of a parameter moves the emission reductions. Conservative
    /// handling follows from it: what could overstate reductions is deducted or excluded.
    public enum Effect: String, Sendable, Equatable, CaseIterable {
        case raises, lowers
    }

    public struct Parameter: Sendable, Equatable {
        public var id: String
        /// As written. Measured parameters need a `MeasurementUnit`; option A ones may be
        /// anything ("tCO2/MWh", "-").
        public var unitText: String
        public var unit: MeasurementUnit?
        public var option: Config.MonitoringOption
        public var effect: Effect
        public var description: String?
        /// Line of its `[[parameter]]` header in the methodology file.
        public var line: Int

        public init(
            id: String, unitText: String, unit: MeasurementUnit? = nil, option: Config.MonitoringOption,
            effect: Effect, description: String? = nil, line: Int = 0
        ) {
            self.id = id
            self.unitText = unitText
            self.unit = unit ?? MeasurementUnit.named(unitText)
            self.option = option
            self.effect = effect
            self.description = description
            self.line = line
        }
    }

    public struct Equation: Sendable, Equatable {
        public var id: String
        public var expression: Expression
        /// The expression as written, for the result a verifier reads.
        public var source: String
        public var unit: String?
        public var line: Int

        public init(id: String, expression: Expression, source: String, unit: String? = nil, line: Int = 0) {
            self.id = id
            self.expression = expression
            self.source = source
            self.unit = unit
            self.line = line
        }
    }
}
