use chrono::{NaiveDate, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    registry::{PostLevel, Rank, Tier},
    text,
};
use dandang_store::{entity::appointment, registry};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{covers_cadre, covers_unit, require};
use crate::{
    App, audit, clock,
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

pub async fn appointment_view(app: &App, a: &appointment::Model) -> Result<AppointmentView> {
    let unit_name = registry::unit(app.db().read(), a.unit_id).await?.map(|u| u.name).unwrap_or_default();
    Ok(AppointmentView {
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
    })
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
    let c = registry::cadre(db, cadre_id).await?.ok_or(AppError::NotFound("干部"))?;
    if !covers_cadre(actor, &c) {
        return Err(AppError::OutOfScope);
    }
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
    let unit = registry::unit(db, input.unit_id).await?;
    if unit.is_none() {
        inv.push("unit_id", "任职单位", Problem::NotFound);
    }
    let (title, tier, level) = match input.post_id {
        Some(pid) => match registry::post(db, pid).await? {
            Some(p) if p.unit_id == input.unit_id => (Some(p.title), Some(p.tier), Some(p.level)),
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
    if !covers_unit(actor, &unit) {
        return Err(AppError::OutOfScope);
    }
    let start = start.expect("checked");
    let current = registry::current_appointments(db, &[cadre_id]).await?;
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
    let tx = app.db().write().await?;
    if input.end_current {
        let end = start.pred_opt().unwrap_or(start);
        for a in &current {
            registry::end_appointment(&tx, a.id, end, Some(m.reason.clone())).await?;
            audit::record(
                &tx,
                actor,
                "appointment.end",
                "appointment",
                Some(a.id.to_string()),
                Some(&serde_json::json!({"end_date": null})),
                Some(&serde_json::json!({"end_date": end, "end_reason": m.reason})),
            )
            .await?;
        }
    }
    registry::insert_appointments(&tx, vec![m.clone()]).await?;
    registry::refresh_post_ranks(&tx, &[cadre_id]).await?;
    let v = appointment_view(app, &m).await?;
    audit::record(&tx, actor, "appointment.create", "appointment", Some(m.id.to_string()), None::<&()>, Some(&v))
        .await?;
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
    let a = registry::appointment(db, appointment_id).await?.ok_or(AppError::NotFound("任职记录"))?;
    let c = registry::cadre(db, a.cadre_id).await?.ok_or(AppError::NotFound("干部"))?;
    if !covers_cadre(actor, &c) {
        return Err(AppError::OutOfScope);
    }
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
    let tx = app.db().write().await?;
    registry::end_appointment(&tx, a.id, end, Some(reason.clone())).await?;
    registry::refresh_post_ranks(&tx, &[a.cadre_id]).await?;
    let mut after = a.clone();
    after.end_date = Some(end);
    after.end_reason = Some(reason);
    let v = appointment_view(app, &after).await?;
    let bv = appointment_view(app, &a).await?;
    audit::record(&tx, actor, "appointment.end", "appointment", Some(a.id.to_string()), Some(&bv), Some(&v)).await?;
    tx.commit().await?;
    Ok(v)
}
