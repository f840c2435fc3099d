//! Input validation. Everything the algorithms assume (finite coordinates in range, radii ≥ 0,
//! occupied ≤ capacity, unique non-empty ids) is checked here first, so no later code can panic or
//! produce NaN-dependent results.

use std::collections::BTreeSet;

use crate::error::{PlacementError, Problem};
use crate::model::{Facility, GeoPoint, Needs};

fn finite(field: &str, v: f64) -> Result<(), PlacementError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(PlacementError::new(field, Problem::NotFinite))
    }
}

fn point(field: &str, p: GeoPoint) -> Result<(), PlacementError> {
    let lat = format!("{field}.lat");
    finite(&lat, p.lat)?;
    if !(-90.0..=90.0).contains(&p.lat) {
        return Err(PlacementError::new(
            lat,
            Problem::OutOfRange { min: -90, max: 90 },
        ));
    }
    let lon = format!("{field}.lon");
    finite(&lon, p.lon)?;
    if !(-180.0..=180.0).contains(&p.lon) {
        return Err(PlacementError::new(
            lon,
            Problem::OutOfRange {
                min: -180,
                max: 180,
            },
        ));
    }
    Ok(())
}

fn non_negative(field: &str, v: f64) -> Result<(), PlacementError> {
    finite(field, v)?;
    if v < 0.0 {
        return Err(PlacementError::new(field, Problem::Negative));
    }
    Ok(())
}

/// Checks a facility list: ids non-empty and unique, locations valid, occupied ≤ capacity.
pub(crate) fn facilities(facilities: &[Facility]) -> Result<(), PlacementError> {
    let mut seen = BTreeSet::new();
    for (i, f) in facilities.iter().enumerate() {
        let at = format!("facilities[{i}]");
        if f.id.is_empty() {
            return Err(PlacementError::new(format!("{at}.id"), Problem::Empty));
        }
        if !seen.insert(f.id.as_str()) {
            return Err(PlacementError::new(
                format!("{at}.id"),
                Problem::DuplicateId { id: f.id.clone() },
            ));
        }
        point(&format!("{at}.location"), f.location)?;
        if f.beds.occupied > f.beds.capacity {
            return Err(PlacementError::new(
                format!("{at}.beds.occupied"),
                Problem::OccupiedExceedsCapacity {
                    capacity: f.beds.capacity,
                    occupied: f.beds.occupied,
                },
            ));
        }
    }
    Ok(())
}

/// Checks one person's needs; `at` is the path prefix (`needs` or `people[i].needs`).
pub(crate) fn needs(at: &str, n: &Needs) -> Result<(), PlacementError> {
    for (z, zone) in n.exclusion_zones.iter().enumerate() {
        let zat = format!("{at}.exclusion_zones[{z}]");
        point(&format!("{zat}.centre"), zone.centre)?;
        non_negative(&format!("{zat}.radius_km"), zone.radius_km)?;
    }
    if let Some(p) = n.preferred_point {
        point(&format!("{at}.preferred_point"), p)?;
    }
    if let Some(p) = n.current_location {
        point(&format!("{at}.current_location"), p)?;
    }
    if let Some(max) = n.max_travel_km {
        non_negative(&format!("{at}.max_travel_km"), max)?;
        if n.current_location.is_none() {
            return Err(PlacementError::new(
                format!("{at}.current_location"),
                Problem::Required,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgeGroup, ExclusionKind, ExclusionZone, Gender};

    #[test]
    fn needs_errors_name_the_field() {
        let mut n = Needs::new(Gender::Female, AgeGroup::Adult);
        n.exclusion_zones.push(ExclusionZone {
            kind: ExclusionKind::PlaceOfExploitation,
            centre: GeoPoint::new(51.0, 0.0),
            radius_km: -1.0,
        });
        let e = needs("needs", &n).unwrap_err();
        assert_eq!(e.field, "needs.exclusion_zones[0].radius_km");
        assert_eq!(e.problem, Problem::Negative);

        n.exclusion_zones[0].radius_km = 5.0;
        n.exclusion_zones[0].centre.lat = f64::NAN;
        let e = needs("needs", &n).unwrap_err();
        assert_eq!(e.field, "needs.exclusion_zones[0].centre.lat");
        assert_eq!(e.problem, Problem::NotFinite);

        n.exclusion_zones.clear();
        n.max_travel_km = Some(10.0);
        let e = needs("needs", &n).unwrap_err();
        assert_eq!(e.field, "needs.current_location");
        assert_eq!(e.problem, Problem::Required);

        n.current_location = Some(GeoPoint::new(0.0, 181.0));
        let e = needs("needs", &n).unwrap_err();
        assert_eq!(e.field, "needs.current_location.lon");
        assert!(e.to_string().contains("needs.current_location.lon"));
    }
}
