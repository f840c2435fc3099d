//! Opaque identifiers the caller gives the machines: who acted, which suspect, which claim,
//! which facility. The lifecycle never mints them (it has no randomness); it only compares them.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Wraps a uuid the caller chose.
            pub const fn new(id: Uuid) -> Self {
                Self(id)
            }

            /// The wrapped uuid.
            pub const fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type! {
    /// Who recorded an event: an opaque reference to a user or system account, resolved by the core.
    /// JSON: a uuid string.
    ActorId
}

id_type! {
    /// One suspect in the case's justice track. A case holds at most one prosecution per suspect.
    /// The caller creates the id (an unidentified suspect still gets one). JSON: a uuid string.
    SuspectId
}

id_type! {
    /// One compensation claim of the case, created by the caller. JSON: a uuid string.
    ClaimId
}

id_type! {
    /// An aftercare facility, as the core knows it. The lifecycle keeps only this reference,
    /// never a facility's name or address (a safe house's location is among the most sensitive
    /// facts in the system). JSON: a uuid string.
    FacilityId
}
