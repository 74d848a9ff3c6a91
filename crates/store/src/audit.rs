//! Appending to and verifying the hash-chained audit trail.

use chrono::{DateTime, SubsecRound, Utc};
use dandang_domain::audit::{Anchor, Break, Link, StoredLink, Verifier};
use dandang_domain::{access::Scope, registry::ManagedBy};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    prelude::Expr, sea_query::Condition,
};
use uuid::Uuid;

use crate::{
    entity::{audit_event, audit_head, audit_pending},
    error::Result,
    registry::like_prefix,
};

/// What happened, before it gets its place in the chain.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
    /// Where the event belongs: see `audit_event::Model::scope_path`.
    pub scope_path: Option<String>,
    pub scope_level: Option<String>,
}

pub fn at_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Records an event inside the caller's transaction, so the event exists
/// exactly when the change it records does. It waits in `audit_pending` for
/// `link` to give it its place in the chain: the write's commit never queues
/// behind the chain head.
pub async fn enqueue(tx: &impl ConnectionTrait, e: NewEvent) -> Result<()> {
    audit_pending::Entity::insert(pending_row(e)).exec_without_returning(tx).await?;
    Ok(())
}

fn pending_row(e: NewEvent) -> audit_pending::ActiveModel {
    audit_pending::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now().trunc_subsecs(6)),
        actor_id: Set(e.actor_id),
        actor_name: Set(e.actor_name),
        action: Set(e.action),
        entity_type: Set(e.entity_type),
        entity_id: Set(e.entity_id),
        before: Set(e.before),
        after: Set(e.after),
        request_id: Set(e.request_id),
        scope_path: Set(e.scope_path),
        scope_level: Set(e.scope_level),
    }
}

/// Whether any committed event waits to be linked (a cheap look before a
/// linker takes the write lock).
pub async fn any_pending(c: &impl ConnectionTrait) -> Result<bool> {
    Ok(audit_pending::Entity::find()
        .select_only()
        .column(audit_pending::Column::Id)
        .limit(1)
        .into_tuple::<Uuid>()
        .one(c)
        .await?
        .is_some())
}

/// Most pending events one linking transaction takes.
pub const LINK_BATCH: u64 = 1000;

/// The sequencer's step, in the caller's write transaction: takes the chain
/// head (the row lock serializes linkers of every process on PostgreSQL;
/// SQLite's writers are serialized by BEGIN IMMEDIATE), appends up to
/// `LINK_BATCH` pending events in the order they were recorded and then
/// `direct` (events recorded by this very transaction, such as sensitive
/// reads), and moves the head. Returns how many pending events it linked.
pub async fn link(tx: &impl ConnectionTrait, chain_key: &[u8], direct: Vec<NewEvent>) -> Result<u64> {
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::Seq, Expr::col(audit_head::Column::Seq))
        .filter(audit_head::Column::Id.eq(1))
        .exec(tx)
        .await?;
    let head = audit_head::Entity::find_by_id(1)
        .one(tx)
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("audit_head".into()))?;
    let pending =
        audit_pending::Entity::find().order_by_asc(audit_pending::Column::Id).limit(LINK_BATCH).all(tx).await?;
    let taken: Vec<Uuid> = pending.iter().map(|p| p.id).collect();
    let n = taken.len() as u64;
    let now = Utc::now().trunc_subsecs(6);
    let direct = direct.into_iter().map(|e| audit_pending::Model {
        id: Uuid::now_v7(),
        at: now,
        actor_id: e.actor_id,
        actor_name: e.actor_name,
        action: e.action,
        entity_type: e.entity_type,
        entity_id: e.entity_id,
        before: e.before,
        after: e.after,
        request_id: e.request_id,
        scope_path: e.scope_path,
        scope_level: e.scope_level,
    });
    let (mut seq, mut prev) = (head.seq, head.hash);
    let mut rows = Vec::with_capacity(taken.len());
    for p in pending.into_iter().chain(direct) {
        seq += 1;
        let link = Link {
            seq,
            at: at_text(p.at),
            actor_id: p.actor_id.map(|u| u.to_string()),
            actor_name: p.actor_name.clone(),
            action: p.action.clone(),
            entity_type: p.entity_type.clone(),
            entity_id: p.entity_id.clone(),
            before: p.before.clone(),
            after: p.after.clone(),
            request_id: p.request_id.clone(),
            scope_path: p.scope_path.clone(),
            scope_level: p.scope_level.clone(),
            prev_hash: prev.clone(),
        };
        let hash = link.hash();
        let mac = dandang_domain::audit::event_mac(chain_key, seq, &hash);
        rows.push(audit_event::ActiveModel {
            id: Set(p.id),
            seq: Set(seq),
            at: Set(p.at),
            actor_id: Set(p.actor_id),
            actor_name: Set(p.actor_name),
            action: Set(p.action),
            entity_type: Set(p.entity_type),
            entity_id: Set(p.entity_id),
            before: Set(p.before),
            after: Set(p.after),
            request_id: Set(p.request_id),
            scope_path: Set(p.scope_path),
            scope_level: Set(p.scope_level),
            prev_hash: Set(std::mem::replace(&mut prev, hash.clone())),
            hash: Set(hash),
            mac: Set(Some(mac)),
        });
    }
    if rows.is_empty() {
        return Ok(0);
    }
    // Bounded statements: a row has 16 values, SQLite allows 32,766.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        audit_event::Entity::insert_many(chunk).exec_without_returning(tx).await?;
    }
    for chunk in taken.chunks(500) {
        audit_pending::Entity::delete_many()
            .filter(audit_pending::Column::Id.is_in(chunk.iter().copied()))
            .exec(tx)
            .await?;
    }
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::Seq, Expr::value(seq))
        .col_expr(audit_head::Column::Hash, Expr::value(prev))
        .filter(audit_head::Column::Id.eq(1))
        .exec(tx)
        .await?;
    Ok(n)
}

/// A stored row as the chain sees it.
pub fn to_link(m: &audit_event::Model) -> StoredLink {
    StoredLink {
        link: Link {
            seq: m.seq,
            at: at_text(m.at),
            actor_id: m.actor_id.map(|u| u.to_string()),
            actor_name: m.actor_name.clone(),
            action: m.action.clone(),
            entity_type: m.entity_type.clone(),
            entity_id: m.entity_id.clone(),
            before: m.before.clone(),
            after: m.after.clone(),
            request_id: m.request_id.clone(),
            scope_path: m.scope_path.clone(),
            scope_level: m.scope_level.clone(),
            prev_hash: m.prev_hash.clone(),
        },
        hash: m.hash.clone(),
        mac: m.mac.clone(),
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct VerifyReport {
    pub checked: u64,
    pub head_seq: i64,
    pub broken: Option<Break>,
}

/// The seq and head of the chain as committed, for an anchor.
pub async fn head(c: &impl ConnectionTrait) -> Result<(i64, String)> {
    let head = audit_head::Entity::find_by_id(1)
        .one(c)
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("audit_head".into()))?;
    Ok((head.seq, head.hash))
}

/// Makes every committed transaction durable before an anchor names it: on
/// SQLite a passive checkpoint syncs the WAL; PostgreSQL commits are durable
/// with `synchronous_commit = on` (its default).
pub async fn make_durable(db: &crate::Db) -> Result<()> {
    if db.backend == crate::Backend::Sqlite {
        db.read().execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await?;
    }
    Ok(())
}

/// The first seq whose event carries a MAC (where keying began).
pub async fn first_keyed(c: &impl ConnectionTrait) -> Result<Option<i64>> {
    let first = audit_event::Entity::find()
        .filter(audit_event::Column::Mac.is_not_null())
        .order_by_asc(audit_event::Column::Seq)
        .select_only()
        .column(audit_event::Column::Seq)
        .into_tuple::<i64>()
        .one(c)
        .await?;
    Ok(first)
}

/// A page of events after `after_seq`. A page the database cannot decode
/// (a damaged time, say) is read again row by row, so the damaged row is
/// named instead of failing the whole walk.
async fn page_after(
    c: &impl ConnectionTrait,
    after_seq: i64,
    upto: i64,
) -> Result<std::result::Result<Vec<audit_event::Model>, i64>> {
    let q = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.gt(after_seq))
        .filter(audit_event::Column::Seq.lte(upto))
        .order_by_asc(audit_event::Column::Seq)
        .limit(2000);
    if let Ok(page) = q.all(c).await {
        return Ok(Ok(page));
    }
    let seqs: Vec<i64> = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.gt(after_seq))
        .filter(audit_event::Column::Seq.lte(upto))
        .order_by_asc(audit_event::Column::Seq)
        .limit(2000)
        .select_only()
        .column(audit_event::Column::Seq)
        .into_tuple::<i64>()
        .all(c)
        .await?;
    let mut page = Vec::with_capacity(seqs.len());
    for seq in seqs {
        match audit_event::Entity::find().filter(audit_event::Column::Seq.eq(seq)).one(c).await {
            Ok(Some(m)) => page.push(m),
            Ok(None) => {}
            Err(_) => return Ok(Err(seq)),
        }
    }
    Ok(Ok(page))
}

/// Walks the whole chain in pages; stops at the first broken link. With the
/// chain key and the anchors, MACs and anchored hashes are checked too.
pub async fn verify(c: &impl ConnectionTrait, keyed: Option<(&[u8], &[Anchor])>) -> Result<VerifyReport> {
    let (head_seq, head_hash) = head(c).await?;
    let mut v = match keyed {
        Some((key, anchors)) => Verifier::keyed(key, anchors),
        None => Verifier::new(),
    };
    let mut after_seq = 0i64;
    let mut checked = 0u64;
    loop {
        // Up to the head as read: events committed during the walk are
        // beyond it and are not "rows after the end".
        let page = match page_after(c, after_seq, head_seq).await? {
            Ok(p) => p,
            Err(seq) => return Ok(VerifyReport { checked, head_seq, broken: Some(Break::Unreadable { seq }) }),
        };
        if page.is_empty() {
            break;
        }
        for m in &page {
            if let Err(b) = v.feed(&to_link(m)) {
                return Ok(VerifyReport { checked, head_seq, broken: Some(b) });
            }
            checked += 1;
        }
        after_seq = page.last().map(|m| m.seq).unwrap_or(after_seq);
    }
    match v.finish(head_seq, &head_hash) {
        Ok(n) => Ok(VerifyReport { checked: n, head_seq, broken: None }),
        Err(b) => Ok(VerifyReport { checked, head_seq, broken: Some(b) }),
    }
}

#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub actor: Option<String>,
    pub action_prefix: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// The one scope condition of audit events: a reader whose scope is the whole
/// deployment reads everything; any other reader the events placed in their
/// jurisdiction subtree, about cadres of the levels they handle (an auditor,
/// who handles no cadres and holds no levels, reads every level of their
/// subtree). Events from before events were placed are read only at the top.
fn cond(scope: &Scope) -> Condition {
    let every_level = scope.managed_by.is_empty() || ManagedBy::ALL.iter().all(|m| scope.managed_by.contains(m));
    let whole = scope.jurisdiction_path == "/" && scope.unit_path.is_none() && scope.cadre_id.is_none() && every_level;
    if whole {
        return Condition::all();
    }
    if scope.unit_path.is_some() || scope.cadre_id.is_some() {
        return crate::scope::nothing();
    }
    let mut cond = Condition::all().add(audit_event::Column::ScopePath.like(like_prefix(&scope.jurisdiction_path)));
    if !every_level {
        let levels: Vec<&str> = scope.managed_by.iter().map(|m| m.code()).collect();
        cond = cond.add(
            Condition::any()
                .add(audit_event::Column::ScopeLevel.is_null())
                .add(audit_event::Column::ScopeLevel.is_in(levels)),
        );
    }
    cond
}

pub async fn list(
    c: &impl ConnectionTrait,
    scope: &Scope,
    f: &EventFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<audit_event::Model>, u64)> {
    let mut cond = cond(scope);
    if let Some(a) = &f.actor {
        cond = cond.add(audit_event::Column::ActorName.eq(a.clone()));
    }
    if let Some(a) = &f.action_prefix {
        cond = cond.add(audit_event::Column::Action.starts_with(a.clone()));
    }
    if let Some(t) = &f.entity_type {
        cond = cond.add(audit_event::Column::EntityType.eq(t.clone()));
    }
    if let Some(id) = &f.entity_id {
        cond = cond.add(audit_event::Column::EntityId.eq(id.clone()));
    }
    if let Some(from) = f.from {
        cond = cond.add(audit_event::Column::At.gte(from));
    }
    if let Some(to) = f.to {
        cond = cond.add(audit_event::Column::At.lt(to));
    }
    let q = audit_event::Entity::find().filter(cond);
    let total = q.clone().count(c).await?;
    let rows = q.order_by_desc(audit_event::Column::Seq).offset(offset).limit(limit).all(c).await?;
    Ok((rows, total))
}
