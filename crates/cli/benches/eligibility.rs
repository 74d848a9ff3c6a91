//! Eligibility benchmarks (run: `cargo bench -p dandang --bench eligibility`).
//!
//! 1. One cadre with a typical record (a state demerit, a party serious
//!    warning inside it, an admonishment): p50/p99 of the full evaluation with
//!    reasons, in microseconds, in-process.
//! 2. A pass over 1,000,000 generated cadres with 1–4 measures each, split
//!    over both cores: wall-clock seconds, with the same engine.
//!
//! The rules come from the shipped national pack, as in production.

use std::time::Instant;

use chrono::NaiveDate;
use dandang_app::{Config, PolicyState};
use dandang_demo::Rng;
use dandang_domain::measures::{MeasureCode, MeasureFact, Tolerance, evaluate};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn fact(code: &str, eff: NaiveDate) -> MeasureFact {
    MeasureFact {
        code: MeasureCode::parse(code).expect("code"),
        effective: eff,
        probation_years: (code == "party_sanction.probation").then_some(1),
        period_months: None,
        tolerance: None,
    }
}

fn pct(sorted: &[u128], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0
}

fn main() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cfg = Config { policy_dir: Some(root.join("policy")), ..Config::default() };
    let policy = PolicyState::load(&cfg).expect("packs load");
    let book = policy.default_book();
    let as_of = d("2025-06-30");

    // 1. One cadre.
    let one = vec![
        fact("state_sanction.demerit", d("2024-03-01")),
        fact("party_sanction.serious_warning", d("2024-07-15")),
        fact("admonishment", d("2024-10-01")),
    ];
    for _ in 0..10_000 {
        std::hint::black_box(evaluate(book, &one, as_of));
    }
    let n = 200_000;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let e = evaluate(book, std::hint::black_box(&one), as_of);
        std::hint::black_box(&e);
        drop(e);
        times.push(t.elapsed().as_nanos());
    }
    times.sort_unstable();
    println!(
        "| one cadre, 3 measures, full answer with reasons | p50 {:.2} µs | p99 {:.2} µs |",
        pct(&times, 0.5),
        pct(&times, 0.99)
    );

    // 2. A million cadres.
    let codes: Vec<MeasureCode> = MeasureCode::all().filter(|c| !c.kind.targets_organization()).collect();
    let mut rng = Rng(2026);
    let base = d("2019-01-01");
    let t = Instant::now();
    let population: Vec<Vec<MeasureFact>> = (0..1_000_000)
        .map(|_| {
            let k = 1 + (rng.next_u64() % 4) as usize;
            (0..k)
                .map(|_| {
                    let code = codes[(rng.next_u64() % codes.len() as u64) as usize];
                    let mut f = MeasureFact {
                        code,
                        effective: base + chrono::Duration::days((rng.next_u64() % 2370) as i64),
                        probation_years: (code.code() == "party_sanction.probation")
                            .then_some(1 + (rng.next_u64() % 2) as u32),
                        period_months: None,
                        tolerance: None,
                    };
                    if rng.next_u64().is_multiple_of(20) {
                        f.tolerance = Some(Tolerance::Exempted);
                    }
                    f
                })
                .collect()
        })
        .collect();
    let measures: usize = population.iter().map(Vec::len).sum();
    println!("generated 1,000,000 cadres with {measures} measures in {:.2} s", t.elapsed().as_secs_f64());

    for threads in [1usize, 2] {
        let t = Instant::now();
        let barred: usize = std::thread::scope(|s| {
            let chunk = population.len().div_ceil(threads);
            let handles: Vec<_> = population
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter().filter(|f| !evaluate(book, f, as_of).promotion.eligible_on_as_of).count()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("thread")).sum()
        });
        println!(
            "| 1,000,000 cadres ({measures} measures), {threads} thread(s) | {:.3} s | {barred} barred on {as_of} |",
            t.elapsed().as_secs_f64()
        );
    }
}
