//! The indicator catalogues, as data.
//!
//! * The ILO's 11 indicators of forced labour (ILO Special Action Programme to Combat Forced
//!   Labour, *ILO Indicators of Forced Labour*, 2012). Verified: the list's names match the
//!   booklet's.
//! * The ILO/European Commission *Operational indicators of trafficking in human beings* (Delphi
//!   survey, March 2009, revised September 2009; ILO WCMS_105023), for adults and children
//!   trafficked for **labour** exploitation. **Not verified** against the ILO PDF: the ids, texts
//!   and strengths are transcribed from a secondary source (a public reference table that cites the
//!   ILO list). Its per-dimension counts for adults match the brief's (10, 10, 16, 9, 15, 7 = 67).
//!   Every Delphi entry carries `verified: false`.
//! * The two lists for **sexual** exploitation are **not shipped**: no copy could be found to
//!   transcribe. A deployment can add them to a [`super::Catalogue`] as data.

use super::{AgeGroup, Dimension, ExploitationKind, Strength};

/// Source of the forced-labour list.
pub const ILO_2012: &str =
    "ILO Special Action Programme to Combat Forced Labour, ILO Indicators of Forced Labour (2012)";

/// Source of the Delphi lists as shipped.
pub const DELPHI_2009_SECONDARY: &str = "ILO/European Commission, Operational indicators of trafficking in human beings, Delphi survey (March 2009, revised September 2009), ILO WCMS_105023 — as transcribed in a secondary source; not checked against the ILO publication";

/// The ILO's 11 indicators of forced labour: (id, text).
pub const FORCED_LABOUR: [(&str, &str); 11] = [
    ("ILO01", "Abuse of vulnerability"),
    ("ILO02", "Deception"),
    ("ILO03", "Restriction of movement"),
    ("ILO04", "Isolation"),
    ("ILO05", "Physical and sexual violence"),
    ("ILO06", "Intimidation and threats"),
    ("ILO07", "Retention of identity documents"),
    ("ILO08", "Withholding of wages"),
    ("ILO09", "Debt bondage"),
    ("ILO10", "Abusive working and living conditions"),
    ("ILO11", "Excessive overtime"),
];

use Dimension::*;
use Strength::{Medium as M, Strong as S, Weak as W};

/// One Delphi row: id, dimension, text, strength for adults (labour), strength for children
/// (labour; `None` where the indicator is not in the children's list).
pub type DelphiRow = (
    &'static str,
    Dimension,
    &'static str,
    Strength,
    Option<Strength>,
);

/// The Delphi indicators for labour exploitation (adults: 67; children: 65).
pub const DELPHI_LABOUR: [DelphiRow; 67] = [
    // Deceptive recruitment (10)
    (
        "DR01",
        DeceptiveRecruitment,
        "Deceived about the nature of the job, location or employer",
        S,
        Some(S),
    ),
    (
        "DR02",
        DeceptiveRecruitment,
        "Deceived about wages/earnings",
        M,
        Some(M),
    ),
    (
        "DR03",
        DeceptiveRecruitment,
        "Deceived about conditions of work",
        M,
        Some(M),
    ),
    (
        "DR04",
        DeceptiveRecruitment,
        "Deceived about content or legality of work contract",
        M,
        Some(M),
    ),
    (
        "DR05",
        DeceptiveRecruitment,
        "Deceived about housing and living conditions",
        M,
        Some(M),
    ),
    (
        "DR06",
        DeceptiveRecruitment,
        "Deceived about legal documentation or obtaining legal migration status",
        M,
        Some(M),
    ),
    (
        "DR07",
        DeceptiveRecruitment,
        "Deceived about travel and recruitment conditions",
        M,
        Some(M),
    ),
    (
        "DR08",
        DeceptiveRecruitment,
        "Deceived about family reunification",
        M,
        Some(M),
    ),
    (
        "DR09",
        DeceptiveRecruitment,
        "Deceived through promises of marriage or adoption",
        M,
        Some(M),
    ),
    (
        "DR10",
        DeceptiveRecruitment,
        "Deceived about access to education opportunities",
        W,
        Some(S),
    ),
    // Coercive recruitment (10)
    (
        "CR01",
        CoerciveRecruitment,
        "Violence on victims",
        S,
        Some(S),
    ),
    (
        "CR02",
        CoerciveRecruitment,
        "Threats of violence against victim",
        M,
        Some(S),
    ),
    (
        "CR03",
        CoerciveRecruitment,
        "Abduction, forced marriage, forced adoption or selling of victim",
        M,
        Some(S),
    ),
    ("CR04", CoerciveRecruitment, "Debt bondage", M, Some(S)),
    (
        "CR05",
        CoerciveRecruitment,
        "Confiscation of documents",
        M,
        Some(M),
    ),
    (
        "CR06",
        CoerciveRecruitment,
        "Isolation, confinement or surveillance",
        M,
        Some(M),
    ),
    (
        "CR07",
        CoerciveRecruitment,
        "Threat of denunciation to authorities",
        M,
        Some(M),
    ),
    (
        "CR08",
        CoerciveRecruitment,
        "Threats to inform family, community or public",
        M,
        Some(M),
    ),
    (
        "CR09",
        CoerciveRecruitment,
        "Violence on family (threats or effective)",
        M,
        Some(M),
    ),
    (
        "CR10",
        CoerciveRecruitment,
        "Withholding of money",
        M,
        Some(M),
    ),
    // Recruitment by abuse of vulnerability (16)
    (
        "AVR01",
        RecruitmentAbuseOfVulnerability,
        "Abuse of difficult family situation",
        M,
        Some(M),
    ),
    (
        "AVR02",
        RecruitmentAbuseOfVulnerability,
        "Abuse of illegal status",
        M,
        Some(M),
    ),
    (
        "AVR03",
        RecruitmentAbuseOfVulnerability,
        "Abuse of lack of education (language)",
        M,
        Some(M),
    ),
    (
        "AVR04",
        RecruitmentAbuseOfVulnerability,
        "Abuse of lack of information",
        M,
        Some(M),
    ),
    (
        "AVR05",
        RecruitmentAbuseOfVulnerability,
        "Control of exploiters",
        M,
        Some(M),
    ),
    (
        "AVR06",
        RecruitmentAbuseOfVulnerability,
        "Economic reasons",
        M,
        Some(M),
    ),
    (
        "AVR07",
        RecruitmentAbuseOfVulnerability,
        "False information about successful migration",
        M,
        Some(M),
    ),
    (
        "AVR08",
        RecruitmentAbuseOfVulnerability,
        "False information about law, attitude of authorities",
        M,
        None,
    ),
    (
        "AVR09",
        RecruitmentAbuseOfVulnerability,
        "Family situation",
        M,
        Some(M),
    ),
    (
        "AVR10",
        RecruitmentAbuseOfVulnerability,
        "Personal situation",
        M,
        Some(M),
    ),
    (
        "AVR11",
        RecruitmentAbuseOfVulnerability,
        "Psychological and emotional dependency",
        M,
        Some(M),
    ),
    (
        "AVR12",
        RecruitmentAbuseOfVulnerability,
        "Relationship with authorities/legal status",
        M,
        Some(M),
    ),
    (
        "AVR13",
        RecruitmentAbuseOfVulnerability,
        "Difficulties in the past",
        M,
        Some(M),
    ),
    (
        "AVR14",
        RecruitmentAbuseOfVulnerability,
        "Difficulty to organise the travel",
        M,
        Some(M),
    ),
    (
        "AVR15",
        RecruitmentAbuseOfVulnerability,
        "Abuse of cultural/religious beliefs",
        W,
        Some(M),
    ),
    (
        "AVR16",
        RecruitmentAbuseOfVulnerability,
        "General context",
        W,
        Some(M),
    ),
    // Exploitation (9)
    (
        "EX01",
        Exploitation,
        "Excessive working days or hours",
        S,
        Some(S),
    ),
    ("EX02", Exploitation, "Low or no salary", M, Some(M)),
    ("EX03", Exploitation, "Wage manipulation", M, Some(M)),
    ("EX04", Exploitation, "Bad living conditions", M, Some(M)),
    (
        "EX05",
        Exploitation,
        "Very bad working conditions",
        M,
        Some(M),
    ),
    ("EX06", Exploitation, "Hazardous work", M, Some(M)),
    (
        "EX07",
        Exploitation,
        "No respect of labour laws or contract signed",
        M,
        Some(M),
    ),
    (
        "EX08",
        Exploitation,
        "No social protection (contract, social insurance, etc.)",
        M,
        None,
    ),
    ("EX09", Exploitation, "No access to education", W, Some(M)),
    // Coercion at destination (15)
    (
        "CD01",
        CoercionAtDestination,
        "Confiscation of documents",
        S,
        Some(S),
    ),
    ("CD02", CoercionAtDestination, "Debt bondage", S, Some(S)),
    (
        "CD03",
        CoercionAtDestination,
        "Isolation, confinement or surveillance",
        S,
        Some(S),
    ),
    (
        "CD04",
        CoercionAtDestination,
        "Violence on victims",
        S,
        Some(S),
    ),
    (
        "CD05",
        CoercionAtDestination,
        "Threats of violence against victim",
        M,
        Some(S),
    ),
    (
        "CD06",
        CoercionAtDestination,
        "Forced into illicit/criminal activities",
        M,
        Some(S),
    ),
    (
        "CD07",
        CoercionAtDestination,
        "Forced tasks or clients",
        M,
        Some(S),
    ),
    (
        "CD08",
        CoercionAtDestination,
        "Under strong influence",
        M,
        Some(S),
    ),
    (
        "CD09",
        CoercionAtDestination,
        "Forced to act against peers",
        M,
        Some(M),
    ),
    (
        "CD10",
        CoercionAtDestination,
        "Forced to lie to authorities, family, etc.",
        M,
        Some(M),
    ),
    (
        "CD11",
        CoercionAtDestination,
        "Threat of denunciation to authorities",
        M,
        Some(M),
    ),
    (
        "CD12",
        CoercionAtDestination,
        "Threat to impose even worse working conditions",
        M,
        Some(M),
    ),
    (
        "CD13",
        CoercionAtDestination,
        "Violence on family (threats or effective)",
        M,
        Some(M),
    ),
    (
        "CD14",
        CoercionAtDestination,
        "Withholding of wages",
        M,
        Some(M),
    ),
    (
        "CD15",
        CoercionAtDestination,
        "Threats to inform family, community or public",
        W,
        Some(M),
    ),
    // Abuse of vulnerability at destination (7)
    (
        "AVD01",
        AbuseOfVulnerabilityAtDestination,
        "Dependency on exploiters",
        M,
        Some(M),
    ),
    (
        "AVD02",
        AbuseOfVulnerabilityAtDestination,
        "Difficulty to live in an unknown area",
        M,
        Some(M),
    ),
    (
        "AVD03",
        AbuseOfVulnerabilityAtDestination,
        "Economic reasons",
        M,
        Some(M),
    ),
    (
        "AVD04",
        AbuseOfVulnerabilityAtDestination,
        "Family situation",
        M,
        Some(M),
    ),
    (
        "AVD05",
        AbuseOfVulnerabilityAtDestination,
        "Relationship with authorities/legal status",
        M,
        Some(M),
    ),
    (
        "AVD06",
        AbuseOfVulnerabilityAtDestination,
        "Difficulties in the past",
        W,
        Some(M),
    ),
    (
        "AVD07",
        AbuseOfVulnerabilityAtDestination,
        "Personal characteristics",
        W,
        Some(M),
    ),
];

/// The profiles the built-in catalogue covers.
pub const SHIPPED_PROFILES: [(AgeGroup, ExploitationKind); 2] = [
    (AgeGroup::Adult, ExploitationKind::Labour),
    (AgeGroup::Child, ExploitationKind::Labour),
];
