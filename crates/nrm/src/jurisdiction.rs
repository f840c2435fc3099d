//! The three UK legal jurisdictions whose calendars and NRM rules differ.

use serde::{Deserialize, Serialize};

/// A UK jurisdiction. The NRM is UK-wide, but bank holidays, recovery periods and the Duty to
/// Notify differ between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Jurisdiction {
    /// England and Wales (one calendar, one set of NRM statutory guidance).
    EnglandAndWales,
    /// Scotland.
    Scotland,
    /// Northern Ireland.
    NorthernIreland,
}

impl Jurisdiction {
    /// All three, in a stable order.
    pub const ALL: [Jurisdiction; 3] = [
        Jurisdiction::EnglandAndWales,
        Jurisdiction::Scotland,
        Jurisdiction::NorthernIreland,
    ];

    /// The stable identifier used in JSON, the CLI and the API (`england-and-wales`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Jurisdiction::EnglandAndWales => "england-and-wales",
            Jurisdiction::Scotland => "scotland",
            Jurisdiction::NorthernIreland => "northern-ireland",
        }
    }
}

impl std::fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A jurisdiction name that is not one of the three.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown jurisdiction {0:?}: expected england-and-wales, scotland or northern-ireland")]
pub struct UnknownJurisdiction(pub String);

impl std::str::FromStr for Jurisdiction {
    type Err = UnknownJurisdiction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['_', ' '], "-")
            .as_str()
        {
            "england-and-wales" | "england-wales" | "ew" => Ok(Jurisdiction::EnglandAndWales),
            "scotland" | "sc" => Ok(Jurisdiction::Scotland),
            "northern-ireland" | "ni" => Ok(Jurisdiction::NorthernIreland),
            _ => Err(UnknownJurisdiction(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for j in Jurisdiction::ALL {
            assert_eq!(j.as_str().parse::<Jurisdiction>(), Ok(j));
            let json = serde_json::to_string(&j).expect("serialises");
            assert_eq!(json, format!("\"{}\"", j.as_str()));
        }
        assert!("wales-only".parse::<Jurisdiction>().is_err());
    }
}
