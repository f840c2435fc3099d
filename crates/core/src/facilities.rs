//! The aftercare facility register and its occupancy.
