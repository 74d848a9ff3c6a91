//! What the supervision office reads: a cadre's supervision file (督查档案),
//! the dashboard, and the documents a reminder sends out.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use dandang_domain::{
    access::{Actor, Permission},
    supervision::{
        case::{CaseKind, CaseState},
        params::{Letter, ReminderLetter, WorkNotice},
    },
};
use dandang_store::{ScopedIds, measures as measure_store, supervision as store};
use serde::Serialize;
use uuid::Uuid;

use super::{
    ItemView, UnitRef,
    cases::{self, CaseSummary},
};
use crate::{
    App, access,
    access::require,
    audit::{self, Place},
    clock,
    error::{AppError, Result},
    exports::{self, SheetData},
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FileEntry {
    pub date: NaiveDate,
    /// 工作约谈 / 工作提醒 / 约谈记录 / 问责处理
    pub kind: String,
    pub title: String,
    pub detail: Option<String>,
    pub actor: Option<String>,
    pub late: bool,
    pub case_id: Option<Uuid>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SupervisionFile {
    pub cadre_id: Uuid,
    pub cadre_name: String,
    pub unit_name: String,
    pub interviews: usize,
    pub reminders: usize,
    /// Measures that came out of 督查问效; left out for roles that do not read measures.
    pub measures_shown: bool,
    pub entries: Vec<FileEntry>,
}

/// Every reminder, interview, record, rectification step, escalation decision
/// and resulting measure about a cadre, in time order. Audited.
pub async fn file(app: &App, actor: &Actor, cadre_id: Uuid) -> Result<SupervisionFile> {
    require(actor, Permission::SupervisionRead)?;
    let c = access::cadre(app, actor, cadre_id).await?;
    // The cases the actor sees (a request not yet approved is not on file for them).
    let f = store::CaseFilter { cadre_id: Some(cadre_id), ..Default::default() };
    let rows = store::cases_in_scope(app.db().read(), actor, &f).await?;
    let steps = store::steps_of(app.db().read(), &ScopedIds::of(&rows)).await?;
    let interviews = store::interviews_of(app.db().read(), &c).await?;
    let mut entries = Vec::new();
    let mut reminders = 0;
    for m in &rows {
        let kind = CaseKind::parse(&m.kind).map_err(|_| AppError::Internal("case kind".into()))?;
        if kind == CaseKind::Reminder {
            reminders += 1;
        }
        for s in steps.iter().filter(|s| s.case_id == m.id) {
            let v = cases::step_view(kind, s);
            entries.push(FileEntry {
                date: s.on_date,
                kind: kind.label_zh().into(),
                title: v.action_label,
                detail: v.note,
                actor: Some(v.actor),
                late: v.late,
                case_id: Some(m.id),
            });
        }
    }
    for i in &interviews {
        entries.push(FileEntry {
            date: i.held_on,
            kind: "约谈记录".into(),
            title: if i.origin == "workflow" { "约谈记录归档".into() } else { "约谈记录（补录）".into() },
            detail: Some(i.record.clone()),
            actor: None,
            late: false,
            case_id: rows.iter().find(|m| m.interview_id == Some(i.id)).map(|m| m.id),
        });
    }
    let measures_shown = actor.can(Permission::MeasureRead);
    if measures_shown {
        for m in measure_store::measures_of(app.db().read(), &c).await?.iter().filter(|m| m.origin == "supervision") {
            let v = crate::measures::view(m, clock::today());
            entries.push(FileEntry {
                date: m.decided_on,
                kind: "问责处理".into(),
                title: v.label.clone(),
                detail: Some(format!("{}：{}", m.deciding_body, m.basis)),
                actor: None,
                late: false,
                case_id: m.origin_ref.as_deref().and_then(|r| r.parse().ok()),
            });
        }
    }
    entries.sort_by_key(|e| e.date);
    audit::record_read(app, actor, "cadre", cadre_id, Place::of_cadre(&c), &format!("{}的督查档案", c.name)).await?;
    Ok(SupervisionFile {
        cadre_id,
        cadre_name: c.name.clone(),
        unit_name: c.unit_name.clone(),
        interviews: interviews.len(),
        reminders,
        measures_shown,
        entries,
    })
}

/// The supervision file as a workbook.
pub async fn export_file(app: &App, actor: &Actor, cadre_id: Uuid) -> Result<(String, Vec<u8>)> {
    let f = file(app, actor, cadre_id).await?;
    let sheet = SheetData {
        name: "督查档案".into(),
        headers: ["日期", "类别", "事项", "内容", "经办", "是否逾期"].map(String::from).to_vec(),
        rows: f
            .entries
            .iter()
            .map(|e| {
                vec![
                    e.date.to_string(),
                    e.kind.clone(),
                    e.title.clone(),
                    e.detail.clone().unwrap_or_default(),
                    e.actor.clone().unwrap_or_default(),
                    if e.late { "逾期".into() } else { String::new() },
                ]
            })
            .collect(),
        text_columns: vec![0],
    };
    let bytes = exports::table(app, actor, "supervision_file", sheet).await?;
    Ok((format!("{}-督查档案.xlsx", f.cadre_name), bytes))
}

#[derive(Clone, Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = SupervisionFileCount)]
pub struct Count {
    pub code: String,
    pub label: String,
    pub count: usize,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitOverdue {
    pub unit: UnitRef,
    /// Items led by the unit that are overdue (red).
    pub overdue_items: usize,
    /// Reminders and interviews whose current step is late.
    pub late_cases: usize,
    pub total: usize,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub today: NaiveDate,
    pub items_by_light: Vec<Count>,
    pub units_by_overdue: Vec<UnitOverdue>,
    /// Lead units of open items that reported nothing within the report interval.
    pub silent_units: Vec<Count>,
    pub interviews_this_year: usize,
    pub interview_cases_by_state: Vec<Count>,
    pub reminder_cases_by_state: Vec<Count>,
    /// Rectification after interviews and reminders: awaiting plan, rectifying, recheck, closed.
    pub rectification: Vec<Count>,
    pub late_cases: Vec<CaseSummary>,
    pub todo: Vec<CaseSummary>,
    /// Items where the user is named as principal or leader in charge.
    pub portfolio: Vec<ItemView>,
    /// Task letters addressed to the user.
    pub my_letters: Vec<super::letters::LetterSummary>,
}

pub async fn dashboard(app: &App, actor: &Actor) -> Result<Dashboard> {
    use dandang_domain::supervision::Light;
    require(actor, Permission::SupervisionRead)?;
    let today = clock::today();
    let items = super::list_items(app, actor, None).await?;
    let items_by_light = Light::ALL
        .iter()
        .map(|l| Count {
            code: l.code().into(),
            label: l.label_zh().into(),
            count: items.iter().filter(|i| i.status == l.code()).count(),
        })
        .collect();
    let all = cases::summaries(app, actor, &Default::default(), false, false).await?;
    let mut by_unit: BTreeMap<Uuid, UnitOverdue> = BTreeMap::new();
    let mut bump = |u: &UnitRef, item: bool| {
        let e =
            by_unit.entry(u.id).or_insert(UnitOverdue { unit: u.clone(), overdue_items: 0, late_cases: 0, total: 0 });
        if item {
            e.overdue_items += 1
        } else {
            e.late_cases += 1
        }
        e.total += 1;
    };
    for i in items.iter().filter(|i| i.status == Light::Red.code()) {
        bump(&i.lead_unit, true);
    }
    for c in all.iter().filter(|c| c.late) {
        bump(&c.unit, false);
    }
    let mut units_by_overdue: Vec<UnitOverdue> = by_unit.into_values().collect();
    units_by_overdue.sort_by(|a, b| b.total.cmp(&a.total).then(a.unit.name.cmp(&b.unit.name)));
    let mut silent: BTreeMap<Uuid, Count> = BTreeMap::new();
    for i in items.iter().filter(|i| i.silent) {
        silent
            .entry(i.lead_unit.id)
            .or_insert(Count { code: i.lead_unit.id.to_string(), label: i.lead_unit.name.clone(), count: 0 })
            .count += 1;
    }
    let mut silent_units: Vec<Count> = silent.into_values().collect();
    silent_units.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("1 January");
    let interviews_this_year =
        store::interviews_in_scope(app.db().read(), &actor.scope, year_start, today).await?.len();
    let count_states = |kind: CaseKind| -> Vec<Count> {
        CaseState::ALL
            .iter()
            .filter(|s| kind == CaseKind::Interview || **s != CaseState::Planned)
            .map(|s| Count {
                code: s.code().into(),
                label: s.label_for(kind).into(),
                count: all.iter().filter(|c| c.kind == kind.code() && c.state == s.code()).count(),
            })
            .collect()
    };
    let rect_states = [CaseState::AwaitingPlan, CaseState::Rectifying, CaseState::Recheck, CaseState::Closed];
    let mut rectification: Vec<Count> = rect_states
        .iter()
        .map(|s| Count {
            code: s.code().into(),
            label: s.label_zh().into(),
            count: all.iter().filter(|c| c.state == s.code()).count(),
        })
        .collect();
    rectification.push(Count {
        code: "late".into(),
        label: "整改环节逾期".into(),
        count: all.iter().filter(|c| c.late && rect_states[..3].iter().any(|s| s.code() == c.state)).count(),
    });
    let name = actor.display_name.as_str();
    let portfolio = items
        .iter()
        .filter(|i| i.principal.as_deref() == Some(name) || i.leader_in_charge.as_deref() == Some(name))
        .cloned()
        .collect();
    let my_letters = super::letters::list_over(app, actor, &items)
        .await?
        .into_iter()
        .filter(|l| l.leader_user_id == Some(actor.user_id.0))
        .collect();
    Ok(Dashboard {
        my_letters,
        today,
        items_by_light,
        units_by_overdue,
        silent_units,
        interviews_this_year,
        interview_cases_by_state: count_states(CaseKind::Interview),
        reminder_cases_by_state: count_states(CaseKind::Reminder),
        rectification,
        late_cases: all.iter().filter(|c| c.late).cloned().collect(),
        todo: all.iter().filter(|c| c.todo).cloned().collect(),
        portfolio,
    })
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Document {
    pub title: String,
    pub doc_no: String,
    pub addressee: String,
    pub paragraphs: Vec<String>,
    pub issuer: String,
    pub date: NaiveDate,
}

/// The reminder letter to the department and the work notice to its leader
/// in charge, once the reminder has been issued.
pub async fn reminder_documents(app: &App, actor: &Actor, id: Uuid) -> Result<Vec<Document>> {
    let v = cases::get(app, actor, id).await?;
    if v.kind != CaseKind::Reminder.code() {
        return Err(AppError::NotFound("工作提醒"));
    }
    let (Some(doc_no), Some(due)) = (v.doc_no.clone(), v.rectification_plan_due) else {
        return Err(AppError::IllegalTransition("工作提醒尚未发出，还没有提醒函和工作通知".into()));
    };
    let issued = v.steps.iter().find(|s| s.action == "issue").ok_or(AppError::NotFound("发出记录"))?;
    let situations = v.triggers.iter().map(|t| t.title.as_str()).collect::<Vec<_>>().join("；");
    let months = cases::deadlines_for(app, actor, v.unit.id, issued.on_date).await?.report_months.to_string();
    let pack = cases::pack_of_unit(app, actor, v.unit.id).await?;
    let on = issued.on_date;
    let wording = |id: &str| -> Result<Letter> {
        let r = app.policy().resolved(&pack);
        let w = match id {
            "supervision.wording.reminder_letter" => r.value::<ReminderLetter>(id, on).map(|o| o.map(|v| v.value.0)),
            _ => r.value::<WorkNotice>(id, on).map(|o| o.map(|v| v.value.0)),
        };
        w.map_err(AppError::Config)?.ok_or_else(|| AppError::Conflict(format!("规则包 {pack} 在 {on} 没有{id}的措辞")))
    };
    let due = cn_date(due);
    let leader = v.cadre.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let blanks: [(&str, &str); 7] = [
        ("unit", &v.unit.name),
        ("situations", &situations),
        ("facts", &v.facts),
        ("due", &due),
        ("months", &months),
        ("doc_no", &doc_no),
        ("leader", &leader),
    ];
    let write = |w: Letter, doc_no: String| Document {
        title: w.title,
        doc_no,
        addressee: w.addressee.fill(&blanks),
        paragraphs: w.paragraphs.iter().map(|p| p.fill(&blanks)).collect(),
        issuer: issued.actor.clone(),
        date: on,
    };
    let mut out = vec![write(wording("supervision.wording.reminder_letter")?, doc_no.clone())];
    if v.cadre.is_some() {
        let w = wording("supervision.wording.work_notice")?;
        let no = w.doc_no.as_ref().map(|n| n.fill(&blanks)).unwrap_or_else(|| doc_no.clone());
        out.push(write(w, no));
    }
    Ok(out)
}

/// The reminder letter and the work notice in one PDF, laid out like every
/// official document dandang writes; the file is named after the letter's number.
pub async fn reminder_documents_pdf(app: &App, actor: &Actor, id: Uuid) -> Result<(String, Vec<u8>)> {
    let docs = reminder_documents(app, actor, id).await?;
    let letters: Vec<crate::documents::Letter> = docs
        .iter()
        .map(|d| crate::documents::Letter {
            title: d.title.clone(),
            doc_no: Some(d.doc_no.clone()),
            addressee: d.addressee.clone(),
            paragraphs: d.paragraphs.clone(),
            issuer: d.issuer.clone(),
            date: cn_date(d.date),
            copies: None,
        })
        .collect();
    let name = docs.first().map(|d| d.doc_no.clone()).unwrap_or_default();
    Ok((name, crate::documents::pdf_all(&letters)?))
}

use crate::documents::cn_date;
