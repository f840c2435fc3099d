//! Advocacy, legal advice, police reports, prosecutions per suspect and civil claims.
