//! Hand-worked examples, each citing the rule it exercises, and properties.
//! They run against the shipped national pack, so a wrong number in
//! policy/cn/impact.toml fails here.

use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::json;

use super::dates::{Convention, add_months, extend, months_then_days};
use super::input::parse_request;
use super::*;
use crate::policy::PolicySet;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn set() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    SET.get_or_init(crate::policy::tests::shipped_packs)
}

fn book() -> &'static ImpactBook {
    static BOOK: OnceLock<ImpactBook> = OnceLock::new();
    BOOK.get_or_init(|| ImpactBook::build(&set().resolve("cn").unwrap()).expect("national impact rules parse"))
}

fn fact(code: &str, effective: &str) -> MeasureFact {
    MeasureFact {
        code: MeasureCode::parse(code).unwrap(),
        effective: d(effective),
        probation_years: None,
        period_months: None,
        tolerance: None,
    }
}

fn from(facts: &[MeasureFact], as_of: &str) -> Option<NaiveDate> {
    evaluate(book(), facts, d(as_of)).promotion.eligible_from
}

#[test]
fn every_layer_builds_its_book() {
    for id in ["cn", "cn-hb", "cn-hb-yc", "cn-zj"] {
        ImpactBook::build(&set().resolve(id).unwrap()).unwrap_or_else(|e| panic!("{id}: {e:?}"));
    }
}

#[test]
fn every_measure_type_has_a_rule_today() {
    for code in MeasureCode::all() {
        assert!(book().measure(code, d("2026-11-21")).is_some(), "{} has no rule", code.code());
    }
}

/// 政务处分法 art. 8 with 民法典 arts. 201–202: the effective day is not
/// counted, the last day is the corresponding day, eligible the day after.
#[test]
fn state_sanction_periods_per_type() {
    let cases = [
        ("state_sanction.warning", "2024-03-01", "2024-09-02"),
        ("state_sanction.demerit", "2024-03-01", "2025-03-02"),
        ("state_sanction.major_demerit", "2024-03-01", "2025-09-02"),
        ("state_sanction.grade_demotion", "2024-03-01", "2026-03-02"),
        ("state_sanction.dismissal_from_post", "2024-03-01", "2026-03-02"),
    ];
    for (code, eff, expect) in cases {
        assert_eq!(from(&[fact(code, eff)], "2024-06-30"), Some(d(expect)), "{code}");
    }
    let e = evaluate(book(), &[fact("state_sanction.warning", "2024-03-01")], d("2024-09-01"));
    assert!(!e.promotion.eligible_on_as_of, "the last day is still inside the period");
    let e = evaluate(book(), &[fact("state_sanction.warning", "2024-03-01")], d("2024-09-02"));
    assert!(e.promotion.eligible_on_as_of);
}

/// Month ends and leap years (民法典 art. 202: no corresponding day → month's last day).
#[test]
fn month_end_and_leap_years() {
    assert_eq!(from(&[fact("state_sanction.warning", "2023-08-31")], "2023-09-01"), Some(d("2024-03-01")));
    assert_eq!(from(&[fact("state_sanction.warning", "2024-08-31")], "2024-09-01"), Some(d("2025-03-01")));
    assert_eq!(from(&[fact("state_sanction.demerit", "2024-02-29")], "2024-03-01"), Some(d("2025-03-01")));
    assert_eq!(from(&[fact("state_sanction.major_demerit", "2023-08-31")], "2023-09-01"), Some(d("2025-03-01")));
    assert_eq!(from(&[fact("admonishment", "2024-08-31")], "2024-09-01"), Some(d("2025-03-01")));
    assert_eq!(Convention::CivilCode.last_day(d("2023-08-31"), 6), d("2024-02-29"));
    assert_eq!(Convention::Inclusive.last_day(d("2024-03-01"), 6), d("2024-08-31"));
}

/// 行政机关公务员处分条例 art. 10: a new sanction inside a running period
/// runs for the remainder plus its own period.
#[test]
fn state_remaining_plus_new() {
    let facts = [fact("state_sanction.demerit", "2024-01-15"), fact("state_sanction.major_demerit", "2024-07-20")];
    // Remainder 2024-07-20 → 2025-01-15 is 5 months 26 days; new last day
    // 2026-01-20 + 5 months = 2026-06-20, + 26 days = 2026-07-16.
    assert_eq!(from(&facts, "2024-08-01"), Some(d("2026-07-17")));
    let e = evaluate(book(), &facts, d("2024-08-01"));
    let r = e.reasons.iter().find(|r| r.measure == 1 && r.question == Question::Promotion).unwrap();
    let s = r.stacking.as_ref().unwrap();
    assert_eq!((s.remaining_months, s.remaining_days, s.capped), (5, 26, false));
    assert_eq!(s.rule, "impact.track.state");
    assert!(s.source.contains("第十条"));
}

/// The state track never exceeds 48 months counted from the latest sanction.
#[test]
fn state_cap_48_months() {
    let facts = [
        fact("state_sanction.dismissal_from_post", "2022-01-10"),
        fact("state_sanction.dismissal_from_post", "2022-01-11"),
        fact("state_sanction.major_demerit", "2022-01-12"),
    ];
    // Uncapped this would run to 2027-07-11; the cap is 2022-01-12 + 48 months.
    assert_eq!(from(&facts, "2022-02-01"), Some(d("2026-01-13")));
    let e = evaluate(book(), &facts, d("2022-02-01"));
    assert!(e.reasons.iter().any(|r| r.stacking.as_ref().is_some_and(|s| s.capped)));
    // A period fixed by the decision is capped too.
    let mut one = fact("state_sanction.demerit", "2022-01-10");
    one.period_months = Some(60);
    assert_eq!(from(&[one], "2022-02-01"), Some(d("2026-01-11")));
}

/// 纪律处分条例 (2023) art. 21: remainder plus new, with no cap.
#[test]
fn party_stacking_has_no_cap() {
    let mut probation = fact("party_sanction.probation", "2026-05-01");
    probation.probation_years = Some(2);
    let facts =
        [fact("party_sanction.warning", "2024-02-01"), fact("party_sanction.serious_warning", "2024-12-01"), probation];
    // warning → 2025-02-01; serious warning adds 2 months → 2026-08-01;
    // probation 2 years + 2 years → 2030-05-01, plus 3 months → 2030-08-01.
    assert_eq!(from(&facts[..2], "2025-01-01"), Some(d("2026-08-02")));
    assert_eq!(from(&facts, "2026-06-01"), Some(d("2030-08-02")));
}

#[test]
fn probation_years_extend_the_bar() {
    let mut p = fact("party_sanction.probation", "2024-03-01");
    p.probation_years = Some(1);
    assert_eq!(from(&[p.clone()], "2024-03-02"), Some(d("2027-03-02")));
    p.probation_years = Some(2);
    assert_eq!(from(&[p], "2024-03-02"), Some(d("2028-03-02")));
}

/// Tracks run in parallel; promotion waits for the last one.
#[test]
fn parallel_tracks_wait_for_all() {
    let facts = [
        fact("state_sanction.demerit", "2024-03-01"),
        fact("party_sanction.serious_warning", "2024-03-01"),
        fact("admonishment", "2024-10-01"),
    ];
    let e = evaluate(book(), &facts, d("2025-06-30"));
    assert_eq!(e.promotion.eligible_from, Some(d("2025-09-02")));
    assert!(!e.promotion.eligible_on_as_of);
    let tracks: Vec<(&str, Option<NaiveDate>)> = e.tracks.iter().map(|t| (t.track.code(), t.last_day)).collect();
    assert!(tracks.contains(&("state", Some(d("2025-03-01")))));
    assert!(tracks.contains(&("party", Some(d("2025-09-01")))));
    assert!(tracks.contains(&("admonishment", Some(d("2025-04-01")))));
    // Pay steps are barred by the state sanction only (政务处分法 art. 22).
    assert_eq!(e.pay_step.eligible_from, Some(d("2025-03-02")));
    assert!(e.pay_step.eligible_on_as_of);
    // Candidacy follows promotion on every sanction track (选拔任用条例 art. 24).
    assert_eq!(e.candidate.eligible_from, Some(d("2025-09-02")));
    assert!(e.reasons.iter().any(|r| r.question == Question::Candidate && r.derived_from.is_some()));
}

#[test]
fn expulsion_never_ends() {
    for code in ["state_sanction.expulsion", "party_sanction.expulsion"] {
        let e = evaluate(book(), &[fact(code, "2020-09-01"), fact("admonishment", "2020-10-01")], d("2040-01-01"));
        assert!(e.promotion.never, "{code}");
        assert_eq!(e.promotion.eligible_from, None);
        assert!(!e.promotion.eligible_on_as_of);
    }
}

/// A measure exempted by a tolerance decision has no effect (问责条例 art. 17).
#[test]
fn exempted_measure_has_no_effect() {
    let mut m = fact("state_sanction.demerit", "2024-03-01");
    m.tolerance = Some(Tolerance::Exempted);
    let e = evaluate(book(), &[m], d("2024-06-30"));
    assert!(e.promotion.eligible_on_as_of);
    assert_eq!(e.measures[0].status, engine::MeasureStatus::Exempted);
    assert_eq!(e.measures[0].rule.unwrap().rule, "impact.rule.exemption");
    let mut m = fact("state_sanction.demerit", "2024-03-01");
    m.tolerance = Some(Tolerance::Mitigated);
    assert!(!evaluate(book(), &[m], d("2024-06-30")).promotion.eligible_on_as_of);
}

#[test]
fn organisational_handling_and_admonishment_take_the_longer() {
    let facts = [fact("org_handling.removal", "2023-01-10"), fact("admonishment", "2024-06-30")];
    assert_eq!(from(&facts, "2024-07-01"), Some(d("2025-01-11")));
    let facts = [fact("org_handling.reassignment", "2023-01-10"), fact("org_handling.demotion", "2023-06-01")];
    assert_eq!(from(&facts, "2023-07-01"), Some(d("2025-06-02")));
    // Suspension pending examination sets no period of its own.
    assert_eq!(from(&[fact("org_handling.suspension", "2023-01-10")], "2023-07-01"), Some(d("2023-07-01")));
}

#[test]
fn measures_without_periods_and_future_measures() {
    let facts = [
        fact("reminder_talk", "2024-01-01"),
        fact("letter_inquiry", "2024-02-01"),
        fact("state_sanction.demerit", "2025-01-01"),
    ];
    let e = evaluate(book(), &facts, d("2024-06-30"));
    assert!(e.promotion.eligible_on_as_of);
    assert_eq!(e.measures[0].status, engine::MeasureStatus::NoPeriod);
    assert_eq!(e.measures[0].four_forms, Some(1));
    assert_eq!(e.measures[2].status, engine::MeasureStatus::NotYetEffective);
    assert_eq!(from(&facts, "2025-06-30"), Some(d("2026-01-02")));
}

/// The version in force on the event's date is cited.
#[test]
fn rules_in_force_on_the_event_date_are_cited() {
    let e = evaluate(book(), &[fact("state_sanction.warning", "2019-05-01")], d("2019-06-01"));
    assert!(e.measures[0].rule.unwrap().source.contains("行政机关公务员处分条例"));
    let e = evaluate(book(), &[fact("state_sanction.warning", "2021-05-01")], d("2021-06-01"));
    assert!(e.measures[0].rule.unwrap().source.contains("政务处分法"));
    let e = evaluate(book(), &[fact("party_sanction.warning", "2023-06-01")], d("2023-07-01"));
    assert!(e.measures[0].rule.unwrap().source.contains("2018年修订"));
    let e = evaluate(book(), &[fact("party_sanction.warning", "2024-06-01")], d("2024-07-01"));
    assert!(e.measures[0].rule.unwrap().source.contains("2023年修订"));
    // Before the organisational handling rules there is no rule: shown, not counted.
    let e = evaluate(book(), &[fact("org_handling.removal", "2020-01-10")], d("2020-07-01"));
    assert_eq!(e.measures[0].status, engine::MeasureStatus::NoRule);
    assert_eq!(e.notes.len(), 1);
}

#[test]
fn request_errors_name_the_field() {
    let bad = json!({"as_of": "2025-13-01", "measures": [
        {"kind": "state_sanction", "type": "reprimand", "effective": "2024-03-01"},
        {"kind": "party_sanction", "type": "probation", "effective": "2024-03-01"},
        {"kind": "gossip", "effective": "2024-03-01"},
        {"kind": "admonishment"},
        {"kind": "admonishment", "effective": "2024-03-01", "tolerence": "exempted"}
    ]});
    let err = parse_request(book(), &bad).unwrap_err();
    let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "as_of",
            "measures[0].type",
            "measures[1].probation_years",
            "measures[2].kind",
            "measures[3].effective",
            "measures[4].tolerence"
        ]
    );
    assert!(err.errors[1].message.contains("demerit（记过）"));
    assert!(err.errors[2].message.starts_with("第2项措施的察看年限"));
    assert!(parse_request(book(), &json!([])).is_err());
    assert!(parse_request(book(), &json!({"as_of": "2025-06-30"})).is_err());
    let ok = parse_request(
        book(),
        &json!({"as_of": "2025-06-30", "measures": [
            {"kind": "state_sanction", "type": "demerit", "effective": "2024-03-01", "tolerance": "exempted"},
            {"kind": "party_sanction", "type": "probation", "effective": "2024-03-01", "probation_years": 1}
        ]}),
    )
    .unwrap();
    assert_eq!(ok.measures.len(), 2);
    assert_eq!(ok.measures[0].tolerance, Some(Tolerance::Exempted));
}

fn arb_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..365 * 8).prop_map(|n| d("2021-07-01") + chrono::Duration::days(n))
}

fn arb_fact() -> impl Strategy<Value = MeasureFact> {
    let codes: Vec<MeasureCode> = MeasureCode::all().collect();
    (0..codes.len(), arb_date(), 1u32..=2, prop::bool::weighted(0.1)).prop_map(move |(i, eff, py, ex)| MeasureFact {
        code: codes[i],
        effective: eff,
        probation_years: (codes[i].code() == "party_sanction.probation").then_some(py),
        period_months: None,
        tolerance: ex.then_some(Tolerance::Exempted),
    })
}

fn rank(a: &Answer) -> Option<NaiveDate> {
    if a.never { Some(NaiveDate::MAX) } else { a.barred_until }
}

proptest! {
    #[test]
    fn months_then_days_round_trips(a in arb_date(), b in arb_date()) {
        let (from, to) = if a <= b { (a, b) } else { (b, a) };
        let (m, days) = months_then_days(from, to);
        prop_assert_eq!(extend(from, m, 0) + chrono::Duration::days(days as i64), to);
        prop_assert!(add_months(from, m + 1) > to);
    }

    /// Another measure never brings eligibility forward, and the answer on
    /// the day asked agrees with the date given.
    #[test]
    fn more_measures_never_help(facts in prop::collection::vec(arb_fact(), 0..6), extra in arb_fact(), as_of in arb_date()) {
        let before = evaluate(book(), &facts, as_of);
        let mut more = facts.clone();
        more.push(extra);
        let after = evaluate(book(), &more, as_of);
        for q in Question::ALL {
            prop_assert!(rank(after.answer(*q)) >= rank(before.answer(*q)), "{:?}", q);
            let a = after.answer(*q);
            prop_assert_eq!(a.eligible_on_as_of, !a.never && a.eligible_from.is_some_and(|f| f <= as_of));
        }
    }

    /// The state track never runs past 48 months from its latest sanction.
    #[test]
    fn state_track_is_capped(effs in prop::collection::vec((arb_date(), 0usize..5), 1..6)) {
        let types = ["warning", "demerit", "major_demerit", "grade_demotion", "dismissal_from_post"];
        let facts: Vec<MeasureFact> = effs.iter().map(|(e, t)| MeasureFact {
            code: MeasureCode::new(MeasureKind::StateSanction, Some(types[*t])).unwrap(),
            effective: *e, probation_years: None, period_months: None, tolerance: None,
        }).collect();
        let latest = facts.iter().map(|f| f.effective).max().unwrap();
        let e = evaluate(book(), &facts, latest);
        let end = e.tracks.iter().find(|t| t.track == Track::State).unwrap().last_day.unwrap();
        prop_assert!(end <= add_months(latest, 48));
    }
}
