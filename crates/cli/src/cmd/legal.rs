//! Perpetrator accountability: advocacy, legal advice, police reports and prosecutions, civil
//! claims, and a case's justice record.

use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::json;
use unchain_core::justice::{
    ClaimChange, JusticeRecord, NewAdvice, NewClaim, NewPoliceReport, ProsecutionChange,
};
use uuid::Uuid;

use super::cases::find;
use crate::body::Body;
use crate::fail::Result;
use crate::out::{opt, word};
use crate::parse::snake;
use crate::{Ctx, base, parse};

/// `unchain legal …`.
#[derive(Subcommand, Debug)]
pub enum LegalCmd {
    /// Record that the person asked for (or declined) the NGO's legal advocacy.
    #[command(
        after_help = "Example:\n  unchain legal advocacy UC-000001 --requested --on 2025-03-10"
    )]
    Advocacy {
        /// The case reference or id.
        case: String,
        /// Advocacy requested.
        #[arg(
            long,
            conflicts_with = "declined",
            required_unless_present = "declined"
        )]
        requested: bool,
        /// Advocacy declined.
        #[arg(long)]
        declined: bool,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        on: Option<NaiveDate>,
    },
    /// Log legal advice given (notes sealed).
    #[command(
        after_help = "Example:\n  unchain legal advice UC-000001 --adviser 'J. Okafor' --topic 'Immigration options' --on 2025-03-12"
    )]
    Advice {
        /// The case reference or id.
        case: String,
        /// Who advised.
        #[arg(long)]
        adviser: String,
        /// On what.
        #[arg(long)]
        topic: String,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        on: Option<NaiveDate>,
        /// Notes (sealed).
        #[arg(long)]
        notes: Option<String>,
    },
    /// Report a suspect to the police (opens a prosecution record for that suspect).
    #[command(
        after_help = "Example:\n  unchain legal report UC-000001 --suspect 0190… --force 'West Yorkshire Police' --crime-reference 13/123456/25"
    )]
    Report {
        /// The case reference or id.
        case: String,
        /// The suspect id.
        #[arg(long)]
        suspect: Uuid,
        /// The police force.
        #[arg(long)]
        force: String,
        /// The crime reference.
        #[arg(long)]
        crime_reference: String,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        reported_on: Option<NaiveDate>,
    },
    /// Record a prosecution step for a suspect: investigation_opened, charged, trial_started,
    /// verdict or no_further_action.
    #[command(
        after_help = "Examples:\n  unchain legal prosecution UC-000001 --suspect 0190… charged --offence modern_slavery_act_s2 --on 2025-06-01\n  unchain legal prosecution UC-000001 --suspect 0190… verdict --verdict convicted --sentence '6 years'"
    )]
    Prosecution {
        /// The case reference or id.
        case: String,
        /// The suspect id.
        #[arg(long)]
        suspect: Uuid,
        /// The step.
        step: String,
        /// An offence charged (modern_slavery_act_s1, modern_slavery_act_s2,
        /// modern_slavery_act_s4; others with --set) (repeat).
        #[arg(long = "offence")]
        offences: Vec<String>,
        /// The court (trial_started).
        #[arg(long)]
        court: Option<String>,
        /// convicted or acquitted (verdict).
        #[arg(long)]
        verdict: Option<String>,
        /// The sentence (verdict).
        #[arg(long)]
        sentence: Option<String>,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        on: Option<NaiveDate>,
        #[command(flatten)]
        body: Body,
    },
    /// Civil claims and compensation.
    #[command(subcommand)]
    Claim(ClaimCmd),
    /// A case's justice record: advocacy, advice, prosecutions, claims and totals.
    #[command(after_help = "Example:\n  unchain legal show UC-000001 --json")]
    Show {
        /// The case reference or id.
        case: String,
    },
}

/// `unchain legal claim …`.
#[derive(Subcommand, Debug)]
pub enum ClaimCmd {
    /// Lodge a claim (amounts in pence).
    #[command(
        after_help = "Example:\n  unchain legal claim lodge UC-000001 --forum employment_tribunal --claimed-pence 1250000 --lodged-on 2025-05-01"
    )]
    Lodge {
        /// The case reference or id.
        case: String,
        /// criminal_injuries_compensation, employment_tribunal, civil_court,
        /// compensation_order or reparation_order.
        #[arg(long)]
        forum: String,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        lodged_on: Option<NaiveDate>,
        /// The amount claimed, in pence.
        #[arg(long)]
        claimed_pence: Option<i64>,
        /// The forum's reference.
        #[arg(long)]
        forum_reference: Option<String>,
    },
    /// Record what happened to a claim: awarded, rejected, settled, paid or withdrawn.
    #[command(
        after_help = "Example:\n  unchain legal claim update UC-000001 0190… awarded --amount-pence 800000 --on 2025-11-01"
    )]
    Update {
        /// The case reference or id.
        case: String,
        /// The claim id.
        claim: Uuid,
        /// What happened.
        update: String,
        /// The amount in pence (awarded, settled, paid).
        #[arg(long)]
        amount_pence: Option<i64>,
        /// The day (default today).
        #[arg(long, value_parser = parse::date)]
        on: Option<NaiveDate>,
    },
}

fn show(ctx: &Ctx, r: &JusticeRecord) -> Result<()> {
    ctx.out.emit(r, || {
        println!(
            "{} ({}): advocacy {}{}",
            r.reference,
            r.pseudonym,
            word(&r.advocacy),
            r.advocacy_since
                .map(|d| format!(" since {d}"))
                .unwrap_or_default()
        );
        ctx.out.table(
            &[
                "suspect",
                "force",
                "crime ref",
                "reported",
                "state",
                "verdict",
                "sentence",
            ],
            r.prosecutions
                .iter()
                .map(|p| {
                    vec![
                        p.data.suspect_id.to_string(),
                        p.data.force.clone(),
                        p.data.crime_reference.clone(),
                        p.data.reported_on.to_string(),
                        word(&p.data.state),
                        opt(&p.data.verdict),
                        opt(&p.data.sentence),
                    ]
                })
                .collect(),
        );
        ctx.out.table(
            &[
                "claim", "forum", "lodged", "state", "claimed", "awarded", "paid",
            ],
            r.claims
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        word(&c.data.forum),
                        c.data.lodged_on.to_string(),
                        word(&c.data.state),
                        pounds(c.data.claimed_pence),
                        pounds(c.data.awarded_pence),
                        pounds(c.data.paid_pence),
                    ]
                })
                .collect(),
        );
        println!(
            "totals: claimed {}, awarded {}, paid {}; {} advice session(s)",
            pounds(Some(r.totals.claimed_pence)),
            pounds(Some(r.totals.awarded_pence)),
            pounds(Some(r.totals.paid_pence)),
            r.advice.len()
        );
    })
}

/// Pence as pounds for people (JSON keeps pence).
fn pounds(p: Option<i64>) -> String {
    match p {
        None => "-".into(),
        Some(p) => format!("£{}.{:02}", p / 100, (p % 100).abs()),
    }
}

pub fn legal(ctx: &Ctx, c: LegalCmd) -> Result<()> {
    let (core, actor) = ctx.open()?;
    match c {
        LegalCmd::Advocacy {
            case,
            requested,
            declined: _,
            on,
        } => {
            let view = find(&core, &actor, &case)?;
            core.record_advocacy(&actor, view.id, view.version, requested, on)?;
            show(ctx, &core.justice_record(&actor, view.id)?)
        }
        LegalCmd::Advice {
            case,
            adviser,
            topic,
            on,
            notes,
        } => {
            let view = find(&core, &actor, &case)?;
            let rec = core.record_advice(
                &actor,
                view.id,
                NewAdvice {
                    on,
                    adviser,
                    topic,
                    notes,
                },
            )?;
            ctx.out
                .emit(&json!({"id": rec.id, "case_id": view.id}), || {
                    println!("recorded advice {} for {}", rec.id, view.reference)
                })
        }
        LegalCmd::Report {
            case,
            suspect,
            force,
            crime_reference,
            reported_on,
        } => {
            let view = find(&core, &actor, &case)?;
            let p = core.report_to_police(
                &actor,
                view.id,
                view.version,
                NewPoliceReport {
                    suspect_id: suspect,
                    force,
                    crime_reference,
                    reported_on,
                },
            )?;
            ctx.out.record(&p)
        }
        LegalCmd::Prosecution {
            case,
            suspect,
            step,
            offences,
            court,
            verdict,
            sentence,
            on,
            body,
        } => {
            let offences: Vec<_> = offences
                .iter()
                .map(|o| json!({"offence": snake(o)}))
                .collect();
            let change: ProsecutionChange = body.build(base! {
                "suspect_id" => suspect, "on" => on, "step.type" => snake(&step),
                "step.offences" => offences, "step.court" => court,
                "step.verdict" => verdict.as_deref().map(snake), "step.sentence" => sentence,
            })?;
            let view = find(&core, &actor, &case)?;
            ctx.out
                .record(&core.prosecution_update(&actor, view.id, view.version, change)?)
        }
        LegalCmd::Claim(ClaimCmd::Lodge {
            case,
            forum,
            lodged_on,
            claimed_pence,
            forum_reference,
        }) => {
            let new: NewClaim = Body::default().build(base! {
                "forum" => snake(&forum), "lodged_on" => lodged_on,
                "claimed_pence" => claimed_pence, "forum_reference" => forum_reference,
            })?;
            let view = find(&core, &actor, &case)?;
            ctx.out
                .record(&core.lodge_claim(&actor, view.id, view.version, new)?)
        }
        LegalCmd::Claim(ClaimCmd::Update {
            case,
            claim,
            update,
            amount_pence,
            on,
        }) => {
            let change: ClaimChange = Body::default().build(base! {
                "claim_id" => claim, "update.type" => snake(&update),
                "update.amount_pence" => amount_pence, "on" => on,
            })?;
            let view = find(&core, &actor, &case)?;
            ctx.out
                .record(&core.claim_update(&actor, view.id, view.version, change)?)
        }
        LegalCmd::Show { case } => {
            let view = find(&core, &actor, &case)?;
            show(ctx, &core.justice_record(&actor, view.id)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pounds;

    #[test]
    fn pence_read_as_pounds() {
        assert_eq!(pounds(Some(1_250_000)), "£12500.00");
        assert_eq!(pounds(Some(5)), "£0.05");
        assert_eq!(pounds(None), "-");
    }
}
