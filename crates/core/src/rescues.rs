//! Rescue operations; each rescued person becomes (or joins) a case.
