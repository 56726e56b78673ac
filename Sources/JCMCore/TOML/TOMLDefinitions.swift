/// TOML's "define each key and table once" rules, applied as keys and headers arrive.
/// Errors point at the key segment that clashes and name the line of the first definition.
extension TOMLTableBuilder {
    private static func error(_ part: TOMLKeyPart, _ message: String) -> TOMLError {
        TOMLError(line: part.line, column: part.column, message: message)
    }

    /// `a.b.c = value` inside this table.
    func insert(_ key: [TOMLKeyPart], _ node: TOMLNode) throws(TOMLError) {
        var table = self
        var path = self.path
        for part in key.dropLast() {
            path.append(part.name)
            let name = TOMLKeyPath.display(path)
            switch table.slots[part.name] {
            case nil:
                let sub = TOMLTableBuilder(origin: .dotted, line: part.line, path: path)
                table.add(part.name, .table(sub))
                table = sub
            case .table(let sub) where sub.origin == .dotted:
                table = sub
            case .table(let sub):
                throw Self.error(
                    part, "cannot add to table '\(name)' with a dotted key; it was defined at line \(sub.line)")
            case .tableArray(let array):
                throw Self.error(
                    part, "cannot add to array of tables '\(name)' (defined at line \(array.line)) with a dotted key")
            case .value(let existing):
                throw Self.valueInTheWay(part, name, existing)
            }
        }
        let last = key[key.count - 1]
        path.append(last.name)
        if let existing = table.slots[last.name] {
            throw Self.error(
                last, "duplicate key '\(TOMLKeyPath.display(path))' (first defined at line \(existing.line))")
        }
        table.add(last.name, .value(node))
    }

    /// `[a.b]`: returns the table that following key/value lines go into.
    func defineTable(_ key: [TOMLKeyPart], line: Int) throws(TOMLError) -> TOMLTableBuilder {
        let (parent, path) = try walkHeader(key, line: line)
        let last = key[key.count - 1]
        let name = TOMLKeyPath.display(path)
        switch parent.slots[last.name] {
        case nil:
            let table = TOMLTableBuilder(origin: .header, line: line, path: path)
            parent.add(last.name, .table(table))
            return table
        case .table(let table) where table.origin == .implicit:
            // The table existed only as a step of a longer header; this is its one real definition.
            table.origin = .header
            table.line = line
            return table
        case .table(let table):
            throw Self.error(last, "table [\(name)] already defined at line \(table.line)")
        case .tableArray(let array):
            throw Self.error(last, "table [\(name)] already defined at line \(array.line) as an array of tables")
        case .value(let existing):
            if case .table = existing.value {
                throw Self.error(last, "table [\(name)] already defined at line \(existing.line) as an inline table")
            }
            throw Self.error(last, "duplicate key '\(name)' (first defined at line \(existing.line))")
        }
    }

    /// `[[a.b]]`: appends a fresh table to the array and returns it.
    func appendTableArrayElement(_ key: [TOMLKeyPart], line: Int) throws(TOMLError) -> TOMLTableBuilder {
        let (parent, path) = try walkHeader(key, line: line)
        let last = key[key.count - 1]
        let name = TOMLKeyPath.display(path)
        let element = TOMLTableBuilder(origin: .arrayElement, line: line, path: path)
        switch parent.slots[last.name] {
        case nil:
            parent.add(last.name, .tableArray(TableArray(line: line, elements: [element])))
        case .tableArray(let array):
            array.elements.append(element)
        case .table(let table):
            throw Self.error(last, "cannot define [[\(name)]]: table '\(name)' already defined at line \(table.line)")
        case .value(let existing):
            if case .array = existing.value {
                throw Self.error(
                    last, "cannot append [[\(name)]] to the static array '\(name)' defined at line \(existing.line)")
            }
            throw Self.error(last, "duplicate key '\(name)' (first defined at line \(existing.line))")
        }
        return element
    }

    /// Walks all but the last header segment, creating implicit tables and entering the
    /// newest element of arrays of tables, as `[a.b]` after `[[a]]` requires.
    private func walkHeader(_ key: [TOMLKeyPart], line: Int) throws(TOMLError) -> (TOMLTableBuilder, [String]) {
        var table = self
        var path: [String] = []
        for part in key.dropLast() {
            path.append(part.name)
            let name = TOMLKeyPath.display(path)
            switch table.slots[part.name] {
            case nil:
                let sub = TOMLTableBuilder(origin: .implicit, line: line, path: path)
                table.add(part.name, .table(sub))
                table = sub
            case .table(let sub):
                table = sub
            case .tableArray(let array):
                table = array.elements[array.elements.count - 1]
            case .value(let existing):
                throw Self.valueInTheWay(part, name, existing)
            }
        }
        path.append(key[key.count - 1].name)
        return (table, path)
    }

    private static func valueInTheWay(_ part: TOMLKeyPart, _ name: String, _ existing: TOMLNode) -> TOMLError {
        if case .table = existing.value {
            return error(
                part, "cannot add to inline table '\(name)' defined at line \(existing.line); inline tables are closed")
        }
        return error(
            part,
            "key '\(name)' is already defined at line \(existing.line) as a value (\(existing.value.typeName)), not a table"
        )
    }
}
