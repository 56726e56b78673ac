import ArgumentParser
import Foundation
import JCMCore
import JCMPostgres

/// `period declare`'s times and its refusals, in words that say what to change.
enum PeriodDeclaring {
    /// --start/--end: RFC 3339 with an offset; with --timezone also a local date-time or a date
    /// alone (its midnight there).
    static func instant(_ text: String, _ option: String, zone: String?) throws -> Timestamp {
        if let t = try? TimestampParser().parse(text) { return t }
        guard let zone else {
            throw ValidationErrorMessage(
                "--\(option) \(text): give an offset (2026-10-01T00:00:00+05:30, or Z for UTC), "
                    + "or --timezone ZONE (an IANA name such as Asia/Kolkata) for a local date or time")
        }
        guard let tz = TimeZone(identifier: zone) else {
            throw ValidationErrorMessage("--timezone \(zone): not a time zone name (IANA, such as Asia/Kolkata or UTC)")
        }
        let local = text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil ? text + "T00:00:00" : text
        do {
            return try TimestampParser(zone: tz).parse(local)
        } catch {
            throw ValidationErrorMessage("--\(option) \(text): \(error.explained)")
        }
    }

    /// The server's refusal, said with what to do: an unknown project lists the known ones; an
    /// overlap names the periods it overlaps.
    static func explain(_ error: PostgresError, project: String, starts: Timestamp, ends: Timestamp, db: Connection)
        -> Error
    {
        switch error.sqlState {
        case "23503":
            let known = (try? db.query("select id from jcm.projects order by id").map { try $0.string(0) }) ?? []
            return ValidationErrorMessage(
                "no project \(project) in the database; "
                    + (known.isEmpty
                        ? "none is configured yet (the daemon records each [[project]] at its start)"
                        : "known projects: \(known.joined(separator: ", "))"))
        case "23505":
            return ValidationErrorMessage(
                "project \(project) already has a period with this name: `period list --project \(project)`")
        default:
            guard error.message.contains("overlaps a declared one") else { return error }
            let names: [String] =
                (try? db.query(
                    """
                    select name, to_char(starts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                           to_char(ends at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') from jcm.monitoring_periods
                    where project = $1 and starts < $3::timestamptz and $2::timestamptz < ends order by starts
                    """, [.text(project), .timestamp(starts), .timestamp(ends)]
                ).map { r -> String in
                    let (name, starts, ends) = (try r.string(0), try r.string(1), try r.string(2))
                    return "\(name) (\(starts) – \(ends))"
                }) ?? []
            return ValidationErrorMessage(
                "the period overlaps \(names.isEmpty ? "a declared one" : names.joined(separator: ", ")) "
                    + "of project \(project); periods of a project must not overlap")
        }
    }
}
