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
use dandang_store::{
    InScope,
    entity::advance_filing,
    registry::{self, UnitRow},
    tolerance as store,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    App,
    access::require,
    audit::{self, Event, Place},
    clock,
    error::{AppError, Result},
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

/// A filing with its unit's and cadre's names. A self-service filer's scope
/// covers their own cadre but no unit, so the unit's name is read through
/// the filing itself.
async fn view(app: &App, actor: &Actor, m: &advance_filing::Model) -> Result<FilingView> {
    let db = app.db().read();
    let cadre = match m.cadre_id {
        Some(id) => registry::cadre(db, &actor.scope, id).await?,
        None => None,
    };
    let unit_name = match (&cadre, registry::unit(db, &actor.scope, m.unit_id).await?) {
        (_, Some(u)) => u.name.clone(),
        (Some(c), None) if c.unit_id == m.unit_id => c.unit_name.clone(),
        _ => String::new(),
    };
    Ok(view_named(actor, m, unit_name, cadre.map(|c| c.name.clone())))
}

/// Where a filing's events belong.
fn place_of(unit: Option<&UnitRow>, cadre: Option<&dandang_store::registry::CadreRow>) -> Place {
    match (cadre, unit) {
        (Some(c), _) => Place::of_cadre(c),
        (None, Some(u)) => Place::of_unit(u),
        (None, None) => Place::deployment(),
    }
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
        Some(id) => Some(
            registry::cadre(app.db().read(), &actor.scope, id)
                .await?
                .ok_or_else(|| AppError::invalid("cadre_id", "报备干部", Problem::NotFound))?,
        ),
        None => None,
    };
    let unit_id = cadre
        .as_ref()
        .map(|c| c.unit_id)
        .or(input.unit_id)
        .or(actor.scope.unit_id.map(|u| u.0))
        .ok_or_else(|| AppError::invalid("unit_id", "报备单位", Problem::Required))?;
    // A personal filing goes to the cadre's own unit; a unit's, to a unit in scope.
    let unit: Option<InScope<UnitRow>> = registry::unit(app.db().read(), &actor.scope, unit_id).await?;
    if cadre.is_none() && unit.is_none() {
        return Err(AppError::invalid("unit_id", "报备单位", Problem::NotFound));
    }
    let mut inv = Invalid::new();
    let matter = inv.take("matter", "报备事项", text::required(&input.matter, 200));
    let gap = inv.take("policy_gap", "政策不明之处", text::required(&input.policy_gap, 2000));
    let risk = inv.take("risk", "可能的追责风险", text::required(&input.risk, 2000));
    let safeguards = inv.take("safeguards", "防控措施", text::required(&input.safeguards, 2000));
    inv.into_result()?;
    let m = advance_filing::Model {
        id: Uuid::now_v7(),
        unit_id,
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
    let place = place_of(unit.as_deref(), cadre.as_deref());
    let tx = app.db().write().await?;
    store::insert_filing(&tx, m.clone()).await?;
    audit::record(app, &tx, actor, Event::new("advance_filing.create", "advance_filing", m.id, place).after(&v))
        .await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<FilingView>> {
    require(actor, Permission::ToleranceRead)?;
    let db = app.db().read();
    let filings = store::filings_in_scope(db, &actor.scope).await?;
    // Names read once for the whole list.
    let ids: Vec<Uuid> = filings.iter().filter_map(|m| m.cadre_id).collect();
    let cadres: HashMap<Uuid, (String, Uuid, String)> = registry::cadres_by_ids(db, &actor.scope, &ids)
        .await?
        .into_iter()
        .map(|c| (c.id, (c.name.clone(), c.unit_id, c.unit_name.clone())))
        .collect();
    let unit_ids: Vec<Uuid> = filings.iter().map(|m| m.unit_id).collect();
    let units: HashMap<Uuid, String> = registry::units_by_ids(db, &actor.scope, &unit_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name.clone()))
        .collect();
    Ok(filings
        .iter()
        .map(|m| {
            let cadre = m.cadre_id.and_then(|id| cadres.get(&id));
            let unit = units
                .get(&m.unit_id)
                .cloned()
                .or_else(|| cadre.filter(|c| c.1 == m.unit_id).map(|c| c.2.clone()))
                .unwrap_or_default();
            view_named(actor, m, unit, cadre.map(|c| c.0.clone()))
        })
        .collect())
}

async fn load(app: &App, actor: &Actor, id: Uuid) -> Result<InScope<advance_filing::Model>> {
    store::filing(app.db().read(), &actor.scope, id).await?.ok_or(AppError::NotFound("事前报备"))
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<FilingView> {
    require(actor, Permission::ToleranceRead)?;
    let m = load(app, actor, id).await?;
    view(app, actor, &m).await
}

/// The discipline commission revokes a filing used as a shield; the reason is kept.
pub async fn revoke(app: &App, actor: &Actor, id: Uuid, input: &RevokeInput) -> Result<FilingView> {
    require(actor, Permission::FilingRevoke)?;
    let target = load(app, actor, id).await?;
    let mut m = target.get().clone();
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
    let db = app.db().read();
    let unit = registry::unit(db, &actor.scope, m.unit_id).await?;
    let cadre = match m.cadre_id {
        Some(c) => registry::cadre(db, &actor.scope, c).await?,
        None => None,
    };
    let place = place_of(unit.as_deref(), cadre.as_deref());
    let tx = app.db().write().await?;
    store::update_filing(&tx, &target, m.clone(), expected).await?;
    m.version = expected + 1;
    let v = view_named(actor, &m, before.unit_name.clone(), before.cadre_name.clone());
    audit::record(
        app,
        &tx,
        actor,
        Event::new("advance_filing.revoke", "advance_filing", id, place).before(&before).after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}
