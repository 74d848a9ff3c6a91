//! Registry benchmarks (run: `cargo bench -p dandang --bench registry`).
//!
//! 1. Import of a generated 100,000-row roster (.xlsx): validation, then the
//!    all-or-nothing commit, through the same use cases as the UI and API.
//! 2. Cadre search over the resulting 100,000+ cadres: p50/p95/p99 of the
//!    list use case for a mix of name, pinyin, initials and filter queries,
//!    as the administrator (whole deployment) and as a city department.
//!
//! Runs on SQLite (temporary file) and, when DANDANG_TEST_POSTGRES is set, on
//! PostgreSQL (a fresh database). Results are printed as Markdown rows for
//! docs/benchmarks.md.

use std::time::{Duration, Instant};

use dandang_app::{App, Config, config::PackRule, imports::ImportKind, registry::cadres::CadreQuery};
use rust_xlsxwriter::Workbook;
use sqlx::Connection;

const ROWS: usize = 100_000;

fn config(db: String) -> Config {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut c = Config { db_url: db, policy_dir: Some(root.join("policy")), ..Config::default() };
    c.password_hash = dandang_app::config::HashCost::for_tests();
    c.upload_max_bytes = 64 * 1024 * 1024;
    c.policy.pack = "cn-hb".into();
    c.policy.by_jurisdiction = vec![PackRule { code_prefix: "4205".into(), pack: "cn-hb-yc".into() }];
    c
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "军", "敏", "强", "静", "磊", "丽", "洋", "艳", "勇", "娟", "涛", "霞", "明", "建国", "志强", "晓燕",
    "海波", "文静",
];

fn roster(units: &[String]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let headers = [
        "姓名",
        "性别",
        "出生日期",
        "公民身份号码",
        "民族",
        "学历",
        "工作单位",
        "现任职务",
        "职务层次",
        "正副职",
        "任现职时间",
        "管理权限",
        "经历标签",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let mut seed = 42u64;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        seed >> 33
    };
    for i in 0..ROWS {
        let r = i as u32 + 1;
        let male = next() % 4 != 0;
        let name = format!("{}{}", SURNAMES[(next() % 20) as usize], GIVEN[(next() % 20) as usize]);
        let (y, m, d) = (1966 + (next() % 32) as i32, 1 + (next() % 12) as u32, 1 + (next() % 28) as u32);
        let body =
            format!("{:06}{y:04}{m:02}{d:02}{:03}", 990000 + (i / 500) as u32, (i % 500) * 2 + usize::from(male));
        let id = dandang_domain::registry::IdNumber::from_body(&body).unwrap();
        let row = [
            name,
            if male { "男" } else { "女" }.to_string(),
            format!("{y}-{m:02}-{d:02}"),
            id.as_str().to_string(),
            "汉族".into(),
            "大学本科".into(),
            units[i % units.len()].clone(),
            "副科长".into(),
            "乡科级".into(),
            "副职".into(),
            "2021-03-01".into(),
            ["市管", "县管"][i % 2].into(),
            if i % 3 == 0 { "基层工作经历".into() } else { String::new() },
        ];
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, c as u16, v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

async fn bench(backend: &str, url: String) {
    let app = App::open(config(url)).await.expect("open");
    dandang_demo::load(&app).await.expect("demo");
    let admin = dandang_app::users::actor_by_name(&app, "admin").await.unwrap();
    let city = dandang_app::users::actor_by_name(&app, "yc_ganbu").await.unwrap();
    let units: Vec<String> = dandang_app::registry::units::list(
        &app,
        &admin,
        &dandang_app::registry::units::UnitQuery {
            jurisdiction: Some("420500".into()),
            per_page: Some(200),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .map(|u| u.name)
    .collect();
    let file = roster(&units);
    let t = Instant::now();
    let report =
        dandang_app::imports::validate(&app, &admin, ImportKind::Cadres, "bench.xlsx", file.clone()).await.unwrap();
    let validate = t.elapsed();
    assert!(report.ok, "{:?}", &report.problems[..report.problems.len().min(5)]);
    let t = Instant::now();
    let done = dandang_app::imports::commit(&app, &admin, report.batch_id.unwrap()).await.unwrap();
    let commit = t.elapsed();
    assert_eq!(done.committed, ROWS);
    println!(
        "| {backend} | import {ROWS} rows ({:.1} MB .xlsx) | validate {:.1} s | commit {:.1} s | total {:.1} s | {:.0} rows/s |",
        file.len() as f64 / 1e6,
        validate.as_secs_f64(),
        commit.as_secs_f64(),
        (validate + commit).as_secs_f64(),
        ROWS as f64 / (validate + commit).as_secs_f64()
    );

    let queries: Vec<(&str, CadreQuery)> = vec![
        ("name, one character", CadreQuery { q: Some("王".into()), ..Default::default() }),
        ("full name", CadreQuery { q: Some("张伟".into()), ..Default::default() }),
        ("pinyin prefix", CadreQuery { q: Some("zhangwei".into()), ..Default::default() }),
        ("initials", CadreQuery { q: Some("lj".into()), ..Default::default() }),
        (
            "filter: tier + level",
            CadreQuery { tier: Some("县处级".into()), level: Some("正职".into()), ..Default::default() },
        ),
        (
            "filter: tag + age",
            CadreQuery {
                tag: Some("experience_tag.grassroots".into()),
                age_min: Some("40".into()),
                age_max: Some("50".into()),
                ..Default::default()
            },
        ),
        ("no filter, page 50", CadreQuery { page: Some(50), ..Default::default() }),
    ];
    let mut all = Vec::new();
    for (who, actor) in [("admin", &admin), ("city department", &city)] {
        for (label, q) in &queries {
            let mut times = Vec::new();
            let mut total = 0;
            for _ in 0..40 {
                let t = Instant::now();
                let page = dandang_app::registry::cadres::list(&app, actor, q).await.unwrap();
                times.push(t.elapsed());
                total = page.total;
            }
            all.extend(times.iter().copied());
            println!(
                "| {backend} | search as {who}: {label} | {total} hits | p50 {:.1} ms | p95 {:.1} ms |",
                pct(&mut times, 0.5),
                pct(&mut times, 0.95)
            );
        }
    }
    println!(
        "| {backend} | search, all {} calls | | p50 {:.1} ms | p95 {:.1} ms | p99 {:.1} ms |",
        all.len(),
        pct(&mut all, 0.5),
        pct(&mut all, 0.95),
        pct(&mut all, 0.99)
    );
    app.db().clone().close().await;
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = match std::env::var("DANDANG_BENCH_KEEP") {
        Ok(_) => std::path::PathBuf::from("/tmp/dandang-bench.db"),
        Err(_) => dir.path().join("bench.db"),
    };
    let _ = std::fs::remove_file(&file);
    bench("SQLite", format!("sqlite://{}", file.display())).await;
    if let Ok(admin) = std::env::var("DANDANG_TEST_POSTGRES") {
        let name = format!("dandang_bench_{}", uuid::Uuid::now_v7().simple());
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut c).await.unwrap();
        let base = admin.rsplit_once('/').unwrap().0.to_string();
        bench("PostgreSQL", format!("{base}/{name}")).await;
        if std::env::var("DANDANG_BENCH_KEEP").is_ok() {
            eprintln!("kept {base}/{name}");
        } else {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
}
