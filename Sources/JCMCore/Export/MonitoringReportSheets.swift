/// The JCM Monitoring Report Sheet of one period as worksheets: `MRS(input)` (Table 1, the
/// parameters monitored ex post, and Table 2, the values fixed ex ante), `MRS(calc_process)`
/// (the methodology's equations as live formulas over the input cells), `Corrections`,
/// `Issuance request` and `About`. The Dataset sheet is streamed by the command; this is pure
/// and small (a row per meter, correction and equation).
public struct MonitoringReportSheets: Sendable {
    /// One row of Table 1: one parameter at one monitoring point (meter), in the parameter's unit.
    public struct MonitoredRow: Sendable {
        public var parameter: String
        public var meter: String
        public var texts: Config.SheetTexts
        public var value: ExactDecimal
        public var unit: String
        public var option: Config.MonitoringOption

        public init(
            parameter: String, meter: String, texts: Config.SheetTexts, value: ExactDecimal, unit: String,
            option: Config.MonitoringOption
        ) {
            self.parameter = parameter
            self.meter = meter
            self.texts = texts
            self.value = value
            self.unit = unit
            self.option = option
        }
    }

    /// A titled block of the Corrections sheet (gaps, steps, notes, recorded corrections).
    public struct Block: Sendable {
        public var title: String
        public var columns: [String]
        public var rows: [[XLSXCell]]
        public init(title: String, columns: [String], rows: [[XLSXCell]]) {
            self.title = title
            self.columns = columns
            self.rows = rows
        }
    }

    public var project: String
    public var projectName: String?
    public var period: String
    public var starts: Timestamp
    public var ends: Timestamp
    public var methodology: Methodology
    public var result: PeriodResult
    public var monitored: [MonitoredRow]
    /// Option A values' sources, by parameter.
    public var sources: [String: String]
    public var blocks: [Block]
    public var about: [(String, XLSXCell)]
    public var allocation: [CreditAllocation.Line]
    public var credits: Int128

    public init(
        project: String, projectName: String?, period: String, starts: Timestamp, ends: Timestamp,
        methodology: Methodology, result: PeriodResult, monitored: [MonitoredRow], sources: [String: String],
        blocks: [Block], about: [(String, XLSXCell)], allocation: [CreditAllocation.Line], credits: Int128
    ) {
        self.project = project
        self.projectName = projectName
        self.period = period
        self.starts = starts
        self.ends = ends
        self.methodology = methodology
        self.result = result
        self.monitored = monitored
        self.sources = sources
        self.blocks = blocks
        self.about = about
        self.allocation = allocation
        self.credits = credits
    }

    public static let input = "MRS(input)"
    public static let calc = "MRS(calc_process)"
    public static let corrections = "Corrections"
    public static let issuance = "Issuance request"
    public static let about = "About"

    /// Table 1's column headers, as the JCM sheet heads them.
    public static let table1Columns = [
        "(a) Monitoring period", "(b) Monitoring point No.", "(c) Parameters", "(d) Description of data",
        "(e) Monitored values", "(f) Units", "(g) Monitoring option", "(h) Source of data",
        "(i) Measurement methods and procedures", "(j) Monitoring frequency", "(k) Other comments",
    ]
    public static let table2Columns = [
        "(a) Parameters", "(b) Description of data", "(c) Values", "(d) Units", "(e) Source of data",
    ]

    /// Every sheet but the Dataset, in workbook order: (name, XML).
    public func sheets() -> [(name: String, xml: String)] {
        let (inputXML, inputRefs) = inputSheet()
        let (correctionsXML, correctionRows) = correctionsSheet()
        let (calcXML, creditsCell) = calcSheet(inputRefs: inputRefs, correctionRows: correctionRows)
        return [
            (Self.input, inputXML), (Self.calc, calcXML), (Self.corrections, correctionsXML),
            (Self.issuance, issuanceSheet(creditsCell: creditsCell)), (Self.about, aboutSheet()),
        ]
    }

    static func ref(_ sheet: String, _ column: Int, _ row: Int) -> String {
        "'\(sheet)'!$\(XLSXCell.column(column))$\(row)"
    }

    static func decimals(_ d: ExactDecimal) -> Int { min(d.normalized.scale, XLSXStyle.maxDecimals) }

    var periodText: String { "\(period): \(starts) – \(ends) (UTC, end exclusive)" }

    /// MRS(input), and for each parameter the cells that hold its values (Table 1's rows of
    /// a measured one, Table 2's cell of a fixed one).
    func inputSheet() -> (String, [String: [String]]) {
        var rows: [[XLSXCell]] = [
            [.header("Monitoring Report Sheet (input)")],
            [.label("Project"), .text(project + (projectName.map { " – \($0)" } ?? ""))],
            [.label("Methodology"), .text("\(methodology.id) \(methodology.version): \(methodology.title)")],
            [.label("Monitoring period"), .text(periodText)],
            [.header("Table 1: Parameters monitored ex post")],
            Self.table1Columns.map { .header($0) },
        ]
        var refs: [String: [String]] = [:]
        for m in monitored {
            refs[m.parameter, default: []].append(Self.ref(Self.input, 4, rows.count + 1))
            let t = m.texts
            rows.append([
                .text(period), .text(t.point ?? m.meter), .text(m.parameter), .paragraph(t.description ?? ""),
                .number(m.value), .text("\(m.unit)/p"), .text(m.option.rawValue), .paragraph(t.source ?? ""),
                .paragraph(t.methods ?? ""), .paragraph(t.frequency ?? ""),
                .paragraph(t.comments.map { "\($0) (meter \(m.meter))" } ?? "meter \(m.meter)"),
            ])
        }
        rows.append([])
        rows.append([.header("Table 2: Project-specific parameters to be fixed ex ante")])
        rows.append(Self.table2Columns.map { .header($0) })
        for p in methodology.fixedParameters {
            let value = result.parameters.first { $0.parameter == p.id }?.adjusted ?? .zero
            refs[p.id] = [Self.ref(Self.input, 2, rows.count + 1)]
            rows.append([
                .text(p.id), .paragraph(p.description ?? ""), .number(value), .text(p.unitText),
                .paragraph(sources[p.id] ?? ""),
            ])
        }
        return (XLSXPackage.sheet(widths: [26, 18, 12, 40, 16, 10, 11, 32, 40, 24, 32], rows: rows), refs)
    }

    /// Corrections: first the corrections the calculation applies, each amount a formula over
    /// its basis and factor; then the blocks. Returns the amount cells by parameter.
    func correctionsSheet() -> (String, [String: [String]]) {
        var rows: [[XLSXCell]] = [
            [.header("Corrections, gaps, held steps and boundary splits of \(period)")],
            [.label("Raw data stays as measured: each correction is a separate, explained line. Times are UTC.")],
            [.header("Corrections applied to the calculation")],
            ["Parameter", "Meter", "Reason", "Basis", "Factor", "Amount", "Readings concerned", "Why"].map {
                .header($0)
            },
        ]
        var refs: [String: [String]] = [:]
        for c in result.corrections {
            let r = rows.count + 1
            refs[c.parameter, default: []].append(Self.ref(Self.corrections, 5, r))
            let formula: String
            let concerned: String
            switch c.reason {
            case .calibrationLapse:
                let product = "D\(r)*E\(r)/100"
                formula = c.amount.isNegative ? "-(\(product))" : product
                concerned = "Dataset rows of meter \(c.meter) with lapsed = TRUE"
            case .gapDefault:
                formula = "D\(r)*E\(r)"
                concerned = "the gaps of meter \(c.meter) listed below"
            }
            rows.append([
                .text(c.parameter), .text(c.meter), .text(c.reason.rawValue), .number(c.basis), .number(c.factor),
                .formula(formula, cached: c.amount, decimals: Self.decimals(c.amount)), .paragraph(concerned),
                .paragraph(c.why),
            ])
        }
        if result.corrections.isEmpty { rows.append([.label("none")]) }
        for b in blocks {
            rows.append([])
            rows.append([.header(b.title)])
            rows.append(b.columns.map { .header($0) })
            rows += b.rows.isEmpty ? [[.label("none")]] : b.rows
        }
        return (XLSXPackage.sheet(widths: [14, 14, 22, 22, 22, 16, 30, 50, 30], rows: rows), refs)
    }
}
