//! Lists to .xlsx. Exported cadre rosters use the import columns, so a file
//! can be exported, corrected and imported elsewhere.

use dandang_domain::access::{Actor, Permission};
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;

use crate::{
    App,
    audit::{self, Event, Place},
    error::{AppError, Result},
    imports::{CADRE_COLS, ImportKind, text_cols},
    registry::cadres::{self, CadreQuery},
};

pub struct SheetData {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub text_columns: Vec<usize>,
}

pub fn workbook(sheets: &[SheetData]) -> Result<Vec<u8>> {
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.to_string());
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).map_err(err)?;
        for (c, h) in s.headers.iter().enumerate() {
            let width = if s.text_columns.contains(&c) { 22.0 } else { (h.chars().count() as f64 * 2.2).max(10.0) };
            ws.set_column_width(c as u16, width).map_err(err)?;
            if s.text_columns.contains(&c) {
                ws.set_column_format(c as u16, &text).map_err(err)?;
            }
            ws.write_string_with_format(0, c as u16, h, &bold).map_err(err)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// Most rows one export writes.
pub const MAX_EXPORT_ROWS: u64 = 200_000;

pub async fn cadres(app: &App, actor: &Actor, q: &CadreQuery) -> Result<Vec<u8>> {
    if !actor.can(Permission::RegistryExport) {
        return Err(AppError::Forbidden);
    }
    let items = cadres::rows_all(app, actor, q, MAX_EXPORT_ROWS).await?;
    let ids = dandang_store::ScopedIds::of(&items);
    let sensitive = actor.can(Permission::RegistryReadSensitive);
    let db = app.db().read();
    let mut appts: std::collections::HashMap<uuid::Uuid, Vec<dandang_store::entity::appointment::Model>> =
        Default::default();
    for a in dandang_store::registry::current_appointments(db, &ids).await? {
        appts.entry(a.cadre_id).or_default().push(a);
    }
    let mut tags: std::collections::HashMap<uuid::Uuid, Vec<String>> = Default::default();
    for t in dandang_store::registry::tags_of(db, &ids).await? {
        tags.entry(t.cadre_id).or_default().push(app.policy().tag_title(&t.tag));
    }
    let label =
        |s: Option<&str>, f: fn(&str) -> std::result::Result<String, ()>| s.and_then(|v| f(v).ok()).unwrap_or_default();
    use dandang_domain::registry::{Degree, Education, ManagedBy, PostLevel, Rank, Sex, Tier};
    let mut rows = Vec::with_capacity(items.len());
    for r in &items {
        let a = appts.get(&r.id).and_then(|v| v.first());
        rows.push(vec![
            r.name.clone(),
            label(Some(&r.sex), |v| Sex::parse(v).map(|x| x.label_zh().into()).map_err(|_| ())),
            if sensitive { r.birth_date.to_string() } else { cadres::birth_month(r.birth_date) },
            match &r.id_number {
                Some(n) if sensitive => n.clone(),
                Some(n) => dandang_domain::registry::IdNumber::parse(n).map(|i| i.masked()).unwrap_or_default(),
                None => String::new(),
            },
            r.ethnicity.clone(),
            r.party_join_date.map(|d| d.to_string()).unwrap_or_default(),
            label(r.education.as_deref(), |v| Education::parse(v).map(|x| x.label_zh().into()).map_err(|_| ())),
            label(r.degree.as_deref(), |v| Degree::parse(v).map(|x| x.label_zh().into()).map_err(|_| ())),
            r.unit_name.clone(),
            a.map(|a| a.title.clone()).unwrap_or_default(),
            label(a.and_then(|a| a.tier.as_deref()), |v| Tier::parse(v).map(|x| x.label_zh().into()).map_err(|_| ())),
            label(a.and_then(|a| a.level.as_deref()), |v| {
                PostLevel::parse(v).map(|x| x.label_zh().into()).map_err(|_| ())
            }),
            a.map(|a| a.start_date.to_string()).unwrap_or_default(),
            label(r.rank.as_deref(), |v| Rank::parse(v).map(|x| x.label_zh().into()).map_err(|_| ())),
            label(Some(&r.managed_by), |v| ManagedBy::parse(v).map(|x| x.label_zh().into()).map_err(|_| ())),
            tags.get(&r.id).map(|t| t.join("、")).unwrap_or_default(),
            r.note.clone().unwrap_or_default(),
        ]);
    }
    let bytes = workbook(&[SheetData {
        name: "干部名册".into(),
        headers: CADRE_COLS.iter().map(|c| c.header.to_string()).collect(),
        rows,
        text_columns: text_cols(ImportKind::Cadres),
    }])?;
    let tx = app.db().write().await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("export.cadres", "cadre", "", Place::of_actor(actor))
            .after(&ExportRecord { rows: items.len(), query: format!("{q:?}") }),
    )
    .await?;
    tx.commit().await?;
    Ok(bytes)
}

#[derive(Serialize)]
struct ExportRecord {
    rows: usize,
    query: String,
}

/// Any simple list as a one-sheet workbook (units, users, audit events).
pub async fn table(app: &App, actor: &Actor, what: &'static str, sheet: SheetData) -> Result<Vec<u8>> {
    let rows = sheet.rows.len();
    let bytes = workbook(&[sheet])?;
    let tx = app.db().write().await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new(format!("export.{what}"), what, "", Place::of_actor(actor))
            .after(&serde_json::json!({"rows": rows})),
    )
    .await?;
    tx.commit().await?;
    Ok(bytes)
}

/// The unit list under the same filters as the list page.
pub async fn units(app: &App, actor: &Actor, q: &crate::registry::units::UnitQuery) -> Result<Vec<u8>> {
    if !actor.can(Permission::RegistryExport) {
        return Err(AppError::Forbidden);
    }
    let mut rows = Vec::new();
    let mut q = q.clone();
    q.per_page = Some(200);
    for page in 1.. {
        q.page = Some(page);
        let p = crate::registry::units::list(app, actor, &q).await?;
        for u in &p.items {
            rows.push(vec![
                u.name.clone(),
                u.short_name.clone().unwrap_or_default(),
                u.unit_type_label.clone(),
                u.jurisdiction_code.clone(),
                u.jurisdiction_name.clone(),
                u.sort_order.to_string(),
            ]);
        }
        if page >= p.pages || rows.len() as u64 >= MAX_EXPORT_ROWS {
            break;
        }
    }
    table(
        app,
        actor,
        "units",
        SheetData {
            name: "单位名册".into(),
            headers: ["单位名称", "单位简称", "单位类型", "行政区划代码", "行政区划", "排序号"]
                .map(String::from)
                .to_vec(),
            rows,
            text_columns: vec![3],
        },
    )
    .await
}

/// The audit trail under a filter, for auditors.
pub async fn audit_events(app: &App, actor: &Actor, f: &dandang_store::audit::EventFilter) -> Result<Vec<u8>> {
    let mut rows = Vec::new();
    let mut paging = crate::registry::Paging::first(crate::registry::Paging::MAX_PER_PAGE_AUDIT);
    loop {
        let (items, total) = crate::audit::list(app, actor, f, paging).await?;
        for e in &items {
            rows.push(vec![
                e.seq.to_string(),
                e.at.clone(),
                e.actor_name.clone(),
                e.action_label.clone(),
                e.action.clone(),
                e.entity_label.clone(),
                e.entity_id.clone().unwrap_or_default(),
                e.before.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                e.after.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                e.request_id.clone().unwrap_or_default(),
                e.hash.clone(),
            ]);
        }
        if items.is_empty() || paging.page * paging.per_page >= total || rows.len() as u64 >= MAX_EXPORT_ROWS {
            break;
        }
        paging = paging.next();
    }
    table(
        app,
        actor,
        "audit",
        SheetData {
            name: "审计记录".into(),
            headers: [
                "序号",
                "时间",
                "操作人",
                "操作",
                "操作代码",
                "对象类型",
                "对象编号",
                "修改前",
                "修改后",
                "请求编号",
                "哈希",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            text_columns: vec![6, 9, 10],
        },
    )
    .await
}

/// Users the administrator's scope covers.
pub async fn users(app: &App, actor: &Actor) -> Result<Vec<u8>> {
    let list = crate::users::list(app, actor).await?;
    let rows = list
        .iter()
        .map(|u| {
            vec![
                u.username.clone(),
                u.display_name.clone(),
                u.role_label.clone(),
                u.jurisdiction_name.clone(),
                u.unit_name.clone().unwrap_or_default(),
                u.managed_by_label.clone(),
                if !u.active {
                    "已停用"
                } else if u.locked {
                    "已锁定"
                } else {
                    "正常"
                }
                .into(),
            ]
        })
        .collect();
    table(
        app,
        actor,
        "users",
        SheetData {
            name: "用户".into(),
            headers: ["用户名", "姓名或部门", "角色", "管辖范围", "所在单位", "管理权限", "状态"]
                .map(String::from)
                .to_vec(),
            rows,
            text_columns: vec![],
        },
    )
    .await
}

/// The jurisdiction tree under the actor's scope.
pub async fn jurisdictions(app: &App, actor: &Actor) -> Result<Vec<u8>> {
    if !actor.can(Permission::RegistryExport) {
        return Err(AppError::Forbidden);
    }
    let list = crate::registry::jurisdictions::list(app, actor).await?;
    let rows = list.iter().map(|j| vec![j.code.clone(), j.name.clone(), j.level_label.clone()]).collect();
    table(
        app,
        actor,
        "jurisdictions",
        SheetData {
            name: "行政区划".into(),
            headers: ["行政区划代码", "名称", "层级"].map(String::from).to_vec(),
            rows,
            text_columns: vec![0],
        },
    )
    .await
}
