//! Aggregate reports for a period, as of a day, and the [`Share`] every rate is printed with.
//!
//! Shares are printed to two decimals rounded half up, with integer arithmetic (no binary
//! floating point, so 25 of 32 is exactly 78.125% and prints as 78.13%), and always carry their
//! numerator and denominator so that a reader can check them.

use serde::{Deserialize, Serialize};

/// A rate: `numerator` of `denominator`, with the percentage printed to two decimals rounded
/// half up. `percent` is `None` when the denominator is zero (no rate to speak of).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// How many have the property (e.g. rescued people who asked for advocacy).
    pub numerator: u64,
    /// Out of how many.
    pub denominator: u64,
    /// `"78.13%"`; `None` when the denominator is zero.
    pub percent: Option<String>,
}

impl Share {
    /// `numerator` of `denominator`.
    pub fn new(numerator: u64, denominator: u64) -> Self {
        Self {
            numerator,
            denominator,
            percent: hundredths(numerator, denominator).map(format_hundredths),
        }
    }

    /// The percentage in hundredths of a percent, rounded half up (7813 for 25 of 32).
    pub fn hundredths(&self) -> Option<u128> {
        hundredths(self.numerator, self.denominator)
    }
}

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.percent {
            Some(p) => write!(f, "{p} ({} of {})", self.numerator, self.denominator),
            None => write!(f, "n/a ({} of {})", self.numerator, self.denominator),
        }
    }
}

/// round_half_up(n / d × 10 000) = ⌊(20 000·n + d) / 2d⌋, exact in u128 for any u64 inputs.
fn hundredths(n: u64, d: u64) -> Option<u128> {
    if d == 0 {
        return None;
    }
    let (n, d) = (u128::from(n), u128::from(d));
    Some((20_000 * n + d) / (2 * d))
}

fn format_hundredths(h: u128) -> String {
    format!("{}.{:02}%", h / 100, h % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The seed's figure (domain brief): 25 of 32 is 78.125%, printed 78.13% (half up).
    #[test]
    fn examples() {
        let cases = [
            (25, 32, Some("78.13%")),
            (1, 8, Some("12.50%")),
            (1, 3, Some("33.33%")),
            (2, 3, Some("66.67%")),
            (1, 16, Some("6.25%")),
            (1, 1600, Some("0.06%")),  // 0.0625 → half up
            (1, 80000, Some("0.00%")), // 0.00125 → down
            (1, 40000, Some("0.00%")), // 0.0025 → down
            (1, 20000, Some("0.01%")), // 0.005 → half up
            (0, 5, Some("0.00%")),
            (5, 5, Some("100.00%")),
            (3, 2, Some("150.00%")),
            (0, 0, None),
        ];
        for (n, d, want) in cases {
            assert_eq!(Share::new(n, d).percent.as_deref(), want, "{n} of {d}");
        }
        assert_eq!(Share::new(25, 32).to_string(), "78.13% (25 of 32)");
        assert_eq!(
            serde_json::to_value(Share::new(25, 32)).unwrap(),
            serde_json::json!({"numerator": 25, "denominator": 32, "percent": "78.13%"})
        );
        let big = Share::new(u64::MAX, u64::MAX);
        assert_eq!(big.percent.as_deref(), Some("100.00%"));
    }

    proptest! {
        /// The printed value is the exact rate rounded half up: |printed − exact| ≤ 0.005 and a
        /// tie goes up.
        #[test]
        fn rounds_half_up(n in 0u64..1_000_000, d in 1u64..1_000_000) {
            let h = Share::new(n, d).hundredths().unwrap();
            // exact = 10 000·n / d; h is the integer with h − ½ ≤ exact < h + ½.
            let (n, d) = (u128::from(n), u128::from(d));
            prop_assert!(2 * 10_000 * n >= (2 * h).saturating_sub(1) * d);
            prop_assert!(2 * 10_000 * n < (2 * h + 1) * d);
        }

        /// Printed with two decimals and a percent sign, parsing back to the hundredths.
        #[test]
        fn format(n in any::<u64>(), d in 1u64..) {
            let s = Share::new(n, d);
            let p = s.percent.clone().unwrap();
            let (int, frac) = p.trim_end_matches('%').split_once('.').unwrap();
            prop_assert_eq!(frac.len(), 2);
            let parsed: u128 = int.parse::<u128>().unwrap() * 100 + frac.parse::<u128>().unwrap();
            prop_assert_eq!(Some(parsed), s.hundredths());
        }

        /// More of the same denominator never prints less; a share of at most all is ≤ 100%.
        #[test]
        fn monotone(n in 0u64..10_000, d in 1u64..10_000) {
            let a = Share::new(n, d).hundredths().unwrap();
            let b = Share::new(n + 1, d).hundredths().unwrap();
            prop_assert!(a <= b);
            if n <= d { prop_assert!(a <= 10_000); }
        }
    }
}
