//! The facility register: the safe houses and aftercare providers people are placed with.
//!
//! A facility's exact address and location are among the most sensitive facts in the system (a
//! trafficker who finds a safe house finds everyone in it). They are sealed under the facility's
//! own id as subject, so closing a house for good can shred its address like a person's identity,
//! and shown only to roles with `facility.location` — every such read is audited. Everyone else
//! sees the UK region, which is kept in clear for matching and reports.
//!
//! **Occupancy is never written directly.** Only the placement service changes it, in the same
//! atomic, version-checked write as the placement, so it always equals the beds taken by the open
//! placements there (one per person plus one per dependant) and never exceeds capacity. Two
//! placements racing for the last bed both read the same facility version; the second commit
//! conflicts and writes nothing.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use unchain_placement as placement;
use unchain_placement::{
    Acceptance, AdmissionRule, ExploitationType, GeoPoint, SecurityLevel, Service,
};
use uuid::Uuid;

use crate::auth::{self, Operation};
use crate::error::{CoreError, FieldError, Result};
use crate::records::{self, Entity, Record};
use crate::sealed::Sealed;
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, max_len, required};

/// The UK regions (ITL1 / former Government Office Regions and the three nations) a facility's
/// region must be one of — coarse enough to say in clear, fine enough to match a preference.
pub const UK_REGIONS: [&str; 12] = [
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Wales",
    "Scotland",
    "Northern Ireland",
];

/// Most beds one facility may declare (a sanity bound, far above any safe house).
pub const MAX_CAPACITY: u32 = 10_000;

/// Where a facility is: sealed at rest, shown only with `facility.location`. Its `Debug` is
/// redacted.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FacilityAddress {
    /// The postal address.
    pub address: String,
    /// The point the matcher measures distances and exclusion zones from.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::geo_point))]
    pub location: GeoPoint,
}

impl fmt::Debug for FacilityAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FacilityAddress(<sealed>)")
    }
}

/// A facility as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    /// Display name (a working name, not an address).
    pub name: String,
    /// The aftercare provider running it.
    pub operator: String,
    /// UK region, in clear (one of [`UK_REGIONS`]).
    pub region: String,
    /// [`FacilityAddress`], sealed under the facility's id.
    pub address: Sealed,
    /// Beds in total.
    pub capacity: u32,
    /// Beds taken by open placements. Written only by the placement service.
    pub occupancy: u32,
    /// Who it accepts.
    pub accepts: Acceptance,
    /// Languages its staff speak.
    pub languages: BTreeSet<String>,
    /// Exploitation types it specialises in.
    pub specialisms: BTreeSet<ExploitationType>,
    /// Services offered.
    pub services: BTreeSet<Service>,
    /// Security level.
    pub security: SecurityLevel,
    /// Admission rules.
    pub admission_rules: BTreeSet<AdmissionRule>,
    /// Whether it takes referrals now.
    pub open_to_referrals: bool,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Record for Facility {
    const COLLECTION: &'static str = "facilities";
    const KIND: &'static str = "facility";
}

fn yes() -> bool {
    true
}

/// What registers or updates a facility. Its `Debug` hides the address.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FacilityInput {
    /// Display name.
    pub name: String,
    /// The provider running it.
    pub operator: String,
    /// UK region (one of [`UK_REGIONS`], compared ignoring case).
    pub region: String,
    /// The exact address and point (sealed).
    pub address: FacilityAddress,
    /// Beds in total (1 to [`MAX_CAPACITY`]; on update, not below the beds taken).
    pub capacity: u32,
    /// Who it accepts.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::acceptance))]
    pub accepts: Acceptance,
    /// Languages its staff speak.
    #[serde(default)]
    pub languages: BTreeSet<String>,
    /// Specialisms.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::set::<ExploitationType>))]
    pub specialisms: BTreeSet<ExploitationType>,
    /// Services.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::set::<Service>))]
    pub services: BTreeSet<Service>,
    /// Security level (default standard).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<SecurityLevel>))]
    pub security: SecurityLevel,
    /// Admission rules.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::set::<AdmissionRule>))]
    pub admission_rules: BTreeSet<AdmissionRule>,
    /// Open to referrals (default yes).
    #[serde(default = "yes")]
    pub open_to_referrals: bool,
}

impl fmt::Debug for FacilityInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FacilityInput")
            .field("name", &self.name)
            .field("region", &self.region)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

/// A facility as shown. `address` is present only for roles with `facility.location` (and its
/// read is then audited); others see the region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacilityView {
    /// Id.
    pub id: Uuid,
    /// The version to send back with an update.
    pub version: u64,
    /// Name.
    pub name: String,
    /// Provider.
    pub operator: String,
    /// Region.
    pub region: String,
    /// Exact address and point, for those who may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<FacilityAddress>,
    /// Beds in total.
    pub capacity: u32,
    /// Beds taken.
    pub occupancy: u32,
    /// Beds free.
    pub free: u32,
    /// Who it accepts.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::acceptance))]
    pub accepts: Acceptance,
    /// Languages.
    pub languages: BTreeSet<String>,
    /// Specialisms.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::set::<ExploitationType>))]
    pub specialisms: BTreeSet<ExploitationType>,
    /// Services.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::set::<Service>))]
    pub services: BTreeSet<Service>,
    /// Security.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::one::<SecurityLevel>))]
    pub security: SecurityLevel,
    /// Admission rules.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::set::<AdmissionRule>))]
    pub admission_rules: BTreeSet<AdmissionRule>,
    /// Open to referrals.
    pub open_to_referrals: bool,
}

/// The canonical spelling of a UK region, or `None`.
pub fn uk_region(name: &str) -> Option<&'static str> {
    let wanted = name.trim();
    UK_REGIONS
        .iter()
        .copied()
        .find(|r| r.eq_ignore_ascii_case(wanted))
}

impl FacilityInput {
    pub(crate) fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        required(&mut e, "name", &self.name, 200);
        required(&mut e, "operator", &self.operator, 200);
        if uk_region(&self.region).is_none() {
            e.push(FieldError::new(
                "region",
                format!("must be a UK region: {}", UK_REGIONS.join(", ")),
            ));
        }
        required(&mut e, "address.address", &self.address.address, 500);
        let GeoPoint { lat, lon } = self.address.location;
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            e.push(FieldError::new(
                "address.location.lat",
                "must be a number from -90 to 90",
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            e.push(FieldError::new(
                "address.location.lon",
                "must be a number from -180 to 180",
            ));
        }
        if self.capacity == 0 || self.capacity > MAX_CAPACITY {
            e.push(FieldError::new(
                "capacity",
                format!("must be from 1 to {MAX_CAPACITY}"),
            ));
        }
        if self.accepts.genders.is_empty() {
            e.push(FieldError::new("accepts.genders", "must name at least one"));
        }
        if self.accepts.age_groups.is_empty() {
            e.push(FieldError::new(
                "accepts.age_groups",
                "must name at least one",
            ));
        }
        for (i, l) in self.languages.iter().enumerate() {
            let field = format!("languages[{i}]");
            if l.trim().is_empty() {
                e.push(FieldError::new(field, "is blank"));
            } else {
                max_len(&mut e, &field, l, 35);
            }
        }
        e
    }
}

impl Facility {
    /// Free beds.
    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.occupancy)
    }
}

impl Unchain {
    /// Registers a facility. Its address is sealed under the facility's own id.
    pub fn create_facility(&self, actor: &Actor, input: FacilityInput) -> Result<FacilityView> {
        // Authorise first: a role that may not do this learns only that, not what is wrong with
        // the input.
        self.authorize(actor, Operation::FacilityManage)?;
        check(input.validate())?;
        let id = Uuid::now_v7();
        let now = self.clock.now();
        let record = Facility {
            name: input.name.trim().to_owned(),
            operator: input.operator.trim().to_owned(),
            region: uk_region(&input.region).unwrap_or_default().to_owned(),
            address: self.seal(id, Facility::KIND, id, "address", &input.address)?,
            capacity: input.capacity,
            occupancy: 0,
            accepts: input.accepts,
            languages: input.languages,
            specialisms: input.specialisms,
            services: input.services,
            security: input.security,
            admission_rules: input.admission_rules,
            open_to_referrals: input.open_to_referrals,
            created_at: now,
            updated_at: now,
        };
        self.write(actor, Operation::FacilityManage, |_, batch| {
            records::stage_put(batch, id, &record, None)?;
            Ok(((), vec![records::target::<Facility>(id)]))
        })?;
        Ok(self.facility_view(
            Entity {
                id,
                version: 1,
                data: record,
            },
            None,
        ))
    }

    /// Replaces a facility's description (`version` as read). Capacity may not go below the beds
    /// taken; occupancy is kept as it is (only placements change it).
    pub fn update_facility(
        &self,
        actor: &Actor,
        id: Uuid,
        version: u64,
        input: FacilityInput,
    ) -> Result<FacilityView> {
        self.authorize(actor, Operation::FacilityManage)?;
        check(input.validate())?;
        let sealed = self.seal(id, Facility::KIND, id, "address", &input.address)?;
        let now = self.clock.now();
        let updated = self.write(actor, Operation::FacilityManage, |backend, batch| {
            let current = records::load_at::<Facility>(backend, id, version)?;
            if input.capacity < current.data.occupancy {
                return Err(CoreError::Validation(vec![FieldError::new(
                    "capacity",
                    format!(
                        "{} is below the {} beds taken by open placements",
                        input.capacity, current.data.occupancy
                    ),
                )]));
            }
            let record = Facility {
                name: input.name.trim().to_owned(),
                operator: input.operator.trim().to_owned(),
                region: uk_region(&input.region).unwrap_or_default().to_owned(),
                address: sealed.clone(),
                capacity: input.capacity,
                occupancy: current.data.occupancy,
                accepts: input.accepts.clone(),
                languages: input.languages.clone(),
                specialisms: input.specialisms.clone(),
                services: input.services.clone(),
                security: input.security,
                admission_rules: input.admission_rules.clone(),
                open_to_referrals: input.open_to_referrals,
                created_at: current.data.created_at,
                updated_at: now,
            };
            records::stage_put(batch, id, &record, Some(version))?;
            Ok((record, vec![records::target::<Facility>(id)]))
        })?;
        Ok(self.facility_view(
            Entity {
                id,
                version: version + 1,
                data: updated,
            },
            None,
        ))
    }

    /// Opens a facility to referrals or closes it (people already placed stay).
    pub fn set_facility_open(
        &self,
        actor: &Actor,
        id: Uuid,
        version: u64,
        open: bool,
    ) -> Result<FacilityView> {
        let now = self.clock.now();
        let updated = self.write(actor, Operation::FacilityManage, |backend, batch| {
            let mut current = records::load_at::<Facility>(backend, id, version)?;
            current.data.open_to_referrals = open;
            current.data.updated_at = now;
            records::stage_put(batch, id, &current.data, Some(version))?;
            Ok((current.data, vec![records::target::<Facility>(id)]))
        })?;
        Ok(self.facility_view(
            Entity {
                id,
                version: version + 1,
                data: updated,
            },
            None,
        ))
    }

    /// Every facility, in registration order, without addresses (lists never show them).
    pub fn facilities(&self, actor: &Actor) -> Result<Vec<FacilityView>> {
        self.authorize(actor, Operation::FacilityRead)?;
        Ok(records::all::<Facility>(self.backend.as_ref())?
            .into_iter()
            .map(|f| self.facility_view(f, None))
            .collect())
    }

    /// One facility. The address is included only for roles with `facility.location`, and that
    /// read is audited; others see the region.
    pub fn facility(&self, actor: &Actor, id: Uuid) -> Result<FacilityView> {
        self.authorize(actor, Operation::FacilityRead)?;
        let entity = records::load::<Facility>(self.backend.as_ref(), id)?;
        let address = if auth::allowed(actor.role, Operation::FacilityLocation) {
            let a = self.unseal_address(&entity)?;
            if a.is_some() {
                self.audit_read(
                    actor,
                    Operation::FacilityLocation,
                    &[records::target::<Facility>(id)],
                )?;
            }
            a
        } else {
            None
        };
        Ok(self.facility_view(entity, address))
    }

    /// A facility's exact address and point (audited). For roles with `facility.location` only.
    pub fn facility_location(&self, actor: &Actor, id: Uuid) -> Result<FacilityAddress> {
        self.authorize(actor, Operation::FacilityLocation)?;
        let entity = records::load::<Facility>(self.backend.as_ref(), id)?;
        let address = self
            .unseal_address(&entity)?
            .ok_or_else(|| CoreError::Refused("this facility's address was shredded".into()))?;
        self.audit_read(
            actor,
            Operation::FacilityLocation,
            &[records::target::<Facility>(id)],
        )?;
        Ok(address)
    }

    fn unseal_address(&self, f: &Entity<Facility>) -> Result<Option<FacilityAddress>> {
        self.unseal::<FacilityAddress>(&f.data.address, Facility::KIND, f.id, "address")
    }

    fn facility_view(&self, f: Entity<Facility>, address: Option<FacilityAddress>) -> FacilityView {
        let d = f.data;
        FacilityView {
            id: f.id,
            version: f.version,
            free: d.capacity.saturating_sub(d.occupancy),
            name: d.name,
            operator: d.operator,
            region: d.region,
            address,
            capacity: d.capacity,
            occupancy: d.occupancy,
            accepts: d.accepts,
            languages: d.languages,
            specialisms: d.specialisms,
            services: d.services,
            security: d.security,
            admission_rules: d.admission_rules,
            open_to_referrals: d.open_to_referrals,
        }
    }

    /// The matcher's view of a stored facility, one field for one (`provider` = operator, `beds`
    /// = capacity and occupancy, `location` = the sealed point, opened here for matching only and
    /// never returned). `None` when the address was shredded: a facility whose location is
    /// unknown cannot be checked against exclusion zones, so it is never offered.
    pub(crate) fn placement_facility(
        &self,
        f: &Entity<Facility>,
    ) -> Result<Option<placement::Facility>> {
        let Some(address) = self.unseal_address(f)? else {
            return Ok(None);
        };
        let d = &f.data;
        Ok(Some(placement::Facility {
            id: f.id.to_string(),
            name: d.name.clone(),
            provider: d.operator.clone(),
            region: d.region.clone(),
            location: address.location,
            beds: placement::Beds {
                capacity: d.capacity,
                occupied: d.occupancy,
            },
            accepts: d.accepts.clone(),
            languages: d.languages.clone(),
            specialisms: d.specialisms.clone(),
            services: d.services.clone(),
            security: d.security,
            admission_rules: d.admission_rules.clone(),
            open_to_referrals: d.open_to_referrals,
        }))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::testing::{core, dump, staff};

    /// The shared builders, under the names the tests of this and other modules use.
    pub(crate) use crate::testing::{by_role, safe_house as house};

    #[test]
    fn address_is_sealed_and_shown_only_with_facility_location() {
        let (core, backend) = core();
        let staff = staff(&core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let analyst = by_role(&staff, Role::Analyst);
        let f = core
            .create_facility(coord, house("Rose", 4))
            .expect("created");
        assert_eq!(f.region, "North West", "region canonicalised");
        assert_eq!(f.address, None, "create does not echo the address");
        let raw = crate::testing::raw_bytes(&*backend);
        assert!(!crate::testing::contains(&raw, "Secret Street"));

        let head = core
            .audit_entries(&staff[0], 0, 10_000)
            .expect("audit")
            .len();
        let seen = core.facility(coord, f.id).expect("read");
        assert_eq!(
            seen.address.as_ref().map(|a| a.address.as_str()),
            Some("1 Secret Street, Rose")
        );
        assert!(!format!("{seen:?}").contains("Secret"), "Debug redacts");
        let entries = core.audit_entries(&staff[0], 0, 10_000).expect("audit");
        assert!(
            entries[head..]
                .iter()
                .any(|e| e.record.action == "facility.location"
                    && e.record.target == format!("facility:{}", f.id)
                    && e.record.actor == coord.name)
        );

        let by_analyst = core.facility(analyst, f.id).expect("analyst reads");
        assert_eq!(by_analyst.address, None);
        assert_eq!(by_analyst.region, "North West");
        assert!(matches!(
            core.facility_location(analyst, f.id),
            Err(CoreError::Forbidden { .. })
        ));
        assert!(
            core.facilities(analyst)
                .expect("list")
                .iter()
                .all(|f| f.address.is_none())
        );
        assert!(matches!(
            core.create_facility(analyst, house("X", 1)),
            Err(CoreError::Forbidden { .. })
        ));
        let loc = core.facility_location(coord, f.id).expect("location");
        assert_eq!(loc.location, GeoPoint::new(53.48, -2.24));
    }

    #[test]
    fn validation_names_every_field_and_writes_nothing() {
        let (core, backend) = core();
        let staff = staff(&core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let before = dump(&backend);
        let mut bad = house(" ", 0);
        bad.operator = String::new();
        bad.region = "Manchester".into();
        bad.address.address = " ".into();
        bad.address.location = GeoPoint::new(f64::NAN, 200.0);
        bad.accepts.genders.clear();
        bad.accepts.age_groups.clear();
        bad.languages = [String::from(" ")].into();
        let fields = crate::testing::invalid_fields(core.create_facility(coord, bad));
        assert_eq!(
            fields,
            [
                "name",
                "operator",
                "region",
                "address.address",
                "address.location.lat",
                "address.location.lon",
                "capacity",
                "accepts.genders",
                "accepts.age_groups",
                "languages[0]"
            ]
        );
        assert_eq!(dump(&backend), before);
    }

    #[test]
    fn update_open_close_and_stale_versions() {
        let (core, backend) = core();
        let staff = staff(&core);
        let coord = by_role(&staff, Role::AftercareCoordinator);
        let f = core
            .create_facility(coord, house("Rose", 4))
            .expect("created");
        let mut input = house("Rose Lodge", 6);
        input.region = "London".into();
        let f2 = core
            .update_facility(coord, f.id, f.version, input.clone())
            .expect("updated");
        assert_eq!(
            (f2.name.as_str(), f2.capacity, f2.version),
            ("Rose Lodge", 6, 2)
        );
        let before = dump(&backend);
        assert!(matches!(
            core.update_facility(coord, f.id, f.version, input),
            Err(CoreError::Conflict {
                expected: 1,
                found: 2,
                ..
            })
        ));
        assert!(matches!(
            core.set_facility_open(coord, f.id, f.version, false),
            Err(CoreError::Conflict { .. })
        ));
        assert_eq!(dump(&backend), before, "conflicts write nothing");
        let closed = core
            .set_facility_open(coord, f.id, f2.version, false)
            .expect("closed");
        assert!(!closed.open_to_referrals);
        let listed = core.facilities(coord).expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].version, closed.version);
        assert!(!listed[0].open_to_referrals);
    }
}
