//! # unchain-lifecycle
//!
//! Case state machines: the stage line and the NRM, aftercare and justice tracks, as event-sourced
//! machines with guarded transitions. Pure: no IO, no clock (dates are carried by events).
#![deny(missing_docs)]
