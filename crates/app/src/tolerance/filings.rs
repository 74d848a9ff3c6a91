//! 前瞻性决策风险事前报备 (Yichang): a unit or cadre files a risky decision
//! before acting; the discipline commission supervises and may revoke a
//! filing used as a shield; a later tolerance case relies on it as evidence.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    text,
};
use dandang_store::{entity::advance_filing, registry, tolerance as store};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    App, audit, clock,
    error::{AppError, Result},
    registry::{covers_cadre, covers_unit, require},
};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct FilingInput {
    /// Defaults to the filer's own unit (unit accounts) or the cadre's unit.
    #[serde(default)]
    pub unit_id: Option<Uuid>,
    /// The cadre filing, for a personal filing.
    #[serde(default)]
    pub cadre_id: Option<Uuid>,
    /// The decision or matter.
    pub matter: String,
    /// Where the policy is unclear or silent.
    pub policy_gap: String,
    /// The risk of being held accountable.
    pub risk: String,
    /// The safeguards taken.
    pub safeguards: String,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RevokeInput {
    pub reason: String,
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FilingView {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub cadre_id: Option<Uuid>,
    pub cadre_name: Option<String>,
    pub matter: String,
    pub policy_gap: String,
    pub risk: String,
    pub safeguards: String,
    pub filed_on: NaiveDate,
    /// filed / revoked
    pub state: String,
    pub state_label: String,
    pub revoked_reason: Option<String>,
    pub can_revoke: bool,
    pub version: i32,
}

async fn view(app: &App, actor: &Actor, m: &advance_filing::Model) -> Result<FilingView> {
    let unit = registry::unit(app.db().read(), m.unit_id).await?.ok_or(AppError::NotFound("单位"))?;
    let cadre_name = match m.cadre_id {
        Some(id) => registry::cadre(app.db().read(), id).await?.map(|c| c.name),
        None => None,
    };
    Ok(view_named(actor, m, unit.name, cadre_name))
}

/// The view once the unit's and the cadre's names are known.
fn view_named(actor: &Actor, m: &advance_filing::Model, unit_name: String, cadre_name: Option<String>) -> FilingView {
    FilingView {
        id: m.id,
        unit_id: m.unit_id,
        unit_name,
        cadre_id: m.cadre_id,
        cadre_name,
        matter: m.matter.clone(),
        policy_gap: m.policy_gap.clone(),
        risk: m.risk.clone(),
        safeguards: m.safeguards.clone(),
        filed_on: m.filed_on,
        state_label: if m.state == "revoked" { "已撤销".into() } else { "已报备".into() },
        state: m.state.clone(),
        revoked_reason: m.revoked_reason.clone(),
        can_revoke: m.state == "filed" && actor.can(Permission::FilingRevoke),
        version: m.version,
    }
}

pub async fn create(app: &App, actor: &Actor, input: &FilingInput) -> Result<FilingView> {
    require(actor, Permission::FilingCreate)?;
    // A cadre files for themselves; a unit for itself.
    let cadre_id = actor.scope.cadre_id.map(|c| c.0).or(input.cadre_id);
    let cadre = match cadre_id {
        Some(id) => {
            let c = registry::cadre(app.db().read(), id).await?.ok_or(AppError::NotFound("干部"))?;
            if !covers_cadre(actor, &c) {
                return Err(AppError::OutOfScope);
            }
            Some(c)
        }
        None => None,
    };
    let unit_id = cadre
        .as_ref()
        .map(|c| c.unit_id)
        .or(input.unit_id)
        .or(actor.scope.unit_id.map(|u| u.0))
        .ok_or_else(|| AppError::invalid("unit_id", "报备单位", Problem::Required))?;
    let unit = registry::unit(app.db().read(), unit_id).await?.ok_or(AppError::NotFound("单位"))?;
    if cadre.is_none() && !covers_unit(actor, &unit) {
        return Err(AppError::OutOfScope);
    }
    let mut inv = Invalid::new();
    let matter = inv.take("matter", "报备事项", text::required(&input.matter, 200));
    let gap = inv.take("policy_gap", "政策不明之处", text::required(&input.policy_gap, 2000));
    let risk = inv.take("risk", "可能的追责风险", text::required(&input.risk, 2000));
    let safeguards = inv.take("safeguards", "防控措施", text::required(&input.safeguards, 2000));
    inv.into_result()?;
    let m = advance_filing::Model {
        id: Uuid::now_v7(),
        unit_id: unit.id,
        cadre_id: cadre.as_ref().map(|c| c.id),
        matter: matter.expect("checked"),
        policy_gap: gap.expect("checked"),
        risk: risk.expect("checked"),
        safeguards: safeguards.expect("checked"),
        filed_on: clock::today(),
        state: "filed".into(),
        revoked_reason: None,
        created_by: actor.user_id.0,
        created_at: Utc::now(),
        version: 1,
    };
    let v = view(app, actor, &m).await?;
    let tx = app.db().write().await?;
    store::insert_filing(&tx, m.clone()).await?;
    audit::record(&tx, actor, "advance_filing.create", "advance_filing", Some(m.id.to_string()), None::<&()>, Some(&v))
        .await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<FilingView>> {
    require(actor, Permission::ToleranceRead)?;
    let filings = store::filings_in_scope(app.db().read(), &actor.scope).await?;
    // Names read once for the whole list.
    let ids: Vec<Uuid> = filings.iter().filter_map(|m| m.cadre_id).collect();
    let cadres: HashMap<Uuid, String> =
        registry::cadres_by_ids(app.db().read(), &ids).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let mut units: HashMap<Uuid, String> = HashMap::new();
    let mut out = Vec::with_capacity(filings.len());
    for m in &filings {
        let unit = match units.get(&m.unit_id) {
            Some(n) => n.clone(),
            None => {
                let n = registry::unit(app.db().read(), m.unit_id).await?.ok_or(AppError::NotFound("单位"))?.name;
                units.insert(m.unit_id, n.clone());
                n
            }
        };
        out.push(view_named(actor, m, unit, m.cadre_id.and_then(|id| cadres.get(&id).cloned())));
    }
    Ok(out)
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<FilingView> {
    require(actor, Permission::ToleranceRead)?;
    let m = store::filing_by_id(app.db().read(), id).await?.ok_or(AppError::NotFound("事前报备"))?;
    let unit = registry::unit(app.db().read(), m.unit_id).await?.ok_or(AppError::NotFound("单位"))?;
    let own = actor.scope.cadre_id.is_some_and(|c| Some(c.0) == m.cadre_id);
    if !(own || covers_unit(actor, &unit)) {
        return Err(AppError::OutOfScope);
    }
    view(app, actor, &m).await
}

/// The discipline commission revokes a filing used as a shield; the reason is kept.
pub async fn revoke(app: &App, actor: &Actor, id: Uuid, input: &RevokeInput) -> Result<FilingView> {
    require(actor, Permission::FilingRevoke)?;
    let mut m = store::filing_by_id(app.db().read(), id).await?.ok_or(AppError::NotFound("事前报备"))?;
    let unit = registry::unit(app.db().read(), m.unit_id).await?.ok_or(AppError::NotFound("单位"))?;
    if !covers_unit(actor, &unit) {
        return Err(AppError::OutOfScope);
    }
    if m.state != "filed" {
        return Err(AppError::IllegalTransition("该报备已经撤销".into()));
    }
    if input.version.is_some_and(|v| v != m.version) {
        return Err(AppError::Stale);
    }
    let reason = text::required(&input.reason, 1000).map_err(|p| AppError::invalid("reason", "撤销理由", p))?;
    let before = view(app, actor, &m).await?;
    let expected = m.version;
    m.state = "revoked".into();
    m.revoked_reason = Some(reason);
    let tx = app.db().write().await?;
    store::update_filing(&tx, m.clone(), expected).await?;
    m.version = expected + 1;
    let v = view_named(actor, &m, before.unit_name.clone(), before.cadre_name.clone());
    audit::record(&tx, actor, "advance_filing.revoke", "advance_filing", Some(id.to_string()), Some(&before), Some(&v))
        .await?;
    tx.commit().await?;
    Ok(v)
}
