use chrono::Utc;
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    registry::{PostLevel, Tier},
    text,
};
use dandang_store::{ScopedIds, entity::post, registry};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::require;
use crate::{
    App, access,
    audit::{self, Event, Place},
    error::{AppError, Result},
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PostView {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub title: String,
    pub level: String,
    pub tier: String,
    /// e.g. 县处级正职
    pub grade_label: String,
    pub active: bool,
    /// Holders the actor may see.
    pub holders: Vec<Holder>,
    /// Holders outside the actor's scope (another management authority):
    /// counted, so the post does not read as vacant, never named.
    pub others: u32,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Holder {
    pub cadre_id: Uuid,
    pub since: chrono::NaiveDate,
}

pub fn grade_label(tier: &str, level: &str) -> String {
    match (Tier::parse(tier), PostLevel::parse(level)) {
        (Ok(t), Ok(l)) => l.with_tier(t),
        _ => String::new(),
    }
}

pub async fn of_unit(app: &App, actor: &Actor, unit_id: Uuid) -> Result<Vec<PostView>> {
    super::require_browse(actor)?;
    let db = app.db().read();
    let u = access::unit(app, actor, unit_id).await?;
    let posts = registry::posts_of_unit(db, &u).await?;
    let holders = registry::post_holders(db, &ScopedIds::of(&posts)).await?;
    let ids: Vec<Uuid> = holders.iter().map(|a| a.cadre_id).collect();
    let seen: std::collections::HashSet<Uuid> =
        registry::cadres_by_ids(db, &actor.scope, &ids).await?.iter().map(|c| c.id).collect();
    Ok(posts
        .into_iter()
        .map(|p| {
            let p = p.into_inner();
            PostView {
                id: p.id,
                unit_id: p.unit_id,
                grade_label: grade_label(&p.tier, &p.level),
                holders: holders
                    .iter()
                    .filter(|a| a.post_id == Some(p.id) && seen.contains(&a.cadre_id))
                    .map(|a| Holder { cadre_id: a.cadre_id, since: a.start_date })
                    .collect(),
                others: holders.iter().filter(|a| a.post_id == Some(p.id) && !seen.contains(&a.cadre_id)).count()
                    as u32,
                title: p.title,
                level: p.level,
                tier: p.tier,
                active: p.active,
            }
        })
        .collect())
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PostInput {
    pub title: String,
    pub level: String,
    pub tier: String,
    #[serde(default)]
    pub sort_order: Option<i32>,
}

pub async fn create(app: &App, actor: &Actor, unit_id: Uuid, input: &PostInput) -> Result<PostView> {
    require(actor, Permission::RegistryWrite)?;
    let db = app.db().read();
    let u = access::unit(app, actor, unit_id).await?;
    let mut inv = Invalid::new();
    let title = inv.take("title", "职务名称", text::required(&input.title, 64));
    let level = inv.take("level", "正副职", PostLevel::parse(&input.level));
    let tier = inv.take("tier", "职务层次", Tier::parse(&input.tier));
    inv.into_result()?;
    let title = title.expect("checked");
    if registry::posts_of_unit(db, &u).await?.iter().any(|p| p.title == title) {
        return Err(AppError::invalid("title", "职务名称", Problem::Duplicate));
    }
    let m = post::Model {
        id: Uuid::now_v7(),
        unit_id,
        title,
        level: level.expect("checked").code().into(),
        tier: tier.expect("checked").code().into(),
        sort_order: input.sort_order.unwrap_or(0),
        active: true,
        created_at: Utc::now(),
    };
    let v = PostView {
        id: m.id,
        unit_id,
        title: m.title.clone(),
        level: m.level.clone(),
        tier: m.tier.clone(),
        grade_label: grade_label(&m.tier, &m.level),
        active: true,
        holders: vec![],
        others: 0,
    };
    let tx = app.db().write().await?;
    registry::insert_post(&tx, m.clone()).await?;
    audit::record(app, &tx, actor, Event::new("post.create", "post", m.id, Place::of_unit(&u)).after(&v)).await?;
    tx.commit().await?;
    Ok(v)
}
