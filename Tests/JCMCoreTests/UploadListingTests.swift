import Testing

@testable import JCMCore

private let listingURL = "http://files.example/reports/"

@Suite("upload listings: nginx JSON, HTML index, S3 ListObjectsV2")
struct UploadListingTests {
    // As nginx 1.22 writes it with `autoindex_format json;`.
    static let nginxJSON = """
        [
        { "name":"sub", "type":"directory", "mtime":"Wed, 02 Dec 2026 09:00:00 GMT" },
        { "name":"day 1.csv", "type":"file", "mtime":"Wed, 02 Dec 2026 10:00:00 GMT", "size":123 },
        { "name":"report.json", "type":"file", "mtime":"Wed, 02 Dec 2026 10:05:00 GMT", "size":4567 },
        { "name":"fifo", "type":"other", "mtime":"Wed, 02 Dec 2026 10:05:00 GMT" }
        ]
        """

    @Test func nginxJSONListsFilesWithSizeAndMtime() throws {
        let entries = try NginxJSONListing.parse(Array(Self.nginxJSON.utf8), listingURL: listingURL)
        #expect(entries.map(\.name) == ["day 1.csv", "report.json"])
        #expect(entries[0].url == "http://files.example/reports/day%201.csv")
        #expect(entries[0].version == UploadVersion(etag: nil, size: 123, modified: "Wed, 02 Dec 2026 10:00:00 GMT"))
        #expect(entries[1].version.size == 4567)
    }

    @Test(arguments: [
        ("<html>not json</html>", "not JSON"),
        (#"{"name":"x"}"#, "expected a JSON array"),
        (#"["x.csv"]"#, "entry 1 is not an object"),
        (#"[{"type":"file","size":1}]"#, #"entry 1 has no "name" string"#),
        (
            #"[{"name":"a.csv","type":"file","size":1},{"name":"b.csv","size":1}]"#,
            #"entry 2 (b.csv) has no "type" string"#
        ),
        (#"[{"name":"a.csv","type":"file","size":-4}]"#, #"entry 1 (a.csv): "size" is not a whole number of bytes"#),
        (#"[{"name":"a.csv","type":"file","size":1.5}]"#, #"entry 1 (a.csv): "size" is not a whole number of bytes"#),
    ])
    func malformedNginxJSONNamesTheListingAndTheEntry(body: String, message: String) {
        #expect {
            try NginxJSONListing.parse(Array(body.utf8), listingURL: listingURL)
        } throws: { error in
            let e = error as? UploadListingError
            return e?.url == listingURL && e?.message.contains(message) == true
                && e?.description.hasPrefix("listing \(listingURL): ") == true
        }
    }

    // nginx `autoindex on;` (HTML).
    static let nginxHTML = """
        <html>
        <head><title>Index of /reports/</title></head>
        <body>
        <h1>Index of /reports/</h1><hr><pre><a href="../">../</a>
        <a href="sub/">sub/</a>                                               02-Dec-2026 09:00                   -
        <a href="day%201.csv">day 1.csv</a>                                          02-Dec-2026 10:00                 123
        <a href="a%26b.json">a&amp;b.json</a>                                          02-Dec-2026 10:05                4567
        </pre><hr></body>
        </html>
        """

    // Apache mod_autoindex with FancyIndexing: sort links, a parent link by absolute path, icons.
    static let apacheHTML = """
        <!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
        <html>
         <head>
          <title>Index of /reports</title>
         </head>
         <body>
        <h1>Index of /reports</h1>
          <table>
           <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th></tr>
           <tr><th colspan="5"><hr></th></tr>
        <tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td></tr>
        <tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="plant-A.csv">plant-A.csv</a></td><td align="right">2026-12-02 10:00  </td><td align="right">123 </td></tr>
        <tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="old/">old/</a></td><td align="right">2026-12-01 10:00  </td><td align="right">  - </td></tr>
        <tr><td valign="top"><a href='plant-B.json'><img src="/icons/text.gif" alt="[TXT]"></a></td><td><a HREF='plant-B.json'>plant-B.json</a></td></tr>
        <tr><td><a href="http://elsewhere.example/x.csv">elsewhere</a></td><td><a href="mailto:ops@example.org">mail</a></td><td><a href="#top">top</a></td></tr>
           <tr><th colspan="5"><hr></th></tr>
        </table>
        </body></html>
        """

    @Test func nginxHTMLIndexListsFilesOnly() throws {
        let entries = try HTMLIndexListing.parse(Array(Self.nginxHTML.utf8), listingURL: listingURL)
        #expect(entries.map(\.name) == ["day 1.csv", "a&b.json"])
        #expect(
            entries.map(\.url) == [
                "http://files.example/reports/day%201.csv", "http://files.example/reports/a%26b.json",
            ])
        #expect(entries.allSatisfy { $0.version.isEmpty })
    }

    @Test func apacheIndexSkipsSortParentFolderAndForeignLinks() throws {
        let entries = try HTMLIndexListing.parse(
            Array(Self.apacheHTML.utf8), listingURL: "http://files.example/reports/")
        #expect(entries.map(\.name) == ["plant-A.csv", "plant-B.json"])
    }

    @Test(arguments: [
        (#"[{"name":"a.csv"}]"#, #"this is JSON, not an HTML index; set listing = "nginx-json""#),
        ("just words", "not an HTML index (no markup)"),
        (#"<html><a href="x.csv">x</a><a href="y.csv""#, "an <a> tag is not closed (the index was cut off?)"),
    ])
    func malformedHTMLIndexNamesTheListing(body: String, message: String) {
        #expect {
            try HTMLIndexListing.parse(Array(body.utf8), listingURL: listingURL)
        } throws: { error in
            (error as? UploadListingError) == UploadListingError(url: listingURL, message: message)
        }
    }

    @Test func invalidUTF8IndexIsRefused() {
        #expect(throws: UploadListingError(url: listingURL, message: "the index is not UTF-8 text")) {
            try HTMLIndexListing.parse([0x3C, 0x61, 0xFF, 0xFE], listingURL: listingURL)
        }
    }

    // As in the ListObjectsV2 documentation's example, with a folder placeholder and a second page.
    static let s3Page = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <Name>reports</Name>
            <Prefix>site-a/</Prefix>
            <KeyCount>3</KeyCount>
            <MaxKeys>3</MaxKeys>
            <IsTruncated>true</IsTruncated>
            <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
            <Contents>
                <Key>site-a/</Key>
                <LastModified>2026-12-01T09:00:00.000Z</LastModified>
                <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag>
                <Size>0</Size>
                <StorageClass>STANDARD</StorageClass>
            </Contents>
            <Contents>
                <Key>site-a/2026/12/day 1.csv</Key>
                <LastModified>2026-12-02T10:00:00.000Z</LastModified>
                <ETag>"fba9dede5f27731c9771645a39863328"</ETag>
                <Size>434234</Size>
                <StorageClass>STANDARD</StorageClass>
            </Contents>
            <Contents>
                <Key>site-a/r&amp;d.json</Key>
                <LastModified>2026-12-02T10:05:00.000Z</LastModified>
                <ETag>"0b4d2e1c"</ETag>
                <Size>12</Size>
            </Contents>
        </ListBucketResult>
        """

    @Test func s3PageListsObjectsAndTheNextToken() throws {
        let page = try S3ListingPage.parse(
            Array(Self.s3Page.utf8), bucketURL: "http://127.0.0.1:9000/reports", listingURL: "L")
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        #expect(page.entries.map(\.key) == ["site-a/2026/12/day 1.csv", "site-a/r&d.json"])
        // Named by the whole key, so two folders' report.csv stay two files.
        #expect(page.entries.map(\.name) == ["site-a_2026_12_day 1.csv", "site-a_r&d.json"])
        #expect(page.entries[0].url == "http://127.0.0.1:9000/reports/site-a/2026/12/day%201.csv")
        #expect(
            page.entries[0].version
                == UploadVersion(
                    etag: "\"fba9dede5f27731c9771645a39863328\"", size: 434234, modified: "2026-12-02T10:00:00.000Z"))
        #expect(page.entries[1].url == "http://127.0.0.1:9000/reports/site-a/r%26d.json")
    }

    @Test func lastS3PageHasNoToken() throws {
        let body =
            "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a.csv</Key><Size>1</Size></Contents></ListBucketResult>"
        let page = try S3ListingPage.parse(Array(body.utf8), bucketURL: "http://h/b/", listingURL: "L")
        #expect(page.nextContinuationToken == nil)
        #expect(page.entries.map(\.url) == ["http://h/b/a.csv"])
    }

    @Test(arguments: [
        ("", "not well-formed XML: line 1: empty document"),
        (
            "<ListBucketResult><Contents><Key>a</Key></ListBucketResult>",
            "not well-formed XML: line 1: </ListBucketResult> does not close <Contents>"
        ),
        ("<ListBucketResult>\n<Contents><Key>a</Key>", "not well-formed XML: line 2: <Contents> has no end tag"),
        (
            "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
            "S3 error AccessDenied: Access Denied"
        ),
        ("<html><body>proxy error</body></html>", "expected <ListBucketResult>, found <html>"),
        ("<ListBucketResult><Contents><Size>3</Size></Contents></ListBucketResult>", "<Contents> 1 has no <Key>"),
        (
            "<ListBucketResult><Contents><Key>a.csv</Key><Size>many</Size></Contents></ListBucketResult>",
            #"<Contents> 1 (a.csv): <Size> "many" is not a number of bytes"#
        ),
        (
            "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
            "<IsTruncated> is true but there is no <NextContinuationToken>"
        ),
        (
            "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
            #"<IsTruncated> is "maybe", not true or false"#
        ),
    ])
    func malformedS3ListingNamesTheListing(body: String, message: String) {
        let url = "http://127.0.0.1:9000/reports/?list-type=2"
        #expect(throws: UploadListingError(url: url, message: message)) {
            try S3ListingPage.parse(Array(body.utf8), bucketURL: "http://127.0.0.1:9000/reports/", listingURL: url)
        }
    }

    @Test func s3ListURLIsInCanonicalOrderAndEncoding() {
        #expect(
            UploadURL.s3List(bucketURL: "http://h:9000/reports", prefix: "site a/", continuationToken: nil)
                == "http://h:9000/reports/?list-type=2&prefix=site%20a%2F")
        #expect(
            UploadURL.s3List(bucketURL: "http://h:9000/reports/", prefix: "p", continuationToken: "1ue/X+y=")
                == "http://h:9000/reports/?continuation-token=1ue%2FX%2By%3D&list-type=2&prefix=p")
        #expect(
            UploadURL.s3Object(bucketURL: "http://h/reports/", key: "a b/c~d+é.csv")
                == "http://h/reports/a%20b/c~d%2B%C3%A9.csv")
    }

    @Test func percentDecoding() {
        #expect(UploadURL.decode("day%201%2Ecsv") == "day 1.csv")
        #expect(UploadURL.decode("%C3%A9") == "é")
        #expect(UploadURL.decode("bad%2") == nil)
        #expect(UploadURL.decode("%FF") == nil)
    }
}

@Suite("upload versions: what is downloaded again")
struct UploadVersionTests {
    let json = UploadVersion(etag: nil, size: 123, modified: "Wed, 02 Dec 2026 10:00:00 GMT")

    @Test func neverSeenIsFetched() {
        #expect(UploadVersion.decide(listed: json, remembered: nil) == .fetch)
        #expect(UploadVersion.decide(listed: UploadVersion(), remembered: nil) == .fetch)
    }

    @Test func onlyTheListedFieldsAreCompared() {
        // The ETag came from the response; the listing has none to compare with.
        let remembered = UploadVersion(etag: "\"6568-7b\"", size: 123, modified: json.modified)
        #expect(UploadVersion.decide(listed: json, remembered: remembered) == .skip)
        var bigger = json
        bigger.size = 124
        #expect(UploadVersion.decide(listed: bigger, remembered: remembered) == .fetch)
        var touched = json
        touched.modified = "Wed, 02 Dec 2026 11:00:00 GMT"
        #expect(UploadVersion.decide(listed: touched, remembered: remembered) == .fetch)
        let s3 = UploadVersion(etag: "\"a\"", size: 5, modified: "2026-12-02T10:00:00.000Z")
        #expect(UploadVersion.decide(listed: s3, remembered: s3) == .skip)
        #expect(
            UploadVersion.decide(listed: UploadVersion(etag: "\"b\"", size: 5, modified: s3.modified), remembered: s3)
                == .fetch)
    }

    @Test func anHTMLEntryIsAskedForConditionally() {
        let remembered = UploadVersion(etag: "\"6568-7b\"", size: 123, modified: "Wed, 02 Dec 2026 10:00:00 GMT")
        #expect(
            UploadVersion.decide(listed: UploadVersion(), remembered: remembered)
                == .fetchIfChanged(etag: "\"6568-7b\"", modified: "Wed, 02 Dec 2026 10:00:00 GMT"))
        #expect(UploadVersion.decide(listed: UploadVersion(), remembered: UploadVersion(size: 3)) == .skip)
    }

    @Test func theResponseFillsWhatTheListingLacks() {
        #expect(
            json.filled(etag: "\"e\"", size: 999, modified: "other")
                == UploadVersion(etag: "\"e\"", size: 123, modified: json.modified))
    }
}
