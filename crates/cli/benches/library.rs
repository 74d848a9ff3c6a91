//! Case-library search benchmark (run: `cargo bench -p dandang --bench library`).
//!
//! The library is ranked in memory on every search: one pass over each case's
//! characters marks which of the query's CJK pairs occur, then a
//! rarity-weighted score. This measures one search over 1,000 and 10,000
//! generated cases of realistic length (about 260 characters), as in
//! production, p50/p99 in milliseconds.

use std::time::Instant;

use dandang_demo::Rng;
use dandang_domain::tolerance::library::rank;

const WORDS: &[&str] = &[
    "项目",
    "审批",
    "容缺",
    "受理",
    "河道",
    "承包",
    "渔民",
    "补贴",
    "招商",
    "开工",
    "土地",
    "出让",
    "应急",
    "采购",
    "改革",
    "试点",
    "资金",
    "拨付",
    "整改",
    "审计",
    "程序",
    "瑕疵",
    "集体",
    "决策",
    "损失",
    "挽回",
    "企业",
    "材料",
    "补正",
    "投诉",
    "群众",
    "满意",
    "政策",
    "调整",
    "风险",
    "评估",
    "监管",
    "新业态",
    "职责",
    "衔接",
];

fn case(rng: &mut Rng) -> String {
    (0..120).map(|_| WORDS[(rng.next_u64() % WORDS.len() as u64) as usize]).collect::<Vec<_>>().join("")
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let mut rng = Rng(7);
    for n in [1_000usize, 10_000] {
        let library: Vec<String> = (0..n).map(|_| case(&mut rng)).collect();
        let mut times = Vec::new();
        for q in ["河道承包", "容缺审批补正延迟", "应急采购价格", "新业态监管失误", "土地出让程序瑕疵"]
            .iter()
            .cycle()
            .take(20)
        {
            let t = Instant::now();
            let scores = rank(q, &library);
            std::hint::black_box(scores);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!("library of {n:>6} cases: p50 {:.1} ms, p99 {:.1} ms per search", pct(&times, 0.5), pct(&times, 0.99));
    }
}
