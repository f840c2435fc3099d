//! Needs assessments, matching, batch assignment, placement moves and exits, transport.
