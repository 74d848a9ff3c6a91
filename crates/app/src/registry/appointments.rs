use chrono::{NaiveDate, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    registry::{PostLevel, Rank, Tier},
    text,
};
use dandang_store::{
    InScope, ScopedIds,
    entity::appointment,
    registry::{self, CadreRow},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::require;
use crate::{
    App, access,
    audit::{self, Event, Place},
    clock,
    error::{AppError, Result},
    registry::posts::grade_label,
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AppointmentView {
    pub id: Uuid,
    pub cadre_id: Uuid,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub post_id: Option<Uuid>,
    pub title: String,
    pub grade_label: String,
    pub rank_label: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub reason: String,
    pub end_reason: Option<String>,
    pub document_ref: Option<String>,
    pub current: bool,
}

/// A cadre's appointments, oldest first, with the names of their units.
pub async fn appointment_views(app: &App, cadre: &InScope<CadreRow>) -> Result<Vec<AppointmentView>> {
    let db = app.db().read();
    let names = registry::appointment_unit_names(db, &ScopedIds::one(cadre)).await?;
    Ok(registry::appointments_of(db, cadre)
        .await?
        .iter()
        .map(|a| appointment_view(a, names.get(&a.unit_id).cloned().unwrap_or_default()))
        .collect())
}

pub fn appointment_view(a: &appointment::Model, unit_name: String) -> AppointmentView {
    AppointmentView {
        id: a.id,
        cadre_id: a.cadre_id,
        unit_id: a.unit_id,
        unit_name,
        post_id: a.post_id,
        title: a.title.clone(),
        grade_label: match (&a.tier, &a.level) {
            (Some(t), Some(l)) => grade_label(t, l),
            _ => String::new(),
        },
        rank_label: a.rank.as_deref().and_then(|r| Rank::parse(r).ok()).map(|r| r.label_zh().to_string()),
        start_date: a.start_date,
        end_date: a.end_date,
        reason: a.reason.clone(),
        end_reason: a.end_reason.clone(),
        document_ref: a.document_ref.clone(),
        current: a.end_date.is_none(),
    }
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AppointmentInput {
    pub unit_id: Uuid,
    #[serde(default)]
    pub post_id: Option<Uuid>,
    /// Required when no post is chosen (e.g. a rank-only position).
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub rank: Option<String>,
    pub start_date: String,
    pub reason: String,
    #[serde(default)]
    pub document_ref: Option<String>,
    /// End the cadre's current appointments the day before this one starts
    /// (promotion or transfer, as opposed to a concurrent post).
    #[serde(default)]
    pub end_current: bool,
}

pub async fn create(app: &App, actor: &Actor, cadre_id: Uuid, input: &AppointmentInput) -> Result<AppointmentView> {
    require(actor, Permission::RegistryWrite)?;
    let db = app.db().read();
    let c = access::cadre(app, actor, cadre_id).await?;
    let today = clock::today();
    let mut inv = Invalid::new();
    let start = inv.take(
        "start_date",
        "任职日期",
        text::parse_date(&input.start_date).and_then(|d| text::not_future(d, today)),
    );
    let reason = inv.take("reason", "任职原因", text::required(&input.reason, 64));
    let document_ref = inv.take("document_ref", "任免文号", text::optional(input.document_ref.as_deref(), 64));
    let rank = inv.take(
        "rank",
        "职级",
        match input.rank.as_deref().filter(|s| !s.trim().is_empty()) {
            None => Ok(None),
            Some(r) => Rank::parse(r).map(Some),
        },
    );
    // A unit or post outside the scope reads as one that does not exist.
    let unit = registry::unit(db, &actor.scope, input.unit_id).await?;
    if unit.is_none() {
        inv.push("unit_id", "任职单位", Problem::NotFound);
    }
    let (title, tier, level) = match input.post_id {
        Some(pid) => match registry::post(db, &actor.scope, pid).await? {
            Some(p) if p.unit_id == input.unit_id => {
                (Some(p.title.clone()), Some(p.tier.clone()), Some(p.level.clone()))
            }
            Some(_) => {
                inv.push("post_id", "职务", Problem::Conflict { detail: "不属于所选单位".into() });
                (None, None, None)
            }
            None => {
                inv.push("post_id", "职务", Problem::NotFound);
                (None, None, None)
            }
        },
        None => {
            let t = inv.take("title", "职务（职级）名称", text::required(input.title.as_deref().unwrap_or(""), 64));
            let tier = inv.take(
                "tier",
                "职务层次",
                match input.tier.as_deref().filter(|s| !s.trim().is_empty()) {
                    None => Ok(None),
                    Some(v) => Tier::parse(v).map(|x| Some(x.code().to_string())),
                },
            );
            let level = inv.take(
                "level",
                "正副职",
                match input.level.as_deref().filter(|s| !s.trim().is_empty()) {
                    None => Ok(None),
                    Some(v) => PostLevel::parse(v).map(|x| Some(x.code().to_string())),
                },
            );
            (t, tier.flatten(), level.flatten())
        }
    };
    if start.is_some_and(|s| s <= c.birth_date) {
        inv.push("start_date", "任职日期", Problem::DateOrder { earlier: "出生日期".into() });
    }
    inv.into_result()?;
    let unit = unit.expect("checked");
    let start = start.expect("checked");
    let current = registry::current_of_cadre(db, &c).await?;
    if input.end_current
        && let Some(a) = current.iter().find(|a| a.start_date >= start)
    {
        return Err(AppError::invalid(
            "start_date",
            "任职日期",
            Problem::Conflict {
                detail: format!("须晚于现任职务“{}”的任职日期 {}", a.title, a.start_date)
            },
        ));
    }
    let m = appointment::Model {
        id: Uuid::now_v7(),
        cadre_id,
        unit_id: unit.id,
        post_id: input.post_id,
        title: title.expect("checked"),
        tier,
        level,
        rank: rank.flatten().map(|r| r.code().to_string()),
        start_date: start,
        end_date: None,
        reason: reason.expect("checked"),
        end_reason: None,
        document_ref: document_ref.flatten(),
        created_at: Utc::now(),
    };
    let place = Place::of_cadre(&c);
    let tx = app.db().write().await?;
    if input.end_current {
        let end = start.pred_opt().unwrap_or(start);
        for a in &current {
            registry::end_appointment(&tx, a, end, Some(m.reason.clone())).await?;
            audit::record(
                app,
                &tx,
                actor,
                Event::new("appointment.end", "appointment", a.id, place.clone())
                    .before(&serde_json::json!({"end_date": null}))
                    .after(&serde_json::json!({"end_date": end, "end_reason": m.reason})),
            )
            .await?;
        }
    }
    registry::insert_appointments(&tx, vec![m.clone()]).await?;
    let v = appointment_view(&m, unit.name.clone());
    audit::record(app, &tx, actor, Event::new("appointment.create", "appointment", m.id, place).after(&v)).await?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EndInput {
    pub end_date: String,
    pub end_reason: String,
}

pub async fn end(app: &App, actor: &Actor, appointment_id: Uuid, input: &EndInput) -> Result<AppointmentView> {
    require(actor, Permission::RegistryWrite)?;
    let db = app.db().read();
    let a = registry::appointment(db, &actor.scope, appointment_id).await?.ok_or(AppError::NotFound("任职记录"))?;
    let c = access::cadre(app, actor, a.cadre_id).await?;
    if a.end_date.is_some() {
        return Err(AppError::Conflict("该任职已结束".into()));
    }
    let mut inv = Invalid::new();
    let end = inv.take(
        "end_date",
        "免职（离任）日期",
        text::parse_date(&input.end_date).and_then(|d| text::not_future(d, clock::today())),
    );
    let reason = inv.take("end_reason", "免职（离任）原因", text::required(&input.end_reason, 64));
    if end.is_some_and(|e| e < a.start_date) {
        inv.push("end_date", "免职（离任）日期", Problem::DateOrder { earlier: format!("任职日期 {}", a.start_date) });
    }
    inv.into_result()?;
    let (end, reason) = (end.expect("checked"), reason.expect("checked"));
    let names = registry::appointment_unit_names(db, &ScopedIds::one(&c)).await?;
    let unit_name = names.get(&a.unit_id).cloned().unwrap_or_default();
    let tx = app.db().write().await?;
    registry::end_appointment(&tx, &a, end, Some(reason.clone())).await?;
    let mut after = a.get().clone();
    after.end_date = Some(end);
    after.end_reason = Some(reason);
    let v = appointment_view(&after, unit_name.clone());
    let bv = appointment_view(&a, unit_name);
    audit::record(
        app,
        &tx,
        actor,
        Event::new("appointment.end", "appointment", a.id, Place::of_cadre(&c)).before(&bv).after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}
