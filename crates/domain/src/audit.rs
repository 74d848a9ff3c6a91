//! The audit trail's hash chain. Each event's hash covers its own fields and
//! the previous event's hash, so altering or removing a row breaks every later
//! link and `audit verify` can point at the first broken one.
//!
//! A chain alone is no proof against someone who can write the database:
//! they can recompute every hash after an edit, or cut the newest rows and
//! set the head back. So each event also carries a MAC of its hash under a
//! key the database never holds, and the head is anchored periodically in
//! signed lines written outside the database (docs/audit.md).

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
    /// HMAC of `hash` under the chain key (absent on events from before
    /// events were keyed).
    pub mac: Option<String>,
}

/// HMAC-SHA-256 (RFC 2104), hex.
pub fn mac(key: &[u8], msg: &[u8]) -> String {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(msg).finalize();
    hex::encode(Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize())
}

/// The key of the chain's MACs and anchors, derived from the deployment's
/// audit key so that one secret file serves both (and neither MAC can stand
/// in for the other).
pub fn chain_key(audit_key: &[u8]) -> Vec<u8> {
    hex::decode(mac(audit_key, b"dandang audit chain v1")).unwrap_or_default()
}

/// The MAC an event stores beside its hash.
pub fn event_mac(key: &[u8], seq: i64, hash: &str) -> String {
    mac(key, format!("event|{seq}|{hash}").as_bytes())
}

/// A signed statement, kept outside the database, that the chain had reached
/// `seq` with `hash`, and that every event from `keyed_from` on is keyed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
    pub keyed_from: i64,
    pub at: String,
}

impl Anchor {
    fn signed_part(&self) -> String {
        format!("1 {} {} {} {}", self.seq, self.hash, self.keyed_from, self.at)
    }

    /// One line of the anchor file.
    pub fn line(&self, key: &[u8]) -> String {
        let body = self.signed_part();
        let m = mac(key, format!("anchor|{body}").as_bytes());
        format!("{body} {m}")
    }

    /// A line read back; `None` when it is malformed or its signature does
    /// not hold (an edited or invented anchor).
    pub fn parse(line: &str, key: &[u8]) -> Option<Anchor> {
        let f: Vec<&str> = line.split(' ').collect();
        let [v, seq, hash, keyed_from, at, m] = f.as_slice() else { return None };
        let a = Anchor {
            seq: seq.parse().ok()?,
            hash: hash.to_string(),
            keyed_from: keyed_from.parse().ok()?,
            at: at.to_string(),
        };
        (*v == "1" && mac(key, format!("anchor|{}", a.signed_part()).as_bytes()) == *m).then_some(a)
    }
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
    /// A keyed event whose MAC is missing or wrong: its hash was recomputed
    /// by someone without the key.
    Forged { seq: i64 },
    /// The event an anchor vouches for has another hash: the chain was
    /// rewritten up to or past that point.
    Rewritten { seq: i64 },
    /// The chain ends before an anchored event: rows and head were cut back.
    BelowAnchor { last_seq: i64, anchor_seq: i64 },
    /// A line of the anchor file that is malformed or not signed with the key.
    BadAnchor { line: usize },
    /// A row the database cannot hand back as an event (a damaged time or
    /// field).
    Unreadable { seq: i64 },
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
            Break::Forged { seq } => {
                format!("第 {seq} 号审计事件的密钥校验码缺失或不符：其哈希被不持有密钥的人重新计算过，记录被篡改")
            }
            Break::Rewritten { seq } => {
                format!("第 {seq} 号审计事件与库外锚点记录的哈希不符：此前的审计链被改写")
            }
            Break::BelowAnchor { last_seq, anchor_seq } => {
                format!("审计链在第 {last_seq} 号结束，但库外锚点已记录到第 {anchor_seq} 号：最新记录连同链头被删除")
            }
            Break::BadAnchor { line } => format!("锚点文件第 {line} 行格式错误或签名不符：锚点文件被改动"),
            Break::Unreadable { seq } => format!("第 {seq} 号审计事件无法读取（时间或字段已损坏），记录被篡改"),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    checked: u64,
    key: Option<Vec<u8>>,
    /// From this seq on every event must carry a valid MAC.
    keyed_from: i64,
    /// Anchored hashes by seq, and the highest anchored seq.
    anchors: std::collections::BTreeMap<i64, String>,
}

impl Verifier {
    /// The chain alone (no key): only what a hash chain can show.
    pub fn new() -> Self {
        Self { expected_seq: 1, prev_hash: GENESIS_HASH.into(), keyed_from: i64::MAX, ..Default::default() }
    }

    /// With the key and the anchors: a MAC is checked wherever one is stored,
    /// required from the anchors' `keyed_from` on (and after any keyed
    /// event, so MACs cannot be stripped from the newest rows), and every
    /// anchored event must still have its anchored hash.
    pub fn keyed(key: &[u8], anchors: &[Anchor]) -> Self {
        Self {
            key: Some(key.to_vec()),
            keyed_from: anchors.iter().map(|a| a.keyed_from).min().unwrap_or(i64::MAX),
            anchors: anchors.iter().map(|a| (a.seq, a.hash.clone())).collect(),
            ..Self::new()
        }
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
        if let Some(key) = &self.key {
            match &s.mac {
                Some(m) if *m == event_mac(key, seq, &s.hash) => self.keyed_from = self.keyed_from.min(seq),
                Some(_) => return Err(Break::Forged { seq }),
                None if seq >= self.keyed_from => return Err(Break::Forged { seq }),
                None => {}
            }
        }
        if self.anchors.get(&seq).is_some_and(|h| *h != s.hash) {
            return Err(Break::Rewritten { seq });
        }
        self.prev_hash = s.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// Compares the end of the chain with the separately kept head.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<u64, Break> {
        let last = self.expected_seq - 1;
        if let Some((&anchor_seq, _)) = self.anchors.iter().next_back()
            && anchor_seq > last
        {
            return Err(Break::BelowAnchor { last_seq: last, anchor_seq });
        }
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
                let mac = Some(event_mac(KEY, seq, &hash));
                StoredLink { link, hash, mac }
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

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn anchor(c: &[StoredLink], seq: i64) -> Anchor {
        Anchor { seq, hash: c[seq as usize - 1].hash.clone(), keyed_from: 1, at: "2026-01-01T00:00:00Z".into() }
    }

    fn verify_keyed(links: &[StoredLink], anchors: &[Anchor], head: (i64, &str)) -> Result<u64, Break> {
        let mut v = Verifier::keyed(KEY, anchors);
        for l in links {
            v.feed(l)?;
        }
        v.finish(head.0, head.1)
    }

    /// The three forgeries a plain chain misses, by someone who can write
    /// the database but does not hold the key.
    #[test]
    fn careful_forgeries_are_found_with_the_key_and_anchors() {
        let c = chain(6);
        let anchors = [anchor(&c, 2), anchor(&c, 4)];
        assert_eq!(verify_keyed(&c, &anchors, (6, &c[5].hash)), Ok(6));
        // 1. The newest rows deleted and the head set back.
        assert_eq!(
            verify_keyed(&c[..3], &anchors, (3, &c[2].hash)),
            Err(Break::BelowAnchor { last_seq: 3, anchor_seq: 4 })
        );
        // 2. A row edited and every later hash recomputed (MACs cannot be).
        let mut f = c.clone();
        f[4].link.actor_name = "mallory".into();
        let mut prev = f[3].hash.clone();
        for l in f.iter_mut().skip(4) {
            l.link.prev_hash = prev.clone();
            l.hash = l.link.hash();
            prev = l.hash.clone();
        }
        assert_eq!(verify_keyed(&f, &anchors, (6, &prev)), Err(Break::Forged { seq: 5 }));
        // ... nor stripped to pass for events from before keying.
        for l in f.iter_mut() {
            l.mac = None;
        }
        assert_eq!(verify_keyed(&f, &anchors, (6, &prev)), Err(Break::Forged { seq: 1 }));
        // 3. A row deleted, the rest renumbered and rehashed from genesis: the
        //    anchored hashes no longer match.
        let mut g: Vec<StoredLink> = c.iter().filter(|l| l.link.seq != 2).cloned().collect();
        let mut prev = GENESIS_HASH.to_string();
        for (i, l) in g.iter_mut().enumerate() {
            l.link.seq = i as i64 + 1;
            l.link.prev_hash = prev.clone();
            l.hash = l.link.hash();
            l.mac = None;
            prev = l.hash.clone();
        }
        let legacy = [Anchor { keyed_from: i64::MAX, ..anchor(&c, 2) }];
        assert_eq!(verify_keyed(&g, &legacy, (5, &prev)), Err(Break::Rewritten { seq: 2 }));
    }

    #[test]
    fn anchor_lines_are_signed() {
        let c = chain(3);
        let a = anchor(&c, 3);
        let line = a.line(KEY);
        assert_eq!(Anchor::parse(&line, KEY), Some(a.clone()));
        assert_eq!(Anchor::parse(&line.replacen(" 3 ", " 9 ", 1), KEY), None);
        assert_eq!(Anchor::parse(&line, b"another key of the same length.."), None);
        assert_eq!(Anchor::parse("garbage", KEY), None);
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
