//! Search in the case library (以案释规). Chinese has no spaces, so text is
//! indexed as overlapping character pairs (the CJK bigram approach): a query
//! matches a case where its pairs occur, weighted by how rare each pair is
//! across the library. Latin letters and digits form whole words.

use std::collections::{BTreeMap, BTreeSet};

/// Index terms of a text: CJK character bigrams (and single characters, so a
/// one-character query still finds something), lower-cased ASCII words.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
        for c in run.iter() {
            out.push(c.to_string());
        }
        for w in run.windows(2) {
            out.push(w.iter().collect());
        }
        run.clear();
    };
    for ch in text.chars() {
        if is_cjk(ch) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            run.push(ch);
        } else if ch.is_alphanumeric() {
            flush_run(&mut run, &mut out);
            word.extend(ch.to_lowercase());
        } else {
            flush_run(&mut run, &mut out);
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    flush_run(&mut run, &mut out);
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF)
}

/// The query's terms worth matching: its bigrams where it has any, else its characters.
fn query_terms(q: &str) -> BTreeSet<String> {
    let all = terms(q);
    let pairs: BTreeSet<String> = all.iter().filter(|t| t.chars().count() > 1).cloned().collect();
    if pairs.is_empty() { all.into_iter().collect() } else { pairs }
}

/// Scores documents (each a list of terms) for a query: the sum over the
/// query's terms found in a document of their inverse document frequency,
/// times the share of query terms found. Zero means no match.
pub fn rank(query: &str, docs: &[Vec<String>]) -> Vec<f64> {
    let q = query_terms(query);
    if q.is_empty() {
        return vec![1.0; docs.len()];
    }
    let sets: Vec<BTreeSet<&str>> = docs.iter().map(|d| d.iter().map(String::as_str).collect()).collect();
    let n = docs.len().max(1) as f64;
    let mut df: BTreeMap<&str, f64> = BTreeMap::new();
    for t in &q {
        df.insert(t, sets.iter().filter(|s| s.contains(t.as_str())).count() as f64);
    }
    sets.iter()
        .map(|s| {
            let found: Vec<&String> = q.iter().filter(|t| s.contains(t.as_str())).collect();
            if found.is_empty() {
                return 0.0;
            }
            let idf: f64 = found.iter().map(|t| (1.0 + n / (1.0 + df[t.as_str()])).ln()).sum();
            idf * found.len() as f64 / q.len() as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_indexed_as_pairs() {
        let t = terms("河道承包，ABC 2019年");
        assert!(t.contains(&"河道".to_string()) && t.contains(&"道承".to_string()) && t.contains(&"承包".to_string()));
        assert!(t.contains(&"abc".to_string()) && t.contains(&"2019".to_string()));
        assert!(!t.contains(&"包，".to_string()), "punctuation breaks pairs");
    }

    #[test]
    fn the_closer_match_ranks_first() {
        let docs: Vec<Vec<String>> = ["镇里把河道分段承包给渔民养鱼", "招商引资中先行开工", "河道保洁由渔民负责"]
            .iter()
            .map(|d| terms(d))
            .collect();
        let s = rank("河道承包", &docs);
        assert!(s[0] > s[2] && s[2] > 0.0 && s[1] == 0.0, "{s:?}");
        let s = rank("容缺审批", &docs);
        assert!(s.iter().all(|x| *x == 0.0));
        assert_eq!(rank("  ", &docs), vec![1.0; 3], "an empty query lists everything");
    }
}
