//! Soft criteria: configurable integer weights and a score explained per criterion.
//!
//! Scores are whole points (`u32`), so comparisons and sums in batch assignment are exact. Each
//! criterion earns between 0 and its weight; the parts always sum to the total.

use serde::{Deserialize, Serialize};

use crate::eligibility::shares_language;
use crate::error::{PlacementError, Problem};
use crate::geo::haversine_km;
use crate::model::{ExploitationType, Facility, Needs, Service};

/// Largest weight accepted for one criterion (keeps every sum far inside integer range).
pub const MAX_WEIGHT: u32 = 1_000_000;

/// Points per criterion: the most a facility can earn on each. Defaults sum to 1,000.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Weights {
    /// Staff speak one of the person's languages: full weight; only through an interpreter
    /// service: half (rounded down). Default 300.
    pub language: u32,
    /// Share of the person's (specified) exploitation types the facility specialises in.
    /// Default 250.
    pub specialism: u32,
    /// Share of the services the person did not require that the facility offers anyway.
    /// Default 100.
    pub extra_services: u32,
    /// Facility is in the preferred region. Default 100.
    pub region: u32,
    /// Closeness to the preferred point (or, without one, to the current location): full weight
    /// at 0 km falling linearly to 0 at `distance_scale_km`. Default 150.
    pub distance: u32,
    /// Share of the facility's beds still free after this person (and dependants) arrive, so
    /// that load spreads across providers. Default 100.
    pub occupancy: u32,
    /// Distance at which the distance criterion reaches 0, km (1 to 40,075). Default 250.
    pub distance_scale_km: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            language: 300,
            specialism: 250,
            extra_services: 100,
            region: 100,
            distance: 150,
            occupancy: 100,
            distance_scale_km: 250.0,
        }
    }
}

impl Weights {
    /// The most any facility can score: the sum of the criterion weights.
    pub const fn max_total(&self) -> u32 {
        // Cannot overflow once validated: 6 × MAX_WEIGHT < u32::MAX.
        self.language
            .saturating_add(self.specialism)
            .saturating_add(self.extra_services)
            .saturating_add(self.region)
            .saturating_add(self.distance)
            .saturating_add(self.occupancy)
    }

    pub(crate) fn validate(&self) -> Result<(), PlacementError> {
        for (name, w) in [
            ("language", self.language),
            ("specialism", self.specialism),
            ("extra_services", self.extra_services),
            ("region", self.region),
            ("distance", self.distance),
            ("occupancy", self.occupancy),
        ] {
            if w > MAX_WEIGHT {
                return Err(PlacementError::new(
                    format!("weights.{name}"),
                    Problem::WeightOutOfRange {
                        min: 0,
                        max: u64::from(MAX_WEIGHT),
                    },
                ));
            }
        }
        let s = self.distance_scale_km;
        if !s.is_finite() {
            return Err(PlacementError::new(
                "weights.distance_scale_km",
                Problem::NotFinite,
            ));
        }
        if !(1.0..=40_075.0).contains(&s) {
            return Err(PlacementError::new(
                "weights.distance_scale_km",
                Problem::WeightOutOfRange {
                    min: 1,
                    max: 40_075,
                },
            ));
        }
        Ok(())
    }
}

/// A soft criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// See [`Weights::language`].
    Language,
    /// See [`Weights::specialism`].
    Specialism,
    /// See [`Weights::extra_services`].
    ExtraServices,
    /// See [`Weights::region`].
    Region,
    /// See [`Weights::distance`].
    Distance,
    /// See [`Weights::occupancy`].
    Occupancy,
}

/// Points earned on one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorePart {
    /// The criterion.
    pub criterion: Criterion,
    /// Points earned, `0..=max_points`.
    pub points: u32,
    /// The criterion's weight.
    pub max_points: u32,
}

/// A score with its explanation: `total` is exactly the sum of `parts[..].points`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// Total points.
    pub total: u32,
    /// One part per criterion, in [`Criterion`] order.
    pub parts: Vec<ScorePart>,
}

/// `weight × num / den`, rounded down (0 when `den` is 0). Exact in `u64`.
fn share(weight: u32, num: usize, den: usize) -> u32 {
    if den == 0 {
        return 0;
    }
    let v = u64::from(weight) * num as u64 / den as u64;
    // num ≤ den, so v ≤ weight and fits in u32.
    u32::try_from(v).unwrap_or(weight)
}

/// Distance from the person's reference point (preferred point, else current location), km.
pub(crate) fn reference_distance_km(needs: &Needs, facility: &Facility) -> Option<f64> {
    needs
        .preferred_point
        .or(needs.current_location)
        .map(|p| haversine_km(p, facility.location))
}

/// Scores a facility for a person. Assumes validated inputs; does not check eligibility.
pub(crate) fn score(needs: &Needs, facility: &Facility, w: &Weights) -> Score {
    let language = if needs.languages.is_empty() {
        0
    } else if shares_language(needs, facility) {
        w.language
    } else if facility.services.contains(&Service::Interpreter) {
        w.language / 2
    } else {
        0
    };

    let specific: Vec<ExploitationType> = needs
        .exploitation_types
        .iter()
        .filter(|t| **t != ExploitationType::NotSpecified)
        .copied()
        .collect();
    let matched = specific
        .iter()
        .filter(|t| facility.specialisms.contains(t))
        .count();
    let specialism = share(w.specialism, matched, specific.len());

    let pool = Service::ALL
        .iter()
        .filter(|s| !needs.required_services.contains(s));
    let (offered, pool_len) = pool.fold((0, 0), |(o, n), s| {
        (o + usize::from(facility.services.contains(s)), n + 1)
    });
    let extra_services = share(w.extra_services, offered, pool_len);

    let region = match &needs.preferred_region {
        Some(r) if r.trim().eq_ignore_ascii_case(facility.region.trim()) => w.region,
        _ => 0,
    };

    let distance = match reference_distance_km(needs, facility) {
        Some(d) => {
            let frac = (1.0 - d / w.distance_scale_km).clamp(0.0, 1.0);
            // frac ∈ [0, 1] and the weight ≤ MAX_WEIGHT, so the cast is exact and in range.
            (f64::from(w.distance) * frac).floor() as u32
        }
        None => 0,
    };

    let free_after = facility.beds.free().saturating_sub(needs.beds());
    let occupancy = share(
        w.occupancy,
        free_after as usize,
        facility.beds.capacity as usize,
    );

    let parts = vec![
        ScorePart {
            criterion: Criterion::Language,
            points: language,
            max_points: w.language,
        },
        ScorePart {
            criterion: Criterion::Specialism,
            points: specialism,
            max_points: w.specialism,
        },
        ScorePart {
            criterion: Criterion::ExtraServices,
            points: extra_services,
            max_points: w.extra_services,
        },
        ScorePart {
            criterion: Criterion::Region,
            points: region,
            max_points: w.region,
        },
        ScorePart {
            criterion: Criterion::Distance,
            points: distance,
            max_points: w.distance,
        },
        ScorePart {
            criterion: Criterion::Occupancy,
            points: occupancy,
            max_points: w.occupancy,
        },
    ];
    let total = parts.iter().map(|p| p.points).sum();
    Score { total, parts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Acceptance, AgeGroup, Beds, Gender, GeoPoint, SecurityLevel};

    fn facility() -> Facility {
        Facility {
            id: "f".into(),
            name: "n".into(),
            provider: "p".into(),
            region: "North West".into(),
            location: GeoPoint::new(53.0, -2.0),
            beds: Beds {
                capacity: 10,
                occupied: 4,
            },
            accepts: Acceptance {
                genders: [Gender::Female].into(),
                age_groups: [AgeGroup::Adult].into(),
                max_dependants: 2,
                pregnancy: true,
            },
            languages: ["en".into(), "ro".into()].into(),
            specialisms: [ExploitationType::Sexual].into(),
            services: [Service::Medical, Service::Interpreter].into(),
            security: SecurityLevel::Enhanced,
            admission_rules: Default::default(),
            open_to_referrals: true,
        }
    }

    fn points(s: &Score, c: Criterion) -> u32 {
        s.parts.iter().find(|p| p.criterion == c).unwrap().points
    }

    #[test]
    fn each_criterion() {
        let f = facility();
        let w = Weights::default();
        let mut n = Needs::new(Gender::Female, AgeGroup::Adult);
        n.languages = ["RO".into()].into();
        n.exploitation_types = [
            ExploitationType::Sexual,
            ExploitationType::Labour,
            ExploitationType::NotSpecified,
        ]
        .into();
        n.required_services = [Service::Medical].into();
        n.preferred_region = Some(" north west".into());
        n.preferred_point = Some(f.location);
        n.dependants = 1;
        let s = score(&n, &f, &w);
        assert_eq!(points(&s, Criterion::Language), 300);
        assert_eq!(points(&s, Criterion::Specialism), 125);
        // 1 (interpreter) of the 6 services not required.
        assert_eq!(points(&s, Criterion::ExtraServices), 16);
        assert_eq!(points(&s, Criterion::Region), 100);
        assert_eq!(points(&s, Criterion::Distance), 150);
        // 6 free, 2 taken by this person and a dependant: 4 of 10.
        assert_eq!(points(&s, Criterion::Occupancy), 40);
        assert_eq!(s.total, 300 + 125 + 16 + 100 + 150 + 40);
        assert_eq!(s.total, s.parts.iter().map(|p| p.points).sum::<u32>());

        n.languages = ["ar".into()].into();
        n.preferred_point = Some(GeoPoint::new(f.location.lat + 1.0, f.location.lon));
        let s = score(&n, &f, &w);
        assert_eq!(points(&s, Criterion::Language), 150);
        // About 111 km of 250: 150 × (1 − 0.445) ≈ 83.
        assert!((80..=85).contains(&points(&s, Criterion::Distance)));
    }

    #[test]
    fn weights_are_validated() {
        let w = Weights {
            region: MAX_WEIGHT + 1,
            ..Weights::default()
        };
        assert_eq!(w.validate().unwrap_err().field, "weights.region");
        let w = Weights {
            distance_scale_km: f64::NAN,
            ..Weights::default()
        };
        assert_eq!(w.validate().unwrap_err().field, "weights.distance_scale_km");
        assert_eq!(Weights::default().max_total(), 1000);
    }
}
