//! Search in the case library (以案释规). Chinese has no spaces, so text is
//! matched as overlapping character pairs (the CJK bigram approach): a query
//! matches a case where its pairs occur, weighted by how rare each pair is
//! across the library. Latin letters and digits form whole words. Cases are
//! scanned in one pass each, without an index to keep in step.

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

/// A term as a number: a CJK pair or a single character packs into 42 bits;
/// an ASCII word is hashed (FNV-1a) with the top bit set, so the two never meet.
fn code_of(t: &str) -> u64 {
    let cs: Vec<char> = t.chars().collect();
    match cs.as_slice() {
        [a] if is_cjk(*a) => *a as u64,
        [a, b] if is_cjk(*a) && is_cjk(*b) => ((*a as u64) << 21) | *b as u64,
        _ => {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for byte in t.bytes() {
                h = (h ^ byte as u64).wrapping_mul(0x0100_0000_01b3);
            }
            h | (1 << 63)
        }
    }
}

/// The query's terms worth matching: its pairs where it has any, else its characters.
fn query_codes(q: &str) -> Vec<u64> {
    let all = terms(q);
    let pairs: Vec<&String> = all.iter().filter(|t| t.chars().count() > 1).collect();
    let mut v: Vec<u64> = if pairs.is_empty() {
        all.iter().map(|t| code_of(t)).collect()
    } else {
        pairs.iter().map(|t| code_of(t)).collect()
    };
    v.sort_unstable();
    v.dedup();
    v
}

/// Which of the (few, sorted) query codes occur in a text, in one pass over
/// its characters and without allocating per character.
fn found_in(text: &str, q: &[u64], seen: &mut [bool]) {
    seen.iter_mut().for_each(|x| *x = false);
    let mut mark = |code: u64| {
        if let Ok(i) = q.binary_search(&code) {
            seen[i] = true;
        }
    };
    let mut prev: Option<char> = None;
    let mut word = String::new();
    for ch in text.chars() {
        if is_cjk(ch) {
            mark(ch as u64);
            if let Some(p) = prev {
                mark(((p as u64) << 21) | ch as u64);
            }
            prev = Some(ch);
        } else {
            prev = None;
        }
        if ch.is_ascii_alphanumeric() {
            word.push(ch.to_ascii_lowercase());
        } else if !word.is_empty() {
            mark(code_of(&word));
            word.clear();
        }
    }
    if !word.is_empty() {
        mark(code_of(&word));
    }
}

/// Scores texts for a query: the sum over the query's terms found in a text
/// of their inverse document frequency, times the share of query terms found.
/// Zero means no match; an empty query scores every text 1.
pub fn rank<S: AsRef<str>>(query: &str, docs: &[S]) -> Vec<f64> {
    let q = query_codes(query);
    if q.is_empty() {
        return vec![1.0; docs.len()];
    }
    let mut seen = vec![false; q.len()];
    let hits: Vec<Vec<bool>> = docs
        .iter()
        .map(|d| {
            found_in(d.as_ref(), &q, &mut seen);
            seen.clone()
        })
        .collect();
    let n = docs.len().max(1) as f64;
    let df: Vec<f64> = (0..q.len()).map(|i| hits.iter().filter(|h| h[i]).count() as f64).collect();
    hits.iter()
        .map(|h| {
            let found: Vec<usize> = (0..q.len()).filter(|i| h[*i]).collect();
            if found.is_empty() {
                return 0.0;
            }
            let idf: f64 = found.iter().map(|i| (1.0 + n / (1.0 + df[*i])).ln()).sum();
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
        let docs = ["镇里把河道分段承包给渔民养鱼", "招商引资中先行开工", "河道保洁由渔民负责"];
        let s = rank("河道承包", &docs);
        assert!(s[0] > s[2] && s[2] > 0.0 && s[1] == 0.0, "{s:?}");
        let s = rank("容缺审批", &docs);
        assert!(s.iter().all(|x| *x == 0.0));
        assert_eq!(rank("  ", &docs), vec![1.0; 3], "an empty query lists everything");
        assert!(rank("ABC", &["x abc y", "abd"])[0] > 0.0 && rank("ABC", &["x abc y", "abd"])[1] == 0.0);
    }
}
