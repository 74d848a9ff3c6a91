//! Recording audit events inside use-case transactions, and reading them.

use dandang_domain::access::{Actor, Permission};
use dandang_store::{
    ConnectionTrait,
    audit::{EventFilter, NewEvent, VerifyReport},
    entity::audit_event,
};
use serde::Serialize;

use crate::{
    App,
    error::{AppError, Result},
};

/// Appends an event in the caller's transaction.
pub async fn record(
    tx: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: Option<String>,
    before: Option<&impl Serialize>,
    after: Option<&impl Serialize>,
) -> Result<()> {
    fn to_json(v: Option<&impl Serialize>) -> Result<Option<String>> {
        v.map(|x| serde_json::to_string(x).map_err(|e| AppError::Internal(e.to_string()))).transpose()
    }
    dandang_store::audit::append(
        tx,
        NewEvent {
            actor_id: Some(actor.user_id.0),
            actor_name: actor.username.clone(),
            action: action.into(),
            entity_type: entity_type.into(),
            entity_id,
            before: to_json(before)?,
            after: to_json(after)?,
            request_id: actor.request_id.clone(),
        },
    )
    .await?;
    Ok(())
}

/// An event with no actor (failed logins of unknown names, start-up).
pub async fn record_anonymous(
    tx: &impl ConnectionTrait,
    name: &str,
    action: &str,
    entity_type: &str,
    entity_id: Option<String>,
    after: Option<serde_json::Value>,
    request_id: Option<String>,
) -> Result<()> {
    dandang_store::audit::append(
        tx,
        NewEvent {
            actor_id: None,
            actor_name: name.chars().take(64).collect(),
            action: action.into(),
            entity_type: entity_type.into(),
            entity_id,
            before: None,
            after: after.map(|v| v.to_string()),
            request_id,
        },
    )
    .await?;
    Ok(())
}

/// A record read that the rules treat as sensitive, in its own transaction.
pub async fn record_read(app: &App, actor: &Actor, entity_type: &str, entity_id: String, what: &str) -> Result<()> {
    let tx = app.db().write().await?;
    record(
        &tx,
        actor,
        &format!("{entity_type}.read"),
        entity_type,
        Some(entity_id),
        None::<&()>,
        Some(&serde_json::json!({ "viewed": what })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub actor_name: String,
    pub action: String,
    pub action_label: String,
    pub entity_type: String,
    pub entity_label: String,
    pub entity_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    pub hash: String,
}

pub fn action_label(action: &str) -> String {
    let known = [
        ("auth.login", "登录"),
        ("auth.login_failed", "登录失败"),
        ("auth.locked", "账号锁定"),
        ("auth.logout", "退出登录"),
        ("auth.logout_everywhere", "退出所有会话"),
        ("auth.password_changed", "修改密码"),
        ("user.create", "新建用户"),
        ("user.update", "修改用户"),
        ("user.reset_password", "重置密码"),
        ("user.unlock", "解除锁定"),
        ("token.create", "创建接口令牌"),
        ("token.revoke", "吊销接口令牌"),
        ("jurisdiction.create", "新建行政区划"),
        ("unit.create", "新建单位"),
        ("unit.update", "修改单位"),
        ("post.create", "新建职务"),
        ("cadre.create", "新建干部"),
        ("cadre.update", "修改干部信息"),
        ("cadre.read", "查看干部档案"),
        ("appointment.create", "新增任职"),
        ("appointment.end", "免职/离任"),
        ("import.validate", "导入校验"),
        ("import.commit", "导入提交"),
        ("export.cadres", "导出干部名册"),
        ("audit.read", "查看审计记录"),
        ("system.bootstrap", "初始化系统"),
        ("system.demo", "载入演示数据"),
    ];
    known.iter().find(|(k, _)| *k == action).map(|(_, v)| v.to_string()).unwrap_or_else(|| action.to_string())
}

pub fn entity_label(entity_type: &str) -> String {
    let known = [
        ("cadre", "干部"),
        ("appointment", "任职"),
        ("unit", "单位"),
        ("units", "单位"),
        ("post", "职务"),
        ("jurisdiction", "行政区划"),
        ("jurisdictions", "行政区划"),
        ("user", "用户"),
        ("users", "用户"),
        ("api_token", "接口令牌"),
        ("import_batch", "导入批次"),
        ("audit", "审计记录"),
        ("deployment", "系统"),
    ];
    known.iter().find(|(k, _)| *k == entity_type).map(|(_, v)| v.to_string()).unwrap_or_else(|| entity_type.to_string())
}

fn view(m: audit_event::Model) -> EventView {
    let parse = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
    EventView {
        seq: m.seq,
        at: crate::clock::local(m.at),
        actor_name: m.actor_name,
        action_label: action_label(&m.action),
        action: m.action,
        entity_label: entity_label(&m.entity_type),
        entity_type: m.entity_type,
        entity_id: m.entity_id,
        before: parse(m.before),
        after: parse(m.after),
        request_id: m.request_id,
        hash: m.hash,
    }
}

pub async fn list(
    app: &App,
    actor: &Actor,
    f: &EventFilter,
    page: u64,
    per_page: u64,
) -> Result<(Vec<EventView>, u64)> {
    if !actor.can(Permission::AuditRead) {
        return Err(AppError::Forbidden);
    }
    let (rows, total) =
        dandang_store::audit::list(app.db().read(), f, page.saturating_sub(1) * per_page, per_page).await?;
    Ok((rows.into_iter().map(view).collect(), total))
}

pub async fn verify(app: &App, actor: Option<&Actor>) -> Result<VerifyReport> {
    if let Some(a) = actor
        && !a.can(Permission::AuditRead)
    {
        return Err(AppError::Forbidden);
    }
    Ok(dandang_store::audit::verify(app.db().read()).await?)
}
