import JCMCore

/// A key rotation: the old key signs the record `key-handover`, hex of the old public key, hex of
/// the new one. The new key's row in jcm.signing_keys keeps the signature (handover_from,
/// handover_signature); verify accepts a key handed over from a pinned one.
public enum KeyHandover {
    public static func record(from old: [UInt8], to new: [UInt8]) -> [UInt8] {
        var r = CanonicalRecord(tag: "key-handover")
        r.field(LedgerDigest.hex(old))
        r.field(LedgerDigest.hex(new))
        return r.bytes
    }

    /// Records the new key, signed over by the old one (recorded too if it was not yet).
    public static func write(from old: LedgerSigner, to new: LedgerSigner, db: Connection) throws {
        _ = try LedgerWriter.register(old, db: db)
        try db.query(
            """
            insert into jcm.signing_keys (public_key, fingerprint, handover_from, handover_signature)
            values ($1, $2, (select id from jcm.signing_keys where public_key = $3), $4)
            """,
            [
                .bytes(new.publicKey), .text(LedgerSigner.fingerprint(new.publicKey)), .bytes(old.publicKey),
                .bytes(try old.sign(record(from: old.publicKey, to: new.publicKey))),
            ])
    }

    /// The keys a verifier accepts: those given, and every key handed over from one of them with
    /// a valid signature, transitively. `keys`: id -> (public key, handed over from, signature).
    public static func accepted(pinned: [UInt8]?, keys: [Int32: (key: [UInt8], from: Int32?, signature: [UInt8]?)])
        -> Set<Int32>
    {
        guard let pinned else { return Set(keys.keys) }
        var accepted = Set(keys.filter { $0.value.key == pinned }.map(\.key))
        var grew = true
        while grew {
            grew = false
            for (id, k) in keys where !accepted.contains(id) {
                guard let from = k.from, accepted.contains(from), let old = keys[from], let signature = k.signature,
                    LedgerSigner.isValid(signature: signature, of: record(from: old.key, to: k.key), publicKey: old.key)
                else { continue }
                accepted.insert(id)
                grew = true
            }
        }
        return accepted
    }
}
