import Foundation

/// Exponential backoff with jitter, capped: 0.5 s, 1 s, 2 s … 30 s.
public enum Backoff {
    public static func delay(
        attempt: Int, base: Double = 0.5, cap: Double = 30, jitter: Double = Double.random(in: 0.8...1.2)
    ) -> Double {
        min(cap, base * pow(2, Double(max(0, attempt - 1)))) * jitter
    }
}
