//! The plain data the matcher works on: facilities, a person's needs, people and groups.
//!
//! Every type here is plain data with serde (`snake_case`) so that the core crate, the CLI and the
//! HTTP API can pass it through unchanged. Sets are `BTreeSet`s so that serialisation and every
//! result derived from them is deterministic.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// Gender as recorded for placement (shelters screen on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Non-binary.
    NonBinary,
}

/// Adult or child (under 18, or possibly under 18: treat as a child).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    /// 18 or over.
    Adult,
    /// Under 18, or possibly under 18.
    Child,
}

/// Type of exploitation, using the UK NRM statistics categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExploitationType {
    /// Labour exploitation.
    Labour,
    /// Sexual exploitation.
    Sexual,
    /// Criminal exploitation (county lines, cannabis cultivation, forced begging, …).
    Criminal,
    /// Domestic servitude.
    DomesticServitude,
    /// Organ harvesting.
    OrganHarvesting,
    /// Not specified or unknown. Never counts towards the specialism score.
    NotSpecified,
}

/// A service a facility offers and a person may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// Medical care on site or arranged.
    Medical,
    /// Mental-health support.
    MentalHealth,
    /// Substance-use support.
    SubstanceUseSupport,
    /// Step-free, accessible rooms and facilities.
    DisabilityAccess,
    /// Maternity care.
    Maternity,
    /// A legal clinic.
    LegalClinic,
    /// Interpreters. Also lets a facility take a person with whom its staff share no language.
    Interpreter,
}

impl Service {
    /// Every service, in declaration order.
    pub const ALL: [Service; 7] = [
        Service::Medical,
        Service::MentalHealth,
        Service::SubstanceUseSupport,
        Service::DisabilityAccess,
        Service::Maternity,
        Service::LegalClinic,
        Service::Interpreter,
    ];
}

/// Security level of a facility, ordered: `standard < enhanced < high`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SecurityLevel {
    /// Ordinary safe house.
    #[default]
    Standard,
    /// Controlled access, undisclosed address.
    Enhanced,
    /// Staffed around the clock, for people at acute risk from their traffickers.
    High,
}

/// A facility's admission rule; each is checked against a flag on [`Needs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdmissionRule {
    /// Refuses people with current substance use ([`Needs::current_substance_use`]).
    NoCurrentSubstanceUse,
    /// Requires mental-health stability ([`Needs::mental_health_stable`]).
    MentalHealthStabilityRequired,
    /// Takes only recently trafficked people ([`Needs::recently_trafficked`]; the caller decides
    /// what "recent" means, so this crate needs no clock).
    RecentlyTraffickedOnly,
}

/// A point on the Earth in decimal degrees (WGS 84). Keep it coarse: a facility's exact address
/// is among the most sensitive facts in the system and is not needed for matching.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude, −90 to 90.
    pub lat: f64,
    /// Longitude, −180 to 180.
    pub lon: f64,
}

impl GeoPoint {
    /// A point from latitude and longitude in degrees.
    pub const fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }
}

/// Bed count of a facility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Beds {
    /// Beds in total.
    pub capacity: u32,
    /// Beds taken now. Must not exceed `capacity`.
    pub occupied: u32,
}

impl Beds {
    /// Free beds (`capacity − occupied`, never below zero).
    pub const fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.occupied)
    }
}

/// Who a facility accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Acceptance {
    /// Genders accepted.
    pub genders: BTreeSet<Gender>,
    /// Adults and/or children.
    pub age_groups: BTreeSet<AgeGroup>,
    /// How many dependants (children coming with a parent) one resident may bring; 0 = none.
    #[serde(default)]
    pub max_dependants: u32,
    /// Whether pregnant people are accepted.
    #[serde(default)]
    pub pregnancy: bool,
}

/// An aftercare facility run by a provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    /// Unique identifier (caller-given). Results are ordered by it on ties.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The aftercare provider running it.
    pub provider: String,
    /// Region (compared with [`Needs::preferred_region`], ignoring ASCII case and outer spaces).
    pub region: String,
    /// Coarse location.
    pub location: GeoPoint,
    /// Beds.
    pub beds: Beds,
    /// Who it accepts.
    pub accepts: Acceptance,
    /// Languages its staff speak (any tag scheme, e.g. ISO 639-1; compared ignoring ASCII case).
    #[serde(default)]
    pub languages: BTreeSet<String>,
    /// Exploitation types it specialises in.
    #[serde(default)]
    pub specialisms: BTreeSet<ExploitationType>,
    /// Services it offers.
    #[serde(default)]
    pub services: BTreeSet<Service>,
    /// Security level.
    #[serde(default)]
    pub security: SecurityLevel,
    /// Admission rules.
    #[serde(default)]
    pub admission_rules: BTreeSet<AdmissionRule>,
    /// Whether it takes referrals now.
    pub open_to_referrals: bool,
}

/// Kind of an exclusion zone (for explanations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionKind {
    /// Where the person was exploited.
    PlaceOfExploitation,
    /// A known perpetrator's address.
    PerpetratorAddress,
    /// Any other place the person must be kept away from.
    Other,
}

/// A circle no facility for this person may lie in (distance ≤ radius is inside).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ExclusionZone {
    /// What the place is.
    pub kind: ExclusionKind,
    /// Centre.
    pub centre: GeoPoint,
    /// Radius in km, ≥ 0.
    pub radius_km: f64,
}

fn yes() -> bool {
    true
}

/// What one person needs from a facility.
///
/// Only `gender` and `age_group` are required in JSON; every other field has the default given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Needs {
    /// Gender.
    pub gender: Gender,
    /// Adult or child.
    pub age_group: AgeGroup,
    /// Dependants coming with the person; each takes a bed. Default 0.
    #[serde(default)]
    pub dependants: u32,
    /// Pregnant. Default false.
    #[serde(default)]
    pub pregnant: bool,
    /// Languages the person speaks. Empty = unknown: no language constraint, no language points.
    #[serde(default)]
    pub languages: BTreeSet<String>,
    /// Types of exploitation suffered.
    #[serde(default)]
    pub exploitation_types: BTreeSet<ExploitationType>,
    /// Services the facility must offer.
    #[serde(default)]
    pub required_services: BTreeSet<Service>,
    /// Minimum security level. Default `standard`.
    #[serde(default)]
    pub required_security: SecurityLevel,
    /// Places of exploitation, perpetrator addresses, …: facilities inside any are never eligible.
    #[serde(default)]
    pub exclusion_zones: Vec<ExclusionZone>,
    /// Preferred region, if any.
    #[serde(default)]
    pub preferred_region: Option<String>,
    /// Preferred point (e.g. near family or a support worker), if any.
    #[serde(default)]
    pub preferred_point: Option<GeoPoint>,
    /// Where the person is now; [`Needs::max_travel_km`] is measured from here.
    #[serde(default)]
    pub current_location: Option<GeoPoint>,
    /// Maximum travel distance in km from `current_location` (which it then requires).
    #[serde(default)]
    pub max_travel_km: Option<f64>,
    /// Current substance use (checked against [`AdmissionRule::NoCurrentSubstanceUse`]). Default false.
    #[serde(default)]
    pub current_substance_use: bool,
    /// Mental health stable (checked against [`AdmissionRule::MentalHealthStabilityRequired`]).
    /// Default true.
    #[serde(default = "yes")]
    pub mental_health_stable: bool,
    /// Recently trafficked (checked against [`AdmissionRule::RecentlyTraffickedOnly`]). Default
    /// true: people arriving from a rescue are.
    #[serde(default = "yes")]
    pub recently_trafficked: bool,
}

impl Needs {
    /// Needs with only gender and age group set, everything else at its default.
    pub fn new(gender: Gender, age_group: AgeGroup) -> Self {
        Self {
            gender,
            age_group,
            dependants: 0,
            pregnant: false,
            languages: BTreeSet::new(),
            exploitation_types: BTreeSet::new(),
            required_services: BTreeSet::new(),
            required_security: SecurityLevel::Standard,
            exclusion_zones: Vec::new(),
            preferred_region: None,
            preferred_point: None,
            current_location: None,
            max_travel_km: None,
            current_substance_use: false,
            mental_health_stable: true,
            recently_trafficked: true,
        }
    }

    /// Beds this person takes: one, plus one per dependant (saturating).
    pub const fn beds(&self) -> u32 {
        self.dependants.saturating_add(1)
    }
}

/// A person to place in a batch (a rescue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// Unique identifier (caller-given, e.g. the case id). Results are ordered by it.
    pub id: String,
    /// Their needs.
    pub needs: Needs,
}

/// Grouping constraints for a batch.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Groups {
    /// Each inner list goes to one facility as one unit (a mother and her children, siblings).
    /// Lists that share a person are merged.
    #[serde(default)]
    pub keep_together: Vec<Vec<String>>,
    /// Pairs that must never share a facility (a person who controlled others, and them).
    #[serde(default)]
    pub keep_apart: Vec<[String; 2]>,
}
