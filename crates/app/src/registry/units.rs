use chrono::Utc;
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    ids::UnitId,
    registry::{UnitType, unit_path},
    text,
};
use dandang_store::{
    entity::unit,
    registry::{self, UnitFilter, UnitRow},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Page, Paging, require};
use crate::{
    App, access,
    audit::{self, Event, Place},
    error::{AppError, Result},
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitView {
    pub id: Uuid,
    pub name: String,
    pub short_name: Option<String>,
    pub unit_type: String,
    pub unit_type_label: String,
    pub jurisdiction_id: Uuid,
    pub jurisdiction_code: String,
    pub jurisdiction_name: String,
    pub parent_id: Option<Uuid>,
    pub sort_order: i32,
    pub active: bool,
    pub version: i32,
}

pub fn view(r: &UnitRow) -> UnitView {
    UnitView {
        id: r.id,
        name: r.name.clone(),
        short_name: r.short_name.clone(),
        unit_type: r.unit_type.clone(),
        unit_type_label: UnitType::parse(&r.unit_type).map(|t| t.label_zh().to_string()).unwrap_or_default(),
        jurisdiction_id: r.jurisdiction_id,
        jurisdiction_code: r.jurisdiction_code.clone(),
        jurisdiction_name: r.jurisdiction_name.clone(),
        parent_id: r.parent_id,
        sort_order: r.sort_order,
        active: r.active,
        version: r.version,
    }
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// 名称关键字
    pub q: Option<String>,
    /// 行政区划代码（含下级）
    pub jurisdiction: Option<String>,
    /// 单位类型
    pub unit_type: Option<String>,
    /// 页码，默认 1
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// 每页条数，默认 50
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

pub async fn list(app: &App, actor: &Actor, q: &UnitQuery) -> Result<Page<UnitView>> {
    super::require_browse(actor)?;
    let db = app.db().read();
    let mut f = UnitFilter { q: q.q.clone(), ..Default::default() };
    if let Some(code) = q.jurisdiction.as_deref().filter(|s| !s.is_empty()) {
        let j = access::jurisdiction(app, actor, code).await?;
        f.jurisdiction_path = Some(j.path.clone());
    }
    if let Some(t) = q.unit_type.as_deref().filter(|s| !s.is_empty()) {
        f.unit_type =
            Some(UnitType::parse(t).map_err(|p| AppError::invalid("unit_type", "单位类型", p))?.code().into());
    }
    let paging = Paging::parse(q.page, q.per_page, Paging::MAX_PER_PAGE)?;
    let (rows, total) = registry::list_units(db, &actor.scope, &f, paging.offset(), paging.per_page).await?;
    Ok(Page::new(rows.iter().map(|r| view(r)).collect(), total, paging))
}

pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<UnitView> {
    super::require_browse(actor)?;
    let u = access::unit(app, actor, id).await?;
    Ok(view(&u))
}

/// Sub-units directly below a unit, within scope.
pub async fn children(app: &App, actor: &Actor, id: Uuid) -> Result<Vec<UnitView>> {
    super::require_browse(actor)?;
    let r = access::unit(app, actor, id).await?;
    let f = UnitFilter { parent_path: Some(r.path.clone()), ..Default::default() };
    let (rows, _) = registry::list_units(app.db().read(), &actor.scope, &f, 0, 500).await?;
    Ok(rows.iter().filter(|u| u.parent_id == Some(id)).map(|u| view(u)).collect())
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UnitInput {
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    pub unit_type: String,
    pub jurisdiction_code: String,
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    #[serde(default)]
    pub sort_order: Option<i32>,
}

pub async fn create(app: &App, actor: &Actor, input: &UnitInput) -> Result<UnitView> {
    require(actor, Permission::RegistryWrite)?;
    let db = app.db().read();
    let mut inv = Invalid::new();
    let name = inv.take("name", "单位名称", text::required(&input.name, 128));
    let short_name = inv.take("short_name", "单位简称", text::optional(input.short_name.as_deref(), 64));
    let unit_type = inv.take("unit_type", "单位类型", UnitType::parse(&input.unit_type));
    // Jurisdictions and units outside the scope read as ones that do not exist.
    let j = registry::jurisdiction_by_code(db, &actor.scope, input.jurisdiction_code.trim()).await?;
    if j.is_none() {
        inv.push("jurisdiction_code", "所属行政区划", Problem::NotFound);
    }
    let parent = match input.parent_id {
        Some(pid) => {
            let p = registry::unit(db, &actor.scope, pid).await?;
            if p.is_none() {
                inv.push("parent_id", "上级单位", Problem::NotFound);
            }
            p
        }
        None => None,
    };
    inv.into_result()?;
    let j = j.expect("checked");
    if let Some(p) = &parent
        && !j.path.starts_with(&p.jurisdiction_path)
    {
        return Err(AppError::invalid(
            "parent_id",
            "上级单位",
            Problem::Conflict { detail: "上级单位须位于同一行政区划或其上级".into() },
        ));
    }
    let name = name.expect("checked");
    if registry::unit_name_taken(db, &name).await? {
        return Err(AppError::invalid("name", "单位名称", Problem::Duplicate));
    }
    let id = UnitId::new();
    let path = unit_path(parent.as_ref().map(|p| p.path.as_str()), &id);
    if !actor.scope.covers_unit(&j.path, &path) {
        // A unit-bound scope may only add below its own unit.
        return Err(AppError::invalid("parent_id", "上级单位", Problem::Required));
    }
    let now = Utc::now();
    let m = unit::Model {
        id: id.0,
        name,
        short_name: short_name.flatten(),
        unit_type: unit_type.expect("checked").code().into(),
        jurisdiction_id: j.id,
        parent_id: parent.as_ref().map(|p| p.id),
        path,
        sort_order: input.sort_order.unwrap_or(0),
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let tx = app.db().write().await?;
    registry::insert_unit(&tx, m.clone()).await?;
    let row = registry::unit(&tx, &actor.scope, m.id).await?.ok_or(AppError::Internal("unit".into()))?;
    let v = view(&row);
    audit::record(app, &tx, actor, Event::new("unit.create", "unit", m.id, Place::of_unit(&row)).after(&v)).await?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UnitUpdate {
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    pub unit_type: String,
    #[serde(default)]
    pub sort_order: Option<i32>,
    #[serde(default = "yes")]
    pub active: bool,
    pub version: i32,
}

fn yes() -> bool {
    true
}

pub async fn update(app: &App, actor: &Actor, id: Uuid, input: &UnitUpdate) -> Result<UnitView> {
    require(actor, Permission::RegistryWrite)?;
    let db = app.db().read();
    let before = access::unit(app, actor, id).await?;
    let mut inv = Invalid::new();
    let name = inv.take("name", "单位名称", text::required(&input.name, 128));
    let short_name = inv.take("short_name", "单位简称", text::optional(input.short_name.as_deref(), 64));
    let unit_type = inv.take("unit_type", "单位类型", UnitType::parse(&input.unit_type));
    inv.into_result()?;
    let name = name.expect("checked");
    if name != before.name && registry::unit_name_taken(db, &name).await? {
        return Err(AppError::invalid("name", "单位名称", Problem::Duplicate));
    }
    let m = unit::Model {
        id,
        name,
        short_name: short_name.flatten(),
        unit_type: unit_type.expect("checked").code().into(),
        jurisdiction_id: before.jurisdiction_id,
        parent_id: before.parent_id,
        path: before.path.clone(),
        sort_order: input.sort_order.unwrap_or(before.sort_order),
        active: input.active,
        version: input.version,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    let tx = app.db().write().await?;
    registry::update_unit(&tx, &before, m, input.version).await?;
    let after = registry::unit(&tx, &actor.scope, id).await?.ok_or(AppError::Internal("unit".into()))?;
    let (bv, av) = (view(&before), view(&after));
    audit::record(
        app,
        &tx,
        actor,
        Event::new("unit.update", "unit", id, Place::of_unit(&after)).before(&bv).after(&av),
    )
    .await?;
    tx.commit().await?;
    Ok(av)
}
