//! Ranking every facility for one person, with explanations.

use serde::{Deserialize, Serialize};

use crate::eligibility::{Ineligibility, reasons};
use crate::error::PlacementError;
use crate::model::{Facility, Needs};
use crate::score::{Score, Weights, reference_distance_km, score};
use crate::validate;

/// A facility that passes every hard constraint, with its explained score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EligibleFacility {
    /// The facility.
    pub facility_id: String,
    /// Its score and the parts it is made of.
    pub score: Score,
    /// Distance from the preferred point (else the current location), km (rounded to the metre), when either is given.
    pub distance_km: Option<f64>,
}

/// A facility that fails at least one hard constraint, with every constraint it fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IneligibleFacility {
    /// The facility.
    pub facility_id: String,
    /// Every failed constraint (never empty).
    pub reasons: Vec<Ineligibility>,
}

/// Every facility, either eligible or not.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Ranking {
    /// Best first: score descending, then facility id ascending.
    pub eligible: Vec<EligibleFacility>,
    /// By facility id ascending.
    pub ineligible: Vec<IneligibleFacility>,
}

/// Ranks every facility for one person.
///
/// Each facility appears exactly once: in `eligible` with a score whose parts sum to its total,
/// or in `ineligible` with every hard constraint it fails (free beds included: one bed for the
/// person and one per dependant). The result depends only on the inputs, not on their order
/// beyond ties, which are broken by facility id.
///
/// # Errors
/// [`PlacementError`] naming the first invalid field: non-finite or out-of-range coordinates, a
/// negative radius or travel distance, occupied above capacity, an empty or duplicate facility
/// id, `max_travel_km` without `current_location`, or weights out of range.
pub fn rank(
    needs: &Needs,
    facilities: &[Facility],
    weights: &Weights,
) -> Result<Ranking, PlacementError> {
    weights.validate()?;
    validate::needs("needs", needs)?;
    validate::facilities(facilities)?;
    let mut out = Ranking::default();
    for f in facilities {
        let failed = reasons(needs, f, true);
        if failed.is_empty() {
            out.eligible.push(EligibleFacility {
                facility_id: f.id.clone(),
                score: score(needs, f, weights),
                distance_km: reference_distance_km(needs, f).map(|d| (d * 1000.0).round() / 1000.0),
            });
        } else {
            out.ineligible.push(IneligibleFacility {
                facility_id: f.id.clone(),
                reasons: failed,
            });
        }
    }
    out.eligible.sort_by(|a, b| {
        b.score
            .total
            .cmp(&a.score.total)
            .then_with(|| a.facility_id.cmp(&b.facility_id))
    });
    out.ineligible
        .sort_by(|a, b| a.facility_id.cmp(&b.facility_id));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Acceptance, AgeGroup, Beds, Gender, GeoPoint, SecurityLevel};

    fn fac(id: &str, lat: f64, occupied: u32) -> Facility {
        Facility {
            id: id.into(),
            name: id.into(),
            provider: "p".into(),
            region: "r".into(),
            location: GeoPoint::new(lat, 0.0),
            beds: Beds {
                capacity: 4,
                occupied,
            },
            accepts: Acceptance {
                genders: [Gender::Female, Gender::Male].into(),
                age_groups: [AgeGroup::Adult].into(),
                max_dependants: 0,
                pregnancy: false,
            },
            languages: Default::default(),
            specialisms: Default::default(),
            services: Default::default(),
            security: SecurityLevel::Standard,
            admission_rules: Default::default(),
            open_to_referrals: true,
        }
    }

    #[test]
    fn ordering_and_ties() {
        let mut n = Needs::new(Gender::Female, AgeGroup::Adult);
        n.preferred_point = Some(GeoPoint::new(51.0, 0.0));
        let fs = vec![
            fac("c", 51.0, 0),
            fac("b", 51.0, 0),
            fac("a", 52.0, 0),
            fac("z", 51.0, 4),
        ];
        let r = rank(&n, &fs, &Weights::default()).unwrap();
        let ids: Vec<&str> = r.eligible.iter().map(|e| e.facility_id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "a"]);
        assert_eq!(r.ineligible.len(), 1);
        assert_eq!(
            r.ineligible[0].reasons,
            vec![Ineligibility::NoFreeBeds {
                beds_needed: 1,
                beds_free: 0
            }]
        );
        assert_eq!(r.eligible[0].distance_km, Some(0.0));
    }

    #[test]
    fn invalid_facility_names_field() {
        let n = Needs::new(Gender::Female, AgeGroup::Adult);
        let mut fs = vec![fac("a", 51.0, 0), fac("b", 51.0, 0)];
        fs[1].beds.occupied = 9;
        let e = rank(&n, &fs, &Weights::default()).unwrap_err();
        assert_eq!(e.field, "facilities[1].beds.occupied");
        fs[1].beds.occupied = 0;
        fs[1].id = "a".into();
        assert_eq!(
            rank(&n, &fs, &Weights::default()).unwrap_err().field,
            "facilities[1].id"
        );
        fs[1].id = "b".into();
        fs[0].location.lat = f64::INFINITY;
        assert_eq!(
            rank(&n, &fs, &Weights::default()).unwrap_err().field,
            "facilities[0].location.lat"
        );
    }
}
