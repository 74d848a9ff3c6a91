//! The audit trail's hash chain. Each event's hash covers its own fields and
//! the previous event's hash, so altering or removing a row breaks every later
//! link and `audit verify` can point at the first broken one.

use serde::Serialize;
use sha2::{Digest, Sha256};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hashed content of one event, exactly as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    pub seq: i64,
    /// RFC 3339 with microseconds and `Z`, the form both databases round-trip.
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
    /// Where the event belongs (the record's jurisdiction path) and, for a
    /// cadre's records, the cadre's management level. Hashed when present, so
    /// events from before scoped audit reads keep their hashes.
    pub scope_path: Option<String>,
    pub scope_level: Option<String>,
    pub prev_hash: String,
}

impl Link {
    /// Length-prefixed fields: no two different events encode to the same bytes.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |tag: &str, v: Option<&str>| {
            h.update(tag.as_bytes());
            match v {
                None => h.update(b"~;"),
                Some(s) => {
                    h.update(s.len().to_string().as_bytes());
                    h.update(b":");
                    h.update(s.as_bytes());
                    h.update(b";");
                }
            }
        };
        field("seq", Some(&self.seq.to_string()));
        field("at", Some(&self.at));
        field("actor_id", self.actor_id.as_deref());
        field("actor_name", Some(&self.actor_name));
        field("action", Some(&self.action));
        field("entity_type", Some(&self.entity_type));
        field("entity_id", self.entity_id.as_deref());
        field("before", self.before.as_deref());
        field("after", self.after.as_deref());
        field("request_id", self.request_id.as_deref());
        if self.scope_path.is_some() || self.scope_level.is_some() {
            field("scope_path", self.scope_path.as_deref());
            field("scope_level", self.scope_level.as_deref());
        }
        field("prev_hash", Some(&self.prev_hash));
        hex::encode(h.finalize())
    }
}

/// A stored event: its content and the hash it was stored with.
#[derive(Clone, Debug)]
pub struct StoredLink {
    pub link: Link,
    pub hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Break {
    /// A sequence number is missing: rows were removed.
    Gap { expected_seq: i64, found_seq: i64 },
    /// The row's content no longer matches its hash: it was altered.
    Altered { seq: i64 },
    /// The row does not point at the previous row's hash.
    Unlinked { seq: i64 },
    /// The chain ends before the recorded head: the newest rows were removed.
    Truncated { last_seq: i64, head_seq: i64 },
}

impl Break {
    pub fn message_zh(&self) -> String {
        match self {
            Break::Gap { expected_seq, found_seq } => {
                format!("第 {expected_seq} 号审计事件缺失（下一条为第 {found_seq} 号），记录被删除")
            }
            Break::Altered { seq } => format!("第 {seq} 号审计事件内容与其哈希不符，记录被篡改"),
            Break::Unlinked { seq } => format!("第 {seq} 号审计事件未指向上一条的哈希，链条断裂"),
            Break::Truncated { last_seq, head_seq } => {
                format!("审计链在第 {last_seq} 号结束，但链头记录为第 {head_seq} 号，最新记录被删除")
            }
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    checked: u64,
}

impl Verifier {
    pub fn new() -> Self {
        Self { expected_seq: 1, prev_hash: GENESIS_HASH.into(), checked: 0 }
    }

    /// Feeds events in sequence order; stops at the first break.
    pub fn feed(&mut self, s: &StoredLink) -> Result<(), Break> {
        let seq = s.link.seq;
        if seq != self.expected_seq {
            return Err(Break::Gap { expected_seq: self.expected_seq, found_seq: seq });
        }
        if s.link.hash() != s.hash {
            return Err(Break::Altered { seq });
        }
        if s.link.prev_hash != self.prev_hash {
            return Err(Break::Unlinked { seq });
        }
        self.prev_hash = s.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// Compares the end of the chain with the separately kept head.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<u64, Break> {
        let last = self.expected_seq - 1;
        if last != head_seq || (head_seq > 0 && self.prev_hash != head_hash) {
            return Err(Break::Truncated { last_seq: last, head_seq });
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredLink> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let link = Link {
                    seq,
                    at: format!("2026-01-01T00:00:{seq:02}.000000Z"),
                    actor_id: Some("u1".into()),
                    actor_name: "admin".into(),
                    action: "cadre.update".into(),
                    entity_type: "cadre".into(),
                    entity_id: Some(format!("c{seq}")),
                    before: Some("{\"name\":\"甲\"}".into()),
                    after: Some("{\"name\":\"乙\"}".into()),
                    request_id: None,
                    scope_path: (seq % 2 == 0).then(|| "/420000/".into()),
                    scope_level: None,
                    prev_hash: prev.clone(),
                };
                let hash = link.hash();
                prev = hash.clone();
                StoredLink { link, hash }
            })
            .collect()
    }

    fn verify(links: &[StoredLink], head: (i64, &str)) -> Result<u64, Break> {
        let mut v = Verifier::new();
        for l in links {
            v.feed(l)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, (5, &c[4].hash)), Ok(5));
        assert_eq!(verify(&[], (0, GENESIS_HASH)), Ok(0));
    }

    #[test]
    fn altered_removed_and_truncated_rows_are_found() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c[2].link.after = Some("{\"name\":\"丙\"}".into());
        assert_eq!(verify(&c, (5, &head)), Err(Break::Altered { seq: 3 }));

        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c, (5, &head)), Err(Break::Gap { expected_seq: 2, found_seq: 3 }));

        let c = chain(5);
        assert_eq!(verify(&c[..4], (5, &head)), Err(Break::Truncated { last_seq: 4, head_seq: 5 }));
    }

    #[test]
    fn recomputed_hash_still_breaks_the_next_link() {
        let mut c = chain(4);
        let head = c[3].hash.clone();
        c[1].link.actor_name = "mallory".into();
        c[1].hash = c[1].link.hash();
        assert_eq!(verify(&c, (4, &head)), Err(Break::Unlinked { seq: 3 }));
    }

    #[test]
    fn scope_is_covered_by_the_hash() {
        let a = chain(2).remove(1).link;
        let mut b = a.clone();
        b.scope_path = Some("/420000/420500/".into());
        assert_ne!(a.hash(), b.hash());
        let mut c = a.clone();
        c.scope_level = Some("city".into());
        assert_ne!(a.hash(), c.hash());
    }

    #[test]
    fn field_boundaries_matter() {
        let a = chain(1).remove(0).link;
        let mut b = a.clone();
        b.actor_name = "admincadre.update".into();
        b.action = String::new();
        assert_ne!(a.hash(), b.hash());
    }
}
