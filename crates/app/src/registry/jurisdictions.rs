use chrono::Utc;
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    registry::{JurisdictionCode, JurisdictionLevel, jurisdiction_path},
    text,
};
use dandang_store::{entity::jurisdiction, registry};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::require;
use crate::{
    App, access,
    audit::{self, Event, Place},
    error::{AppError, Result},
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct JurisdictionView {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub level: String,
    pub level_label: String,
    pub parent_id: Option<Uuid>,
    pub path: String,
    pub depth: usize,
}

pub fn view(m: &jurisdiction::Model) -> JurisdictionView {
    JurisdictionView {
        id: m.id,
        code: m.code.clone(),
        name: m.name.clone(),
        level: m.level.clone(),
        level_label: JurisdictionLevel::parse(&m.level).map(|l| l.label_zh().to_string()).unwrap_or_default(),
        parent_id: m.parent_id,
        path: m.path.clone(),
        depth: m.path.matches('/').count().saturating_sub(2),
    }
}

/// The jurisdiction tree under the actor's scope root, in path order.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<JurisdictionView>> {
    super::require_browse(actor)?;
    let rows = registry::jurisdictions(app.db().read(), &actor.scope).await?;
    Ok(rows.iter().map(|j| view(j)).collect())
}

pub async fn by_code(app: &App, actor: &Actor, code: &str) -> Result<JurisdictionView> {
    super::require_browse(actor)?;
    let j = access::jurisdiction(app, actor, code).await?;
    Ok(view(&j))
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct JurisdictionInput {
    pub code: String,
    pub name: String,
    pub level: String,
    #[serde(default)]
    pub parent_code: Option<String>,
    #[serde(default)]
    pub sort_order: Option<i32>,
}

pub async fn create(app: &App, actor: &Actor, input: &JurisdictionInput) -> Result<JurisdictionView> {
    require(actor, Permission::RegistryWrite)?;
    let db = app.db().read();
    let mut inv = Invalid::new();
    let name = inv.take("name", "名称", text::required(&input.name, 64));
    let level = inv.take("level", "层级", JurisdictionLevel::parse(&input.level));
    let code = level.and_then(|l| inv.take("code", "行政区划代码", JurisdictionCode::parse(&input.code, l)));
    let parent = match input.parent_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(pc) => match registry::jurisdiction_by_code(db, &actor.scope, pc).await? {
            Some(p) => Some(p.into_inner()),
            None => {
                inv.push("parent_code", "上级行政区划", Problem::NotFound);
                None
            }
        },
    };
    inv.into_result()?;
    let (level, code) = (level.expect("checked"), code.expect("checked"));
    match &parent {
        None if level != JurisdictionLevel::Province => {
            return Err(AppError::invalid("parent_code", "上级行政区划", Problem::Required));
        }
        Some(p) => {
            let plevel = JurisdictionLevel::parse(&p.level).map_err(|_| AppError::Internal("level".into()))?;
            // County-level cities directly under a province skip the city level.
            let ok_level = plevel.child() == Some(level)
                || (plevel == JurisdictionLevel::Province && level == JurisdictionLevel::County);
            if !ok_level {
                return Err(AppError::invalid(
                    "level",
                    "层级",
                    Problem::Conflict { detail: format!("不能作为{}级行政区划的下级", plevel.label_zh()) },
                ));
            }
            let pcode = JurisdictionCode::parse(&p.code, plevel).map_err(|_| AppError::Internal("code".into()))?;
            if !code.is_child_of(&pcode) {
                return Err(AppError::invalid(
                    "code",
                    "行政区划代码",
                    Problem::Conflict {
                        detail: format!("应以上级代码的前缀 {} 开头", pcode.significant_prefix())
                    },
                ));
            }
        }
        None => {}
    }
    let path = jurisdiction_path(parent.as_ref().map(|p| p.path.as_str()), &code);
    if !actor.scope.covers_jurisdiction(&path) || actor.scope.jurisdiction_path == path {
        // Only below the actor's own root: a new province needs the whole deployment.
        return Err(AppError::invalid("parent_code", "上级行政区划", Problem::Required));
    }
    if registry::jurisdiction_code_taken(db, code.as_str()).await? {
        return Err(AppError::invalid("code", "行政区划代码", Problem::Duplicate));
    }
    let now = Utc::now();
    let m = jurisdiction::Model {
        id: Uuid::now_v7(),
        code: code.as_str().into(),
        name: name.expect("checked"),
        level: level.code().into(),
        parent_id: parent.map(|p| p.id),
        path,
        sort_order: input.sort_order.unwrap_or(0),
        created_at: now,
        updated_at: now,
    };
    let v = view(&m);
    let tx = app.db().write().await?;
    registry::insert_jurisdiction(&tx, m.clone()).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("jurisdiction.create", "jurisdiction", m.id, Place::at(&m.path)).after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}
