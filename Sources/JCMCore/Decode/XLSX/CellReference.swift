/// An A1-style cell reference: "C12" is column 2 (from 0) of row 12.
public struct CellReference: Sendable, Equatable, CustomStringConvertible {
    public var column: Int
    public var row: Int

    public init(column: Int, row: Int) {
        self.column = column
        self.row = row
    }

    /// nil unless letters then digits ("AB7"), as in a cell's `r` attribute.
    public init?(_ text: String) {
        var column = 0
        var row = 0
        var letters = 0
        var digits = 0
        for b in text.utf8 {
            if digits == 0, (65...90).contains(b) || (97...122).contains(b) {
                column = column * 26 + Int((b & 0xDF) - 64)
                letters += 1
            } else if letters > 0, (48...57).contains(b) {
                row = row * 10 + Int(b - 48)
                digits += 1
            } else {
                return nil
            }
            guard letters <= 3, digits <= 7 else { return nil }
        }
        guard letters > 0, digits > 0, row > 0 else { return nil }
        self.init(column: column - 1, row: row)
    }

    public static func letters(_ column: Int) -> String {
        var n = column + 1
        var out: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            out.insert(Character(Unicode.Scalar(UInt8(65 + r))), at: 0)
            n = (n - 1) / 26
        }
        return String(out)
    }

    public var description: String { Self.letters(column) + String(row) }
}
