//! NRM rule sets by jurisdiction and date, kept as a dated table of parameters.
//!
//! Every rule that changed over time is a [`Param`]: the value before any change (per
//! jurisdiction) plus a list of dated [`Change`]s, each with its source and an `unverified` flag.
//! The rules are data, not if-chains: [`RuleBook::default`] is the built-in, cited table (see
//! `docs/rules.md`), and a deployment can replace any parameter — typically one marked
//! unverified — by editing the book's public fields (or deserialising one from JSON) before
//! calling [`RuleBook::rules_at`].
//!
//! Lookups are total by construction: a parameter always has a value for each jurisdiction
//! (its `initial` provision), so no date and no book can make [`RuleBook::rules_at`] fail.

use std::borrow::Cow;
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::jurisdiction::Jurisdiction;

/// Text with a static default that a deployment may replace with owned text.
pub type Text = Cow<'static, str>;

/// One provision: a value with where it comes from and whether it has been checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provision<T> {
    /// The value of the rule.
    pub value: T,
    /// Where the rule comes from (legislation, guidance version, brief).
    pub source: Text,
    /// True when the value or its date has not been confirmed against a primary source.
    pub unverified: bool,
    /// Anything a reader should know (what is uncertain, what the rule means).
    #[serde(default)]
    pub note: Text,
}

/// A dated change of a parameter in some jurisdictions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change<T> {
    /// First day the new value applies.
    pub from: NaiveDate,
    /// The jurisdictions it applies to.
    pub applies_to: Vec<Jurisdiction>,
    /// The new provision.
    #[serde(flatten)]
    pub provision: Provision<T>,
}

/// One value per jurisdiction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByJurisdiction<T> {
    /// England and Wales.
    pub england_and_wales: T,
    /// Scotland.
    pub scotland: T,
    /// Northern Ireland.
    pub northern_ireland: T,
}

impl<T> ByJurisdiction<T> {
    /// The value for `j`.
    pub fn get(&self, j: Jurisdiction) -> &T {
        match j {
            Jurisdiction::EnglandAndWales => &self.england_and_wales,
            Jurisdiction::Scotland => &self.scotland,
            Jurisdiction::NorthernIreland => &self.northern_ireland,
        }
    }
}

impl<T: Clone> ByJurisdiction<T> {
    /// The same value everywhere.
    pub fn all(value: T) -> Self {
        ByJurisdiction {
            england_and_wales: value.clone(),
            scotland: value.clone(),
            northern_ireland: value,
        }
    }
}

/// A rule that changes over time: its value before any change, and the dated changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param<T> {
    /// The provision in force before the first applicable change (for all earlier dates).
    pub initial: ByJurisdiction<Provision<T>>,
    /// Dated changes, in any order; on a tie of dates the later entry wins.
    pub changes: Vec<Change<T>>,
}

/// A parameter's value on one date, with its provenance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ruled<'a, T> {
    /// The value in force.
    pub value: T,
    /// The day it took effect (`None`: in force since before any recorded change).
    pub since: Option<NaiveDate>,
    /// The day the next recorded change takes effect, if any (exclusive end).
    pub until: Option<NaiveDate>,
    /// Where it comes from.
    pub source: &'a str,
    /// True when it has not been confirmed against a primary source.
    pub unverified: bool,
    /// A note for readers.
    pub note: &'a str,
}

impl<T> Param<T> {
    /// The provision in force in `j` on `date`, when it began and when the next change begins.
    pub fn at(
        &self,
        j: Jurisdiction,
        date: NaiveDate,
    ) -> (&Provision<T>, Option<NaiveDate>, Option<NaiveDate>) {
        let mut current: (&Provision<T>, Option<NaiveDate>) = (self.initial.get(j), None);
        let mut next: Option<NaiveDate> = None;
        for c in &self.changes {
            if !c.applies_to.contains(&j) {
                continue;
            }
            if c.from <= date {
                if current.1.is_none_or(|since| c.from >= since) {
                    current = (&c.provision, Some(c.from));
                }
            } else if next.is_none_or(|n| c.from < n) {
                next = Some(c.from);
            }
        }
        (current.0, current.1, next)
    }

    /// Just the value in force in `j` on `date` (the fast path used by the deadlines).
    pub fn value_at(&self, j: Jurisdiction, date: NaiveDate) -> &T {
        let mut current: (&T, Option<NaiveDate>) = (&self.initial.get(j).value, None);
        for c in &self.changes {
            if c.from <= date
                && current.1.is_none_or(|since| c.from >= since)
                && c.applies_to.contains(&j)
            {
                current = (&c.provision.value, Some(c.from));
            }
        }
        current.0
    }

    fn ruled<'a, U>(
        &'a self,
        j: Jurisdiction,
        date: NaiveDate,
        f: impl Fn(&'a T) -> U,
    ) -> Ruled<'a, U> {
        let (p, since, until) = self.at(j, date);
        Ruled {
            value: f(&p.value),
            since,
            until,
            source: &p.source,
            unverified: p.unverified,
            note: &p.note,
        }
    }

    fn change_dates(&self, j: Jurisdiction) -> impl Iterator<Item = NaiveDate> + '_ {
        self.changes
            .iter()
            .filter(move |c| c.applies_to.contains(&j))
            .map(|c| c.from)
    }

    fn any_unverified(&self) -> bool {
        [
            &self.initial.england_and_wales,
            &self.initial.scotland,
            &self.initial.northern_ireland,
        ]
        .iter()
        .any(|p| p.unverified)
            || self.changes.iter().any(|c| c.provision.unverified)
    }
}

/// Who decided NRM cases in a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityRegime {
    /// No NRM: no competent authority.
    NoNrm,
    /// The UK Human Trafficking Centre (UK/EEA nationals without immigration issues) and the Home
    /// Office (UK Border Agency, later UK Visas and Immigration; people subject to immigration
    /// control).
    UkhtcAndHomeOffice,
    /// The Single Competent Authority (SCA) decides all cases.
    SingleCompetentAuthority,
    /// The SCA, with the Immigration Enforcement Competent Authority (IECA) taking foreign national
    /// offenders in prison or immigration removal centres, deportation cases, immigration
    /// detainees and inadmissible asylum claims.
    ScaAndIeca,
}

/// How the recovery (and reflection) period ends relative to the Conclusive Grounds decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryEnd {
    /// The later of the CG decision and the end of the minimum period (England & Wales: policy
    /// before 2023-01-30, NABA 2022 s.61 and MSA 2015 s.50A from then).
    LaterOfCgAndPeriod,
    /// The earlier of the CG decision and the end of the period (Scotland, SSI 2018/90 reg. 3).
    EarlierOfCgAndPeriod,
    /// Until a negative RG or any CG, but to the end of the period when a positive CG comes within
    /// it (Northern Ireland, 2015 Act s.18(3)).
    UntilCgOrPeriodIfPositive,
}

/// The recovery period that follows a positive Reasonable Grounds decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecoveryRule {
    /// Its length in calendar days.
    pub days: u32,
    /// True when the period is "N days beginning with" the RG day (the RG day is day 1, so the
    /// last day is RG + N − 1); false when it is "N days from" the RG day (last day RG + N).
    pub first_day_counts: bool,
    /// How it ends relative to the CG decision.
    pub end: RecoveryEnd,
    /// True when the authority may extend it ("or such longer period as … necessary").
    pub extendable: bool,
}

/// Move-on support after a positive Conclusive Grounds decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "days")]
pub enum MoveOn {
    /// At least this many calendar days from the CG decision.
    Days(u32),
    /// Support continues for a period the authority decides; no fixed end can be computed.
    Discretionary,
    /// No move-on support is provided (or the NRM did not exist).
    NotProvided,
}

/// The dated table of NRM parameters. [`RuleBook::default`] is the built-in, cited table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleBook {
    /// Whether the National Referral Mechanism exists.
    pub nrm_in_force: Param<bool>,
    /// Who decides cases.
    pub competent_authorities: Param<AuthorityRegime>,
    /// Target for the Reasonable Grounds decision, in working days from referral.
    pub rg_target_working_days: Param<Option<u32>>,
    /// The Reasonable Grounds test, in the guidance's words.
    pub rg_test: Param<Option<Text>>,
    /// The Conclusive Grounds test.
    pub cg_test: Param<Option<Text>>,
    /// The recovery period after a positive RG.
    pub recovery_period: Param<Option<RecoveryRule>>,
    /// Earliest CG decision, in calendar days after the positive RG.
    pub cg_earliest_days: Param<Option<u32>>,
    /// Window to request reconsideration of a negative RG or CG, in calendar days.
    pub reconsideration_days: Param<Option<u32>>,
    /// Move-on support after a positive CG.
    pub move_on: Param<MoveOn>,
    /// Whether the Duty to Notify (MS1, anonymous, adults who do not consent) exists.
    pub duty_to_notify: Param<bool>,
    /// Whether public-order disqualification from protection exists.
    pub public_order_disqualification: Param<bool>,
}

/// The rules in force in one jurisdiction on one date, each with its provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleSet<'a> {
    /// The jurisdiction asked about.
    pub jurisdiction: Jurisdiction,
    /// The date asked about.
    pub date: NaiveDate,
    /// Whether the NRM exists.
    pub nrm_in_force: Ruled<'a, bool>,
    /// Who decides cases.
    pub competent_authorities: Ruled<'a, AuthorityRegime>,
    /// RG target in working days from referral.
    pub rg_target_working_days: Ruled<'a, Option<u32>>,
    /// The RG test wording.
    pub rg_test: Ruled<'a, Option<&'a str>>,
    /// The CG test wording.
    pub cg_test: Ruled<'a, Option<&'a str>>,
    /// The recovery period.
    pub recovery_period: Ruled<'a, Option<RecoveryRule>>,
    /// Earliest CG, in calendar days after a positive RG.
    pub cg_earliest_days: Ruled<'a, Option<u32>>,
    /// Reconsideration window in calendar days.
    pub reconsideration_days: Ruled<'a, Option<u32>>,
    /// Move-on support.
    pub move_on: Ruled<'a, MoveOn>,
    /// Whether the Duty to Notify exists here (adults only).
    pub duty_to_notify: Ruled<'a, bool>,
    /// Whether public-order disqualification exists.
    pub public_order_disqualification: Ruled<'a, bool>,
}

impl RuleSet<'_> {
    /// The names of the parameters whose value in force is unverified.
    pub fn unverified(&self) -> Vec<&'static str> {
        let flags = [
            ("nrm_in_force", self.nrm_in_force.unverified),
            (
                "competent_authorities",
                self.competent_authorities.unverified,
            ),
            (
                "rg_target_working_days",
                self.rg_target_working_days.unverified,
            ),
            ("rg_test", self.rg_test.unverified),
            ("cg_test", self.cg_test.unverified),
            ("recovery_period", self.recovery_period.unverified),
            ("cg_earliest_days", self.cg_earliest_days.unverified),
            ("reconsideration_days", self.reconsideration_days.unverified),
            ("move_on", self.move_on.unverified),
            ("duty_to_notify", self.duty_to_notify.unverified),
            (
                "public_order_disqualification",
                self.public_order_disqualification.unverified,
            ),
        ];
        flags.iter().filter(|(_, u)| *u).map(|(n, _)| *n).collect()
    }
}

impl RuleBook {
    /// The rules in force in `j` on `date`. Total: every date gives a rule set.
    pub fn rules_at(&self, j: Jurisdiction, date: NaiveDate) -> RuleSet<'_> {
        RuleSet {
            jurisdiction: j,
            date,
            nrm_in_force: self.nrm_in_force.ruled(j, date, |v| *v),
            competent_authorities: self.competent_authorities.ruled(j, date, |v| *v),
            rg_target_working_days: self.rg_target_working_days.ruled(j, date, |v| *v),
            rg_test: self.rg_test.ruled(j, date, |v| v.as_deref()),
            cg_test: self.cg_test.ruled(j, date, |v| v.as_deref()),
            recovery_period: self.recovery_period.ruled(j, date, |v| *v),
            cg_earliest_days: self.cg_earliest_days.ruled(j, date, |v| *v),
            reconsideration_days: self.reconsideration_days.ruled(j, date, |v| *v),
            move_on: self.move_on.ruled(j, date, |v| *v),
            duty_to_notify: self.duty_to_notify.ruled(j, date, |v| *v),
            public_order_disqualification: self
                .public_order_disqualification
                .ruled(j, date, |v| *v),
        }
    }

    /// Every date on which some parameter changes in `j`, sorted and without repeats.
    pub fn change_dates(&self, j: Jurisdiction) -> Vec<NaiveDate> {
        let mut out: Vec<NaiveDate> = self
            .nrm_in_force
            .change_dates(j)
            .chain(self.competent_authorities.change_dates(j))
            .chain(self.rg_target_working_days.change_dates(j))
            .chain(self.rg_test.change_dates(j))
            .chain(self.cg_test.change_dates(j))
            .chain(self.recovery_period.change_dates(j))
            .chain(self.cg_earliest_days.change_dates(j))
            .chain(self.reconsideration_days.change_dates(j))
            .chain(self.move_on.change_dates(j))
            .chain(self.duty_to_notify.change_dates(j))
            .chain(self.public_order_disqualification.change_dates(j))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The names of parameters with at least one unverified provision.
    pub fn unverified_params(&self) -> Vec<&'static str> {
        let flags = [
            ("nrm_in_force", self.nrm_in_force.any_unverified()),
            (
                "competent_authorities",
                self.competent_authorities.any_unverified(),
            ),
            (
                "rg_target_working_days",
                self.rg_target_working_days.any_unverified(),
            ),
            ("rg_test", self.rg_test.any_unverified()),
            ("cg_test", self.cg_test.any_unverified()),
            ("recovery_period", self.recovery_period.any_unverified()),
            ("cg_earliest_days", self.cg_earliest_days.any_unverified()),
            (
                "reconsideration_days",
                self.reconsideration_days.any_unverified(),
            ),
            ("move_on", self.move_on.any_unverified()),
            ("duty_to_notify", self.duty_to_notify.any_unverified()),
            (
                "public_order_disqualification",
                self.public_order_disqualification.any_unverified(),
            ),
        ];
        flags.iter().filter(|(_, u)| *u).map(|(n, _)| *n).collect()
    }

    /// The built-in table, shared (built once on first use).
    pub fn builtin() -> &'static RuleBook {
        &BUILTIN
    }
}

static BUILTIN: LazyLock<RuleBook> = LazyLock::new(RuleBook::default);

/// The rules in force in `j` on `date`, from the built-in table ([`RuleBook::default`]).
pub fn rules_at(j: Jurisdiction, date: NaiveDate) -> RuleSet<'static> {
    BUILTIN.rules_at(j, date)
}

// ---------------------------------------------------------------------------------------------
// The built-in table. Every date and value here is listed with its source in docs/rules.md.
// ---------------------------------------------------------------------------------------------

/// Key dates of the built-in table.
pub mod dates {
    use chrono::NaiveDate;

    const fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        match NaiveDate::from_ymd_opt(y, m, day) {
            Some(date) => date,
            // Evaluated at compile time: an invalid constant fails the build, not a user.
            None => panic!("invalid constant date"),
        }
    }

    /// The National Referral Mechanism begins (UKHTC and UK Border Agency as competent authorities).
    pub const NRM_START: NaiveDate = d(2009, 4, 1);
    /// Duty to Notify in force (MSA 2015 s.52, England & Wales).
    pub const DUTY_TO_NOTIFY: NaiveDate = d(2015, 11, 1);
    /// Scotland: 90-day support period (SSI 2018/90).
    pub const SCOTLAND_90_DAYS: NaiveDate = d(2018, 4, 1);
    /// Single Competent Authority replaces UKHTC and the Home Office.
    pub const SCA: NaiveDate = d(2019, 4, 29);
    /// Immigration Enforcement Competent Authority begins.
    pub const IECA: NaiveDate = d(2021, 11, 8);
    /// Northern Ireland: support extendable beyond 45 days; post-CG support up to 12 months or
    /// longer (Justice (Sexual Offences and Trafficking Victims) Act (NI) 2022 s.21).
    pub const NI_2022: NaiveDate = d(2022, 4, 28);
    /// England & Wales: 30-day recovery period (domain brief; unverified).
    pub const EW_30_DAYS: NaiveDate = d(2022, 12, 13);
    /// Nationality and Borders Act 2022 Part 5 in force; new statutory guidance.
    pub const NABA: NaiveDate = d(2023, 1, 30);
    /// Revised RG test wording (date and wording unverified).
    pub const RG_TEST_REVISED: NaiveDate = d(2023, 7, 10);
}

mod src {
    pub const BRIEF: &str = "unchain domain brief (shared/brief/domain.md)";
    pub const NRM_2009: &str = "Home Office, National Referral Mechanism launched 1 April 2009 (Council of Europe Convention on Action against Trafficking in Human Beings, Art. 10, 13)";
    pub const SCA_2019: &str =
        "Home Office, NRM reform: Single Competent Authority from 29 April 2019 (domain brief)";
    pub const IECA_2021: &str = "Home Office, Modern Slavery statutory guidance (E&W) and non-statutory guidance (Scotland, NI): Immigration Enforcement Competent Authority from November 2021 (date 2021-11-08 per domain brief)";
    pub const GUIDANCE: &str = "Home Office, Modern Slavery: statutory guidance for England and Wales (under s49 of the Modern Slavery Act 2015) and non-statutory guidance for Scotland and Northern Ireland";
    pub const GUIDANCE_2023_01: &str = "Home Office, Modern Slavery statutory guidance (E&W) / non-statutory guidance (S, NI), version in force from 30 January 2023";
    pub const POLICY_45: &str = "Home Office, Nationality and Borders Bill: abuse of modern slavery protections factsheet (gov.uk): 'as a matter of policy we provide for 45 days and in any event until a Conclusive Grounds (CG) decision is made'";
    pub const NABA_S61_S64: &str = "Nationality and Borders Act 2022 s.61 (recovery period) and s.64 inserting Modern Slavery Act 2015 s.50A (legislation.gov.uk/ukpga/2022/36/section/64), in force 2023-01-30";
    pub const NABA_S63: &str = "Nationality and Borders Act 2022 s.63 (disqualification from protection: public order), legislation.gov.uk/ukpga/2022/36/section/63, in force 2023-01-30";
    pub const MSA_S52: &str = "Modern Slavery Act 2015 s.52 (duty to notify Secretary of State about suspected victims), legislation.gov.uk/ukpga/2015/30/section/52, in force 2015-11-01";
    pub const SSI_2018_90: &str = "Human Trafficking and Exploitation (Scotland) Act 2015 s.9 and the Human Trafficking and Exploitation (Scotland) Act 2015 (Support for Victims) Regulations 2018 (SSI 2018/90) regs 2-3, in force 2018-04-01 (legislation.gov.uk/ssi/2018/90/made)";
    pub const HTES_S9_3_C: &str = "Human Trafficking and Exploitation (Scotland) Act 2015 s.9(3)(c): support 'for such period as they think appropriate after the conclusive determination' (legislation.gov.uk/asp/2015/12/section/9)";
    pub const NI_S18: &str = "Human Trafficking and Exploitation (Criminal Justice and Support for Victims) Act (Northern Ireland) 2015 s.18 (legislation.gov.uk/nia/2015/2/section/18)";
    pub const NI_2022_S21: &str = "Justice (Sexual Offences and Trafficking Victims) Act (Northern Ireland) 2022 s.21 amending the NI 2015 Act s.18(4) and (9), in operation 2022-04-28 (legislation.gov.uk/nia/2022/19/section/21)";
}

fn p<T>(value: T, source: &'static str, unverified: bool, note: &'static str) -> Provision<T> {
    Provision {
        value,
        source: Cow::Borrowed(source),
        unverified,
        note: Cow::Borrowed(note),
    }
}

fn ch<T>(from: NaiveDate, applies_to: &[Jurisdiction], provision: Provision<T>) -> Change<T> {
    Change {
        from,
        applies_to: applies_to.to_vec(),
        provision,
    }
}

const ALL: [Jurisdiction; 3] = Jurisdiction::ALL;
const EW: [Jurisdiction; 1] = [Jurisdiction::EnglandAndWales];
const SC: [Jurisdiction; 1] = [Jurisdiction::Scotland];
const NI: [Jurisdiction; 1] = [Jurisdiction::NorthernIreland];

fn before_nrm<T: Clone>(value: T) -> ByJurisdiction<Provision<T>> {
    ByJurisdiction::all(p(
        value,
        src::NRM_2009,
        false,
        "before the NRM began on 2009-04-01",
    ))
}

/// The recovery-period wording used for the unverified UK-wide policy before devolved rules.
const UK_POLICY_45: RecoveryRule = RecoveryRule {
    days: 45,
    first_day_counts: false,
    end: RecoveryEnd::LaterOfCgAndPeriod,
    extendable: false,
};

impl Default for RuleBook {
    /// The built-in table, with a source for every entry (see `docs/rules.md`).
    fn default() -> Self {
        use dates::*;
        RuleBook {
            nrm_in_force: Param {
                initial: before_nrm(false),
                changes: vec![ch(NRM_START, &ALL, p(true, src::NRM_2009, false, ""))],
            },
            competent_authorities: Param {
                initial: before_nrm(AuthorityRegime::NoNrm),
                changes: vec![
                    ch(
                        NRM_START,
                        &ALL,
                        p(
                            AuthorityRegime::UkhtcAndHomeOffice,
                            src::NRM_2009,
                            false,
                            "UKHTC (in SOCA, then the NCA) for UK/EEA nationals without immigration issues; Home Office (UK Border Agency, later UKVI) for people subject to immigration control",
                        ),
                    ),
                    ch(
                        SCA,
                        &ALL,
                        p(
                            AuthorityRegime::SingleCompetentAuthority,
                            src::SCA_2019,
                            false,
                            "",
                        ),
                    ),
                    ch(
                        IECA,
                        &ALL,
                        p(
                            AuthorityRegime::ScaAndIeca,
                            src::IECA_2021,
                            false,
                            "IECA takes FNOs in prison or IRC, deportation cases, immigration detainees, inadmissible asylum claims",
                        ),
                    ),
                ],
            },
            rg_target_working_days: Param {
                initial: before_nrm(None),
                changes: vec![ch(
                    NRM_START,
                    &ALL,
                    p(Some(5), src::GUIDANCE, false, "a target, not a legal limit"),
                )],
            },
            rg_test: Param {
                initial: before_nrm(None),
                changes: vec![
                    ch(
                        NRM_START,
                        &ALL,
                        p(
                            Some(Cow::Borrowed(
                                "I suspect but cannot prove (that the person is a victim)",
                            )),
                            src::GUIDANCE,
                            false,
                            "",
                        ),
                    ),
                    ch(
                        NABA,
                        &ALL,
                        p(
                            Some(Cow::Borrowed(
                                "reasonable grounds to believe, based on objective factors but falling short of conclusive proof, that the person is a victim",
                            )),
                            src::GUIDANCE_2023_01,
                            false,
                            "NABA 2022 s.60 threshold as put in the January 2023 guidance",
                        ),
                    ),
                    ch(
                        RG_TEST_REVISED,
                        &ALL,
                        p(
                            Some(Cow::Borrowed(
                                "reasonable grounds to believe, based on all the general and specific evidence but falling short of conclusive proof, that the person is a victim",
                            )),
                            src::GUIDANCE,
                            true,
                            "UNVERIFIED: the brief says the wording was revised 'about 2023-07'; neither the date nor this wording is confirmed — override when checked",
                        ),
                    ),
                ],
            },
            cg_test: Param {
                initial: before_nrm(None),
                changes: vec![ch(
                    NRM_START,
                    &ALL,
                    p(
                        Some(Cow::Borrowed("on the balance of probabilities")),
                        src::GUIDANCE,
                        false,
                        "",
                    ),
                )],
            },
            recovery_period: Param {
                initial: before_nrm(None),
                changes: vec![
                    ch(
                        NRM_START,
                        &EW,
                        p(
                            Some(UK_POLICY_45),
                            src::POLICY_45,
                            false,
                            "at least 45 days, and in any event until the CG decision",
                        ),
                    ),
                    ch(
                        NRM_START,
                        &SC,
                        p(
                            Some(UK_POLICY_45),
                            src::GUIDANCE,
                            true,
                            "UNVERIFIED: before SSI 2018/90 the UK-wide 45-day NRM policy is assumed to apply in Scotland",
                        ),
                    ),
                    ch(
                        NRM_START,
                        &NI,
                        p(
                            Some(RecoveryRule {
                                days: 45,
                                first_day_counts: false,
                                end: RecoveryEnd::UntilCgOrPeriodIfPositive,
                                extendable: false,
                            }),
                            src::NI_S18,
                            true,
                            "statutory from the commencement of the NI 2015 Act s.18 (commencement date not verified; the UK-wide 45-day policy applied before it)",
                        ),
                    ),
                    ch(
                        SCOTLAND_90_DAYS,
                        &SC,
                        p(
                            Some(RecoveryRule {
                                days: 90,
                                first_day_counts: false,
                                end: RecoveryEnd::EarlierOfCgAndPeriod,
                                extendable: true,
                            }),
                            src::SSI_2018_90,
                            false,
                            "ends on the earlier of 90 days from the RG and the conclusive determination; Ministers may support longer (s.9(3))",
                        ),
                    ),
                    ch(
                        NI_2022,
                        &NI,
                        p(
                            Some(RecoveryRule {
                                days: 45,
                                first_day_counts: false,
                                end: RecoveryEnd::UntilCgOrPeriodIfPositive,
                                extendable: true,
                            }),
                            src::NI_2022_S21,
                            false,
                            "45 days 'or such longer period as the Department thinks necessary'",
                        ),
                    ),
                    ch(
                        EW_30_DAYS,
                        &EW,
                        p(
                            Some(RecoveryRule {
                                days: 30,
                                first_day_counts: false,
                                end: RecoveryEnd::LaterOfCgAndPeriod,
                                extendable: false,
                            }),
                            src::BRIEF,
                            true,
                            "UNVERIFIED date: the brief gives 2022-12-13 for the change to 30 days; published commentary dates the 30-day period to the guidance in force from 2023-01-30",
                        ),
                    ),
                    ch(
                        NABA,
                        &EW,
                        p(
                            Some(RecoveryRule {
                                days: 30,
                                first_day_counts: true,
                                end: RecoveryEnd::LaterOfCgAndPeriod,
                                extendable: false,
                            }),
                            src::NABA_S61_S64,
                            false,
                            "support runs to the later of the CG decision and the end of 30 days beginning with the RG day",
                        ),
                    ),
                ],
            },
            cg_earliest_days: Param {
                initial: before_nrm(None),
                changes: vec![
                    ch(
                        NRM_START,
                        &EW,
                        p(
                            Some(45),
                            src::GUIDANCE,
                            false,
                            "no CG before the end of the recovery period",
                        ),
                    ),
                    ch(
                        NRM_START,
                        &[Jurisdiction::Scotland, Jurisdiction::NorthernIreland],
                        p(
                            Some(45),
                            src::GUIDANCE,
                            true,
                            "UNVERIFIED: the UK-wide competent authority timing is assumed to apply in Scotland and NI",
                        ),
                    ),
                    ch(
                        EW_30_DAYS,
                        &EW,
                        p(
                            Some(30),
                            src::BRIEF,
                            true,
                            "UNVERIFIED date, follows the recovery-period change",
                        ),
                    ),
                    ch(
                        EW_30_DAYS,
                        &[Jurisdiction::Scotland, Jurisdiction::NorthernIreland],
                        p(
                            Some(30),
                            src::BRIEF,
                            true,
                            "UNVERIFIED: UK-wide competent authority timing assumed; date follows the E&W change",
                        ),
                    ),
                ],
            },
            reconsideration_days: Param {
                initial: before_nrm(None),
                changes: vec![ch(
                    NRM_START,
                    &ALL,
                    p(
                        Some(30),
                        src::GUIDANCE,
                        true,
                        "30 calendar days (brief); the date a formal reconsideration window began is not verified, so it is applied from the NRM's start",
                    ),
                )],
            },
            move_on: Param {
                initial: before_nrm(MoveOn::NotProvided),
                changes: vec![
                    ch(
                        NRM_START,
                        &EW,
                        p(
                            MoveOn::Days(45),
                            src::GUIDANCE,
                            true,
                            "45 days (brief); UNVERIFIED for earlier years: move-on support was 14 days before an extension announced in October 2017, date of change not verified",
                        ),
                    ),
                    ch(
                        NRM_START,
                        &SC,
                        p(
                            MoveOn::Discretionary,
                            src::HTES_S9_3_C,
                            true,
                            "after a conclusive determination Ministers may support 'for such period as they think appropriate'; no fixed move-on period (before the 2015 Act, unverified)",
                        ),
                    ),
                    ch(
                        NRM_START,
                        &NI,
                        p(
                            MoveOn::Discretionary,
                            src::NI_S18,
                            true,
                            "UNVERIFIED: further support after a positive CG at the Department's discretion (s.18(9))",
                        ),
                    ),
                    ch(
                        NI_2022,
                        &NI,
                        p(
                            MoveOn::Discretionary,
                            src::NI_2022_S21,
                            false,
                            "a further period 'of up to 12 months, or longer than 12 months' (s.18(9) as amended)",
                        ),
                    ),
                ],
            },
            duty_to_notify: Param {
                initial: ByJurisdiction::all(p(
                    false,
                    src::MSA_S52,
                    false,
                    "no Duty to Notify before 2015-11-01",
                )),
                changes: vec![ch(
                    DUTY_TO_NOTIFY,
                    &EW,
                    p(
                        true,
                        src::MSA_S52,
                        false,
                        "adults who do not consent; police, local authorities, NCA, GLAA (Home Office immigration bodies by policy); England & Wales only",
                    ),
                )],
            },
            public_order_disqualification: Param {
                initial: ByJurisdiction::all(p(false, src::NABA_S63, false, "")),
                changes: vec![
                    ch(NABA, &EW, p(true, src::NABA_S63, false, "")),
                    ch(
                        NABA,
                        &[Jurisdiction::Scotland, Jurisdiction::NorthernIreland],
                        p(
                            true,
                            src::NABA_S63,
                            true,
                            "UNVERIFIED: s.63 is assumed to extend to competent-authority decisions in Scotland and NI",
                        ),
                    ),
                ],
            },
        }
    }
}
