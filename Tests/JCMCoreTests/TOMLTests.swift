import Testing

@testable import JCMCore

private func value(_ table: TOMLTable?, _ path: String...) -> TOMLValue? { table?.node(at: path)?.value }
private func line(_ table: TOMLTable?, _ path: String...) -> Int? { table?.node(at: path)?.line }

private func parseError(_ text: String) -> TOMLError? {
    do {
        _ = try TOML.parse(text)
        return nil
    } catch {
        return error
    }
}

private let sampleConfig = """
    [database]
    url = ""
    [daemon]
    state_dir = "/var/lib/jcm-ingestd"
    [[project]]
    id = "IN-JP-0001"
    methodology = "IN_AM001 ver01.0"
    [[meter]]
    id = "IN-JP-0001-PV-M1"
    interval = "60s"
    json.value = "energy.total_wh"
    json.unit = "Wh"
    [[meter]]
    id = "M2"
    [[watch]]
    dir = "/x"

    """

@Suite struct TOMLConfigTests {
    @Test(arguments: [false, true])
    func sampleConfigValuesAndLines(crlf: Bool) throws {
        let text =
            crlf
            ? sampleConfig.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
            : sampleConfig
        let t = try TOML.parse(text)
        #expect(t.keys == ["database", "daemon", "project", "meter", "watch"])
        #expect(t.line == 1)
        #expect(line(t, "database") == 1)
        #expect(t["database"]?.value.tableValue?.line == 1)
        #expect(t["database"]?.value.tableValue?["url"] == TOMLNode(value: .string(""), line: 2))
        #expect(line(t, "daemon") == 3)
        #expect(t.node(at: ["daemon", "state_dir"]) == TOMLNode(value: .string("/var/lib/jcm-ingestd"), line: 4))

        let projects = try #require(t["project"]?.value.arrayValue)
        #expect(t["project"]?.line == 5)
        #expect(projects.count == 1)
        #expect(projects[0].line == 5)
        #expect(projects[0].value.tableValue?["methodology"] == TOMLNode(value: .string("IN_AM001 ver01.0"), line: 7))

        let meters = try #require(t["meter"]?.value.arrayValue)
        #expect(t["meter"]?.line == 8)
        #expect(meters.map(\.line) == [8, 13])
        let m1 = try #require(meters[0].value.tableValue)
        #expect(m1.line == 8)
        #expect(m1.keys == ["id", "interval", "json"])
        #expect(m1["id"] == TOMLNode(value: .string("IN-JP-0001-PV-M1"), line: 9))
        #expect(m1["interval"]?.line == 10)
        #expect(m1["json"]?.line == 11)
        #expect(m1["json"]?.value.tableValue?.line == 11)
        #expect(m1.node(at: ["json", "value"]) == TOMLNode(value: .string("energy.total_wh"), line: 11))
        #expect(m1.node(at: ["json", "unit"]) == TOMLNode(value: .string("Wh"), line: 12))
        #expect(meters[1].value.tableValue?["id"] == TOMLNode(value: .string("M2"), line: 14))

        let watch = try #require(t["watch"]?.value.arrayValue)
        #expect(t["watch"]?.line == 15)
        #expect(watch[0].value.tableValue?["dir"] == TOMLNode(value: .string("/x"), line: 16))
    }

    @Test func tablesAndHeaderLines() throws {
        let t = try TOML.parse(
            """
            # comment at top
            title = "x"  # trailing

            [a.b.c]
            x = 1
            [a]
            y = 2
            [ d . "e f" ]
            z = 3
            [fruit]
            apple.color = "red"
            apple.taste.sweet = true
            [fruit.apple.texture]
            smooth = true
            [[fruits]]
            name = "apple"
            [fruits.physical]
            color = "red"
            [[fruits.varieties]]
            name = "red delicious"
            [[fruits.varieties]]
            name = "granny smith"
            [[fruits]]
            name = "banana"
            [[fruits.varieties]]
            name = "plantain"
            [x.y.z.w] # implicit x, y, z
            [x]
            """)
        #expect(t.keys == ["title", "a", "d", "fruit", "fruits", "x"])
        // An implicit table takes the line of the header that finally defines it.
        #expect(line(t, "a") == 6)
        #expect(value(t, "a")?.tableValue?.line == 6)
        #expect(line(t, "a", "b") == 4)
        #expect(line(t, "a", "b", "c") == 4)
        #expect(line(t, "a", "y") == 7)
        #expect(value(t, "a")?.tableValue?.keys == ["b", "y"])
        #expect(value(t, "d", "e f", "z") == .integer(3))
        #expect(line(t, "d", "e f") == 8)
        #expect(value(t, "fruit", "apple", "texture", "smooth") == .bool(true))
        #expect(line(t, "fruit", "apple") == 11)
        #expect(line(t, "fruit", "apple", "texture") == 13)
        let fruits = try #require(value(t, "fruits")?.arrayValue)
        #expect(fruits.map(\.line) == [15, 23])
        let apple = try #require(fruits[0].value.tableValue)
        #expect(apple.node(at: ["physical", "color"])?.value == .string("red"))
        #expect(apple["physical"]?.line == 17)
        #expect(apple["varieties"]?.value.arrayValue?.map(\.line) == [19, 21])
        #expect(fruits[1].value.tableValue?["varieties"]?.value.arrayValue?.count == 1)
        #expect(line(t, "x") == 28)
        #expect(line(t, "x", "y") == 27)
    }

    @Test func subTablesBelongToTheNewestArrayElement() throws {
        let t = try TOML.parse("[[a]]\n[a.b]\nx = 1\n[[a]]\n[a.b]\nx = 2\n[[q.r]]\n[q]\nv = 1\n[\"\"]\ne = 1\n")
        let a = try #require(value(t, "a")?.arrayValue)
        #expect(a.count == 2)
        #expect(a[0].value.tableValue?.node(at: ["b", "x"])?.value == .integer(1))
        #expect(a[1].value.tableValue?.node(at: ["b", "x"])?.value == .integer(2))
        #expect(a[1].value.tableValue?["b"]?.line == 5)
        #expect(line(t, "q") == 8)
        #expect(value(t, "q", "v") == .integer(1))
        #expect(value(t, "q", "r")?.arrayValue?.first?.line == 7)
        #expect(value(t, "", "e") == .integer(1))
    }

    @Test func layoutDetails() throws {
        #expect(value(try TOML.parse("\u{FEFF}a = 1 # no newline"), "a") == .integer(1))
        #expect(try TOML.parse("") == TOMLTable(line: 1))
        let ws = try TOML.parse("  \t\n# c\n\n   [t]   # x\n  k = 'v'\t\n")
        #expect(value(ws, "t", "k") == .string("v"))
        #expect(line(ws, "t", "k") == 5)
        #expect(line(ws, "t") == 4)
        let bare = try TOML.parse("1234 = 'n'\n-_- = 1\n3.14 = 'pi'\nkey=\"tight\"")
        #expect(value(bare, "1234") == .string("n"))
        #expect(value(bare, "-_-") == .integer(1))
        #expect(value(bare, "3", "14") == .string("pi"))
        #expect(value(bare, "key") == .string("tight"))
    }

    @Test func errorDescriptionAndAccessors() {
        #expect(TOMLError(line: 3, column: 7, message: "boom").description == "line 3, column 7: boom")
        #expect(TOMLValue.integer(3).doubleValue == 3)
        #expect(TOMLValue.string("x").stringValue == "x")
        #expect(TOMLValue.string("x").integerValue == nil)
        #expect(TOMLValue.bool(true).typeName == "boolean")
    }
}

@Suite struct TOMLValueTests {
    @Test func strings() throws {
        let t = try TOML.parse(
            #"""
            basic = "tab\there \"q\" back\\slash \b\f\n\r \u00e9 \U0001F600"
            lit = 'C:\Users\nope'
            "quoted key" = 1
            'lit key' = 2
            "" = 3
            ml = """
            Roses are red
            Violets are blue"""
            mlcont = """\
                   The quick \
                   brown fox.\
                   """
            mllit = '''
            first \n raw
            second'''
            quotes = """a""b"""""
            litquotes = '''x'''''
            unicode = "日本語"
            key.with."quoted.dot" = true
            a . b = 1
            """#)
        #expect(value(t, "basic") == .string("tab\there \"q\" back\\slash \u{8}\u{c}\n\r é 😀"))
        #expect(value(t, "lit") == .string(#"C:\Users\nope"#))
        #expect(value(t, "quoted key") == .integer(1))
        #expect(value(t, "lit key") == .integer(2))
        #expect(value(t, "") == .integer(3))
        #expect(value(t, "ml") == .string("Roses are red\nViolets are blue"))
        #expect(line(t, "ml") == 6)
        #expect(value(t, "mlcont") == .string("The quick brown fox."))
        #expect(value(t, "mllit") == .string("first \\n raw\nsecond"))
        #expect(line(t, "mllit") == 13)
        #expect(value(t, "quotes") == .string("a\"\"b\"\""))
        #expect(value(t, "litquotes") == .string("x''"))
        #expect(value(t, "unicode") == .string("日本語"))
        #expect(line(t, "unicode") == 18)
        #expect(value(t, "key", "with", "quoted.dot") == .bool(true))
        #expect(value(t, "a", "b") == .integer(1))
        #expect(line(t, "a") == 20)
    }

    @Test func crlfInsideMultilineStrings() throws {
        let t = try TOML.parse("s = \"\"\"\r\none\r\ntwo\"\"\"\r\nc = \"\"\"a \\  \r\n   b\"\"\"\r\nx = 1 # c\r\n")
        #expect(value(t, "s") == .string("one\ntwo"))
        #expect(value(t, "c") == .string("a b"))
        #expect(line(t, "x") == 6)
    }

    @Test func numbersAndBooleans() throws {
        let t = try TOML.parse(
            """
            a = 99
            b = +17
            c = -17
            d = 0
            e = 1_000_000
            f = 0xDEAD_beef
            g = 0o755
            h = 0b1101_0110
            i = 9223372036854775807
            j = -9223372036854775808
            k = +0
            fa = 3.1415
            fb = -0.01
            fc = 5e+22
            fd = 1e06
            fe = -2E-2
            ff = 6.626e-34
            fg = 224_617.445_991_228
            fh = inf
            fi = -inf
            fj = nan
            fk = +nan
            fl = -0.0
            t = true
            u = false
            """)
        let ints: [(String, Int64)] = [
            ("a", 99), ("b", 17), ("c", -17), ("d", 0), ("e", 1_000_000), ("f", 0xDEAD_BEEF),
            ("g", 0o755), ("h", 0b1101_0110), ("i", .max), ("j", .min), ("k", 0),
        ]
        for (key, expected) in ints { #expect(value(t, key) == .integer(expected), "\(key)") }
        let floats: [(String, Double)] = [
            ("fa", 3.1415), ("fb", -0.01), ("fc", 5e22), ("fd", 1e6), ("fe", -2e-2), ("ff", 6.626e-34),
            ("fg", 224_617.445_991_228), ("fh", .infinity), ("fi", -.infinity), ("fl", -0.0),
        ]
        for (key, expected) in floats { #expect(value(t, key) == .float(expected), "\(key)") }
        #expect(value(t, "fj").flatMap { $0.doubleValue }?.isNaN == true)
        #expect(value(t, "fk").flatMap { $0.doubleValue }?.isNaN == true)
        #expect(value(t, "t") == .bool(true))
        #expect(value(t, "u") == .bool(false))
        #expect(line(t, "u") == 25)
    }

    @Test func dateTimesKeepSourceText() throws {
        let t = try TOML.parse(
            """
            odt1 = 1979-05-27T07:32:00Z
            odt2 = 1979-05-27T00:32:00-07:00
            odt3 = 1979-05-27T00:32:00.999999-07:00
            odt4 = 1979-05-27 07:32:00Z
            ldt1 = 1979-05-27T07:32:00
            ldt2 = 1979-05-27T00:32:00.999999
            ld1 = 1979-05-27
            lt1 = 07:32:00
            lt2 = 00:32:00.999999
            leap = 2024-02-29
            lower = 1979-05-27t07:32:00z
            arr = [1979-05-27 07:32:00Z, 07:32:00] # comment
            withcomment = 1979-05-27 # date then comment
            """)
        let expected: [(String, String)] = [
            ("odt1", "1979-05-27T07:32:00Z"), ("odt2", "1979-05-27T00:32:00-07:00"),
            ("odt3", "1979-05-27T00:32:00.999999-07:00"), ("odt4", "1979-05-27 07:32:00Z"),
            ("ldt1", "1979-05-27T07:32:00"), ("ldt2", "1979-05-27T00:32:00.999999"), ("ld1", "1979-05-27"),
            ("lt1", "07:32:00"), ("lt2", "00:32:00.999999"), ("leap", "2024-02-29"),
            ("lower", "1979-05-27t07:32:00z"), ("withcomment", "1979-05-27"),
        ]
        for (key, text) in expected { #expect(value(t, key) == .datetime(text), "\(key)") }
        #expect(
            value(t, "arr")
                == .array([
                    TOMLNode(value: .datetime("1979-05-27 07:32:00Z"), line: 12),
                    TOMLNode(value: .datetime("07:32:00"), line: 12),
                ]))
    }

    @Test func arraysAndInlineTables() throws {
        let t = try TOML.parse(
            """
            integers = [ 1, 2, 3 ]
            nested = [ [ 1, 2 ], ["a", 'b'] ]
            mixed = [ 0.1, "x", { a = 1 } ]
            multi = [
              "one",   # first
              # a lone comment
              "two",
            ]
            empty = []
            emptyml = [

            ]
            point = { x = 1, y = 2 }
            deep = { a.b = 1, a.c = { d = "e" } }
            emptyinl = {}
            animal = { type.name = "pug" }
            """)
        #expect(value(t, "integers") == .array([1, 2, 3].map { TOMLNode(value: .integer($0), line: 1) }))
        #expect(
            value(t, "nested")?.arrayValue?[1].value
                == .array([
                    TOMLNode(value: .string("a"), line: 2), TOMLNode(value: .string("b"), line: 2),
                ]))
        #expect(value(t, "mixed")?.arrayValue?[2].value.tableValue?["a"]?.value == .integer(1))
        let multi = try #require(value(t, "multi")?.arrayValue)
        #expect(multi.map(\.line) == [5, 7])
        #expect(multi.map(\.value) == [.string("one"), .string("two")])
        #expect(line(t, "multi") == 4)
        #expect(value(t, "empty") == .array([]))
        #expect(value(t, "emptyml") == .array([]))
        #expect(line(t, "point") == 13)
        #expect(value(t, "point")?.tableValue?.line == 13)
        #expect(value(t, "point")?.tableValue?.keys == ["x", "y"])
        #expect(value(t, "deep", "a", "b") == .integer(1))
        #expect(value(t, "deep", "a", "c", "d") == .string("e"))
        #expect(value(t, "emptyinl") == .table(TOMLTable(line: 15)))
        #expect(value(t, "animal", "type", "name") == .string("pug"))
        #expect(line(t, "animal") == 16)
    }
}

struct TOMLErrorCase: Sendable, CustomTestStringConvertible {
    var text: String
    var line: Int
    var column: Int
    var fragments: [String]

    init(_ text: String, _ line: Int, _ column: Int, _ fragments: String...) {
        self.text = text
        self.line = line
        self.column = column
        self.fragments = fragments
    }

    var testDescription: String { String(reflecting: text) }
}

@Suite struct TOMLErrorTests {
    static let duplicates: [TOMLErrorCase] = [
        .init("a = 1\nb = 2\na = 3\n", 3, 1, "duplicate key 'a'", "line 1"),
        .init("[t]\nx = 1\n  x = 2", 3, 3, "duplicate key 't.x'", "line 2"),
        .init("[[meter]]\njson.value = 'a'\njson.value = 'b'", 3, 6, "duplicate key 'meter.json.value'", "line 2"),
        .init("a = 1\na.b = 2", 2, 1, "'a'", "line 1", "not a table"),
        .init("p = { x = 1, x = 2 }", 1, 14, "duplicate key 'p.x'", "line 1"),
        .init("\"a\" = 1\na = 2", 2, 1, "duplicate key 'a'"),
        .init("a = 1\n'a' = 2", 2, 1, "duplicate key 'a'"),
        .init("\"日本\" = 1\n\"日本\" = 2", 2, 1, "duplicate key '\"日本\"'"),
        .init(
            "[product]\ntype.name = \"Nail\"\ntype = { edible = false }", 3, 1, "duplicate key 'product.type'", "line 2"
        ),
        .init("[fruit]\napple = \"red\"\n[fruit.apple]", 3, 8, "duplicate key 'fruit.apple'", "line 2"),
    ]

    static let redefinitions: [TOMLErrorCase] = [
        .init("[a]\nx = 1\n[b]\n[a]\n", 4, 2, "table [a] already defined at line 1"),
        .init("[a.b]\n[a.b]", 2, 4, "table [a.b] already defined at line 1"),
        .init("[\"a\"]\n[a]", 2, 2, "table [a] already defined at line 1"),
        .init("[a]\nb.c = 1\n[a.b]", 3, 4, "table [a.b] already defined at line 2"),
        .init("[[a]]\n[a]", 2, 2, "table [a] already defined at line 1 as an array of tables"),
        .init("[a]\n[[a]]", 2, 3, "table 'a' already defined at line 1"),
        .init("a = [1]\n[[a]]", 2, 3, "static array 'a'", "line 1"),
        .init("a = {x = 1}\n[a]", 2, 2, "already defined at line 1"),
        .init("a = {x = 1}\n[a.y]", 2, 2, "inline table 'a'", "line 1"),
        .init("a = {x = 1}\na.y = 2", 2, 1, "inline table 'a'", "line 1"),
        .init(
            "[product]\ntype = { name = \"Nail\" }\ntype.edible = false", 3, 1, "inline table 'product.type'", "line 2"),
        .init(
            "tbl = { fruit = { apple.color = \"red\" }, fruit.apple.texture = { smooth = true } }", 1, 42,
            "inline table 'tbl.fruit'"),
        .init("a = 1\n[a]", 2, 2, "duplicate key 'a'", "line 1"),
        .init("a = 1\n[a.b]", 2, 2, "'a'", "line 1"),
        .init("a = [{ b = 1 }]\n\n[a.c]\nfoo = 1\n", 3, 2, "'a'", "line 1", "array"),
        .init("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, 1, "table 'a.b'", "line 1"),
    ]

    static let badValues: [TOMLErrorCase] = [
        .init("a = foo", 1, 5, "invalid value 'foo'"),
        .init("a = tru", 1, 5, "invalid value 'tru'"),
        .init("a = ", 1, 5, "expected a value"),
        .init("a =\nb = 1", 1, 4, "expected a value"),
        .init("a = 01", 1, 5, "invalid number '01'"),
        .init("a = 1__0", 1, 5, "invalid number"),
        .init("a = 1_", 1, 5, "invalid number"),
        .init("a = 1.", 1, 5, "invalid number"),
        .init("a = .5", 1, 5, "invalid value"),
        .init("a = 1.e5", 1, 5, "invalid number"),
        .init("a = +0x10", 1, 5, "invalid number"),
        .init("a = 0b102", 1, 5, "invalid number"),
        .init("a = 9223372036854775808", 1, 5, "does not fit"),
        .init("a = -9223372036854775809", 1, 5, "does not fit"),
        .init("a = 0x8000000000000000", 1, 5, "does not fit"),
        .init("a = 1979-02-30", 1, 5, "invalid date-time"),
        .init("a = 2023-02-29", 1, 5, "invalid date-time"),
        .init("a = 1979-13-01", 1, 5, "invalid date-time"),
        .init("a = 24:00:00", 1, 5, "invalid date-time"),
        .init("a = 07:32", 1, 5, "invalid date-time"),
        .init("a = 1979-05-27T07:32:00+7:00", 1, 5, "invalid date-time"),
        .init("a = [1, 2", 1, 5, "unterminated array"),
        .init("a = [1 2]", 1, 8, "expected ',' or ']'"),
        .init("a = [,]", 1, 6, "expected a value"),
        .init("a = [\n1,\n2,,\n]", 3, 3, "expected a value"),
        .init("a = { x = 1, }", 1, 14, "trailing comma"),
        .init("a = { x = 1\n}", 1, 12, "newline inside an inline table"),
        .init("a = { x = 1", 1, 5, "unterminated inline table"),
        .init("a = { x = 1 y = 2 }", 1, 13, "expected ',' or '}'"),
        .init("a = " + String(repeating: "[", count: 200), 1, 105, "nested too deeply"),
    ]

    static let strings: [TOMLErrorCase] = [
        .init("a = \"abc", 1, 5, "unterminated string"),
        .init("x = 1\na = 'abc", 2, 5, "unterminated string"),
        .init("a = \"\"\"abc\n\ndef", 1, 5, "unterminated multi-line string"),
        .init("a = '''abc", 1, 5, "unterminated multi-line string"),
        .init("a = \"abc\nb = 1", 1, 9, "newline in a basic string"),
        .init("a = \"abc\r\nb = 1", 1, 9, "newline in a basic string"),
        .init("a = 'abc\nb = 1", 1, 9, "newline in a literal string"),
        .init("a = \"x \\q y\"", 1, 8, "invalid escape sequence \\q"),
        .init("\n\na = \"\"\"\nok\n bad \\e \"\"\"", 5, 6, "invalid escape sequence \\e"),
        .init("a = \"a \\ b\"", 1, 8, "invalid escape"),
        .init("a = \"\\u12\"", 1, 6, "4 hex digits"),
        .init("a = \"\\U0001F60\"", 1, 6, "8 hex digits"),
        .init("a = \"\\uD800\"", 1, 6, "not a Unicode scalar"),
        .init("a = \"\\U00110000\"", 1, 6, "not a Unicode scalar"),
        .init("a = \"a\u{0}b\"", 1, 7, "U+0000"),
        .init("a = \"a\u{1F}b\"", 1, 7, "U+001F"),
        .init("a = 'a\u{7F}b'", 1, 7, "U+007F"),
        .init("a = \"\"\"a\u{8}b\"\"\"", 1, 9, "U+0008"),
        .init("a = \"\"\"a\rb\"\"\"", 1, 9, "U+000D"),
        .init("a = \"é\u{1}\"", 1, 7, "U+0001"),
        .init("a = \"\"\"x\"\"\"\"\"\"", 1, 14, "too many quotes"),
        .init("# bad \u{1} comment", 1, 7, "not allowed in a comment"),
        .init("\"\"\"k\"\"\" = 1", 1, 1, "multi-line string cannot be a key"),
    ]

    static let syntax: [TOMLErrorCase] = [
        .init("a 1", 1, 3, "expected '=' after key 'a'"),
        .init("\n[t]\nname\n", 3, 5, "expected '=' after key 'name', found end of line"),
        .init("json.value \"x\"", 1, 12, "expected '=' after key 'json.value'"),
        .init("= 1", 1, 1, "expected a key"),
        .init("a. = 1", 1, 4, "expected a key"),
        .init("a = 1 2", 1, 7, "unexpected '2' after value"),
        .init("a = \"x\" y", 1, 9, "unexpected 'y' after value"),
        .init("a = [1] ]", 1, 9, "after value"),
        .init("a = 1\r\nb = true false\r\n", 2, 10, "unexpected 'f'"),
        .init("a = \"日本語\" x", 1, 11, "unexpected 'x'"),
        .init("a = \"tab\tok\" \u{1}", 1, 14, "control character U+0001 after value"),
        .init("[t] x = 1", 1, 5, "after table header"),
        .init("[[t]] x", 1, 7, "after table header"),
        .init("a = 1\rb = 2", 1, 6, "carriage return"),
        .init("[a", 1, 3, "expected ']'"),
        .init("[[a]", 1, 5, "expected ']]'"),
        .init("[[a] ]", 1, 5, "expected ']]'"),
        .init("[ [a] ]", 1, 3, "expected a key"),
        .init("[]", 1, 2, "expected a key"),
    ]

    @Test(arguments: duplicates + redefinitions + badValues + strings + syntax)
    func reportsPosition(_ c: TOMLErrorCase) throws {
        let error = try #require(parseError(c.text))
        #expect(error.line == c.line)
        #expect(error.column == c.column)
        for fragment in c.fragments {
            #expect(error.message.contains(fragment), "\(error)")
        }
    }
}
