//! Hard constraints: a facility that fails any of them is never offered for the person.
//!
//! [`reasons`] reports **every** failed constraint (for explanations); [`passes`] answers yes/no
//! with cheap checks first (for batch assignment, where most pairs are rejected on gender or age
//! before any distance is computed). Both apply the same predicates, so they always agree.

use serde::{Deserialize, Serialize};

use crate::geo::haversine_km;
use crate::model::{
    AdmissionRule, AgeGroup, ExclusionKind, Facility, Gender, Needs, SecurityLevel, Service,
};

/// One failed hard constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "constraint")]
pub enum Ineligibility {
    /// The facility is closed to referrals.
    ClosedToReferrals,
    /// The facility does not accept the person's gender.
    GenderNotAccepted {
        /// The person's gender.
        gender: Gender,
    },
    /// The facility does not accept adults (or children).
    AgeGroupNotAccepted {
        /// The person's age group.
        age_group: AgeGroup,
    },
    /// The person brings more dependants than the facility takes.
    TooManyDependants {
        /// Dependants coming.
        dependants: u32,
        /// Most the facility takes per resident.
        max_dependants: u32,
    },
    /// The person is pregnant and the facility does not accept pregnancy.
    PregnancyNotAccepted,
    /// Required services the facility lacks (all of them, in declaration order).
    MissingServices {
        /// The missing services.
        missing: Vec<Service>,
    },
    /// The facility's security level is below the required one.
    SecurityTooLow {
        /// Required level.
        required: SecurityLevel,
        /// The facility's level.
        offered: SecurityLevel,
    },
    /// The facility lies inside an exclusion zone (one entry per zone it lies in).
    InsideExclusionZone {
        /// Index into [`Needs::exclusion_zones`].
        zone_index: usize,
        /// What the zone is.
        kind: ExclusionKind,
        /// Distance from the zone's centre, km (rounded to the metre).
        distance_km: f64,
        /// The zone's radius, km.
        radius_km: f64,
    },
    /// The facility is further than the person can travel.
    BeyondMaxTravel {
        /// Distance from the person's current location, km (rounded to the metre).
        distance_km: f64,
        /// Their maximum, km.
        max_travel_km: f64,
    },
    /// An admission rule the person does not meet.
    AdmissionRuleNotMet {
        /// The rule.
        rule: AdmissionRule,
    },
    /// The person speaks languages, none of them spoken by staff, and there is no interpreter.
    NoCommonLanguage,
    /// Fewer free beds than the person (with dependants) needs.
    NoFreeBeds {
        /// Beds needed (1 + dependants).
        beds_needed: u32,
        /// Beds free.
        beds_free: u32,
    },
}

/// A distance for explanations, rounded to the metre (decisions use the unrounded value).
fn metres(km: f64) -> f64 {
    (km * 1000.0).round() / 1000.0
}

/// Whether the person and facility share a language, ignoring ASCII case.
pub(crate) fn shares_language(needs: &Needs, facility: &Facility) -> bool {
    needs.languages.iter().any(|l| {
        facility
            .languages
            .iter()
            .any(|f| f.trim().eq_ignore_ascii_case(l.trim()))
    })
}

fn rule_met(needs: &Needs, rule: AdmissionRule) -> bool {
    match rule {
        AdmissionRule::NoCurrentSubstanceUse => !needs.current_substance_use,
        AdmissionRule::MentalHealthStabilityRequired => needs.mental_health_stable,
        AdmissionRule::RecentlyTraffickedOnly => needs.recently_trafficked,
    }
}

fn language_ok(needs: &Needs, facility: &Facility) -> bool {
    needs.languages.is_empty()
        || facility.services.contains(&Service::Interpreter)
        || shares_language(needs, facility)
}

/// Every hard constraint the facility fails for these needs, in a fixed order. With
/// `check_beds = false` the free-beds constraint is left out (batch assignment tracks beds itself).
pub(crate) fn reasons(needs: &Needs, facility: &Facility, check_beds: bool) -> Vec<Ineligibility> {
    let mut out = Vec::new();
    if !facility.open_to_referrals {
        out.push(Ineligibility::ClosedToReferrals);
    }
    if !facility.accepts.genders.contains(&needs.gender) {
        out.push(Ineligibility::GenderNotAccepted {
            gender: needs.gender,
        });
    }
    if !facility.accepts.age_groups.contains(&needs.age_group) {
        out.push(Ineligibility::AgeGroupNotAccepted {
            age_group: needs.age_group,
        });
    }
    if needs.dependants > facility.accepts.max_dependants {
        out.push(Ineligibility::TooManyDependants {
            dependants: needs.dependants,
            max_dependants: facility.accepts.max_dependants,
        });
    }
    if needs.pregnant && !facility.accepts.pregnancy {
        out.push(Ineligibility::PregnancyNotAccepted);
    }
    let missing: Vec<Service> = needs
        .required_services
        .iter()
        .filter(|s| !facility.services.contains(s))
        .copied()
        .collect();
    if !missing.is_empty() {
        out.push(Ineligibility::MissingServices { missing });
    }
    if facility.security < needs.required_security {
        out.push(Ineligibility::SecurityTooLow {
            required: needs.required_security,
            offered: facility.security,
        });
    }
    for (zone_index, zone) in needs.exclusion_zones.iter().enumerate() {
        let distance_km = haversine_km(zone.centre, facility.location);
        if distance_km <= zone.radius_km {
            out.push(Ineligibility::InsideExclusionZone {
                zone_index,
                kind: zone.kind,
                distance_km: metres(distance_km),
                radius_km: zone.radius_km,
            });
        }
    }
    if let (Some(max_travel_km), Some(from)) = (needs.max_travel_km, needs.current_location) {
        let distance_km = haversine_km(from, facility.location);
        if distance_km > max_travel_km {
            out.push(Ineligibility::BeyondMaxTravel {
                distance_km: metres(distance_km),
                max_travel_km,
            });
        }
    }
    for &rule in &facility.admission_rules {
        if !rule_met(needs, rule) {
            out.push(Ineligibility::AdmissionRuleNotMet { rule });
        }
    }
    if !language_ok(needs, facility) {
        out.push(Ineligibility::NoCommonLanguage);
    }
    if check_beds && facility.beds.free() < needs.beds() {
        out.push(Ineligibility::NoFreeBeds {
            beds_needed: needs.beds(),
            beds_free: facility.beds.free(),
        });
    }
    out
}

/// Whether the facility passes every hard constraint except free beds. Same predicates as
/// [`reasons`], cheapest first, stopping at the first failure.
pub(crate) fn passes(needs: &Needs, facility: &Facility) -> bool {
    facility.open_to_referrals
        && facility.accepts.genders.contains(&needs.gender)
        && facility.accepts.age_groups.contains(&needs.age_group)
        && needs.dependants <= facility.accepts.max_dependants
        && (!needs.pregnant || facility.accepts.pregnancy)
        && facility.security >= needs.required_security
        && needs
            .required_services
            .iter()
            .all(|s| facility.services.contains(s))
        && facility.admission_rules.iter().all(|&r| rule_met(needs, r))
        && language_ok(needs, facility)
        && match (needs.max_travel_km, needs.current_location) {
            (Some(max), Some(from)) => haversine_km(from, facility.location) <= max,
            _ => true,
        }
        && needs
            .exclusion_zones
            .iter()
            .all(|z| haversine_km(z.centre, facility.location) > z.radius_km)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Acceptance, Beds, ExclusionZone, GeoPoint};

    fn facility() -> Facility {
        Facility {
            id: "f1".into(),
            name: "House".into(),
            provider: "P".into(),
            region: "North West".into(),
            location: GeoPoint::new(53.48, -2.24),
            beds: Beds {
                capacity: 4,
                occupied: 3,
            },
            accepts: Acceptance {
                genders: [Gender::Female].into(),
                age_groups: [AgeGroup::Adult].into(),
                max_dependants: 0,
                pregnancy: false,
            },
            languages: ["en".to_string()].into(),
            specialisms: Default::default(),
            services: [Service::Medical].into(),
            security: SecurityLevel::Standard,
            admission_rules: [AdmissionRule::NoCurrentSubstanceUse].into(),
            open_to_referrals: false,
        }
    }

    #[test]
    fn reports_every_failure_not_just_the_first() {
        let f = facility();
        let mut n = Needs::new(Gender::Male, AgeGroup::Child);
        n.dependants = 2;
        n.pregnant = true;
        n.required_services = [Service::Maternity, Service::LegalClinic].into();
        n.required_security = SecurityLevel::High;
        n.exclusion_zones = vec![
            ExclusionZone {
                kind: ExclusionKind::PlaceOfExploitation,
                centre: GeoPoint::new(53.49, -2.25),
                radius_km: 10.0,
            },
            ExclusionZone {
                kind: ExclusionKind::PerpetratorAddress,
                centre: GeoPoint::new(51.5, 0.0),
                radius_km: 10.0,
            },
        ];
        n.current_location = Some(GeoPoint::new(51.5, -0.1));
        n.max_travel_km = Some(50.0);
        n.current_substance_use = true;
        n.languages = ["ro".to_string()].into();
        let r = reasons(&n, &f, true);
        let kinds: Vec<String> = r
            .iter()
            .map(|x| {
                serde_json::to_value(x).unwrap()["constraint"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "closed_to_referrals",
                "gender_not_accepted",
                "age_group_not_accepted",
                "too_many_dependants",
                "pregnancy_not_accepted",
                "missing_services",
                "security_too_low",
                "inside_exclusion_zone",
                "beyond_max_travel",
                "admission_rule_not_met",
                "no_common_language",
                "no_free_beds",
            ]
        );
        assert!(matches!(
            &r[5],
            Ineligibility::MissingServices { missing } if missing == &[Service::Maternity, Service::LegalClinic]
        ));
        assert!(matches!(
            r[7],
            Ineligibility::InsideExclusionZone { zone_index: 0, .. }
        ));
        assert!(!passes(&n, &f));
        assert_eq!(reasons(&n, &f, false).len(), 11);
    }

    #[test]
    fn eligible_and_interpreter_and_case_insensitive_language() {
        let mut f = facility();
        f.open_to_referrals = true;
        let mut n = Needs::new(Gender::Female, AgeGroup::Adult);
        n.languages = ["EN ".to_string()].into();
        assert!(reasons(&n, &f, true).is_empty());
        assert!(passes(&n, &f));
        n.languages = ["ro".to_string()].into();
        assert_eq!(reasons(&n, &f, true), vec![Ineligibility::NoCommonLanguage]);
        f.services.insert(Service::Interpreter);
        assert!(passes(&n, &f));
    }

    #[test]
    fn zone_boundary_is_inside() {
        let mut f = facility();
        f.open_to_referrals = true;
        let mut n = Needs::new(Gender::Female, AgeGroup::Adult);
        n.exclusion_zones = vec![ExclusionZone {
            kind: ExclusionKind::Other,
            centre: f.location,
            radius_km: 0.0,
        }];
        assert!(!passes(&n, &f));
        assert_eq!(reasons(&n, &f, false).len(), 1);
    }
}
