//! Decision-letter PDF benchmark (run: `cargo bench -p dandang --bench documents`).
//!
//! Lays a 容错处理决定书 out on the GB/T 9704 grid and writes it as PDF with
//! the shipped font subset embedded, as `GET …/letter.pdf` does for every
//! download (nothing is cached). A one-page letter and a five-page one,
//! p50/p99 in milliseconds, and the file sizes.

use std::time::Instant;

use dandang_app::documents::{Letter, pdf};

fn letter(paragraphs: usize) -> Letter {
    Letter {
        title: "容错处理决定书".into(),
        doc_no: Some("宜纪容〔2026〕12号".into()),
        addressee: "张某同志（宜昌市发展和改革委员会）：".into(),
        paragraphs: (0..paragraphs)
            .map(|i| {
                format!(
                    "第{}段。关于你在2026年3月10日前后推进重点项目审批改革中出现的失误错误，经核查研判，\
                     该同志出于推动发展的公心，履行了集体决策程序，未谋取私利，并已主动采取补救措施挽回损失，\
                     符合《宜昌市容错纠错实施办法》规定的容缺审批情形。",
                    i + 1
                )
            })
            .collect(),
        issuer: "宜昌市纪委监委".into(),
        date: "2026年11月20日".into(),
        copies: Some("抄送：容错对象所在单位党组织、纪检监察机关、组织人事部门、巡察机构、审计部门。".into()),
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    for (label, paragraphs) in [("one page", 3usize), ("five pages", 28)] {
        let l = letter(paragraphs);
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..50 {
            let t = Instant::now();
            let b = pdf(&l).expect("pdf");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            size = b.len();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label:>10}: p50 {:.1} ms, p99 {:.1} ms per letter, {} KB",
            pct(&times, 0.5),
            pct(&times, 0.99),
            size / 1024
        );
    }
}
