use super::d;
use crate::authority::{CompetentAuthority as CA, ImmigrationSituation, competent_authority};
use crate::error::NrmError;
use crate::jurisdiction::Jurisdiction::EnglandAndWales as EW;

fn situation(control: bool, detained: bool) -> ImmigrationSituation {
    ImmigrationSituation {
        subject_to_immigration_control: control,
        foreign_national_offender_detained: detained,
        ..Default::default()
    }
}

#[test]
fn authority_by_date_and_situation() {
    // (date, subject to immigration control, FNO detained, expected, source)
    let cases = [
        (
            d(2019, 4, 28),
            false,
            false,
            CA::Ukhtc,
            "UKHTC for UK/EEA nationals before the SCA (brief)",
        ),
        (
            d(2019, 4, 28),
            true,
            false,
            CA::HomeOffice,
            "Home Office for people under immigration control before the SCA (brief)",
        ),
        (
            d(2019, 4, 29),
            true,
            true,
            CA::Sca,
            "SCA from 2019-04-29 (brief)",
        ),
        (
            d(2021, 11, 7),
            true,
            true,
            CA::Sca,
            "no IECA before 2021-11-08 (brief)",
        ),
        (
            d(2021, 11, 8),
            true,
            true,
            CA::Ieca,
            "IECA takes FNOs in prison/IRC from 2021-11-08 (brief)",
        ),
        (
            d(2021, 11, 8),
            true,
            false,
            CA::Sca,
            "SCA decides everything else (brief)",
        ),
    ];
    for (date, control, detained, want, source) in cases {
        let got =
            competent_authority(EW, date, &situation(control, detained)).expect("NRM in force");
        assert_eq!(got.authority, want, "{date} ({source})");
        assert!(!got.reason.is_empty());
    }
}

#[test]
fn each_ieca_criterion_is_named() {
    for (s, field) in [
        (
            ImmigrationSituation {
                deportation_started: true,
                ..Default::default()
            },
            "deportation_started",
        ),
        (
            ImmigrationSituation {
                immigration_detainee: true,
                ..Default::default()
            },
            "immigration_detainee",
        ),
        (
            ImmigrationSituation {
                inadmissible_asylum_claim: true,
                ..Default::default()
            },
            "inadmissible_asylum_claim",
        ),
    ] {
        let got = competent_authority(EW, d(2024, 1, 1), &s).expect("in force");
        assert_eq!(got.authority, CA::Ieca);
        assert!(got.reason.contains(field), "{}", got.reason);
    }
}

#[test]
fn before_the_nrm_there_is_no_authority() {
    let err = competent_authority(EW, d(2009, 3, 31), &ImmigrationSituation::default());
    assert!(matches!(
        err,
        Err(NrmError::NrmNotInForce {
            field: "referred_on",
            ..
        })
    ));
}
