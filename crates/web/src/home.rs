//! The home page: what needs the user's attention, by role.

#[allow(unused_imports)] // askama resolves `|zh` through this path
use crate::filters;
use askama::Template;
use askama_web::WebTemplate;
use axum::{extract::State, response::IntoResponse};
use dandang_domain::access::Permission;

use crate::{
    AppState,
    auth::UiAuth,
    pages::{Layout, OrPage, PageResult, layout, weekday},
    routes::Routes,
};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/", home)
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    stats: Vec<(String, u64, String)>,
    today: String,
    today_kind: String,
    next_workdays: Vec<String>,
    calendar_until: String,
    packs_in_use: Vec<String>,
    self_cadre: Option<String>,
}

async fn home(State(s): State<AppState>, UiAuth(info): UiAuth) -> PageResult {
    let a = &info.actor;
    let mut stats = Vec::new();
    if a.can(Permission::RegistryRead) && a.scope.cadre_id.is_none() {
        let (total, by_level) = dandang_app::registry::cadres::counts(&s.app, a).await.or_page(&info)?;
        stats.push(("在职干部".to_string(), total, "/cadres".to_string()));
        for (m, n) in by_level {
            stats.push((format!("其中{}", m.label_zh()), n, format!("/cadres?managed_by={}", m.code())));
        }
        let units = dandang_app::registry::units::list(&s.app, a, &Default::default()).await.or_page(&info)?;
        stats.push(("单位".into(), units.total, "/units".into()));
    }
    if a.can(Permission::MeasureRead) && a.scope.cadre_id.is_none() {
        let soon = dandang_app::follow_up::ending_within(&s.app, a, 30).await.or_page(&info)?;
        stats.push(("影响期 30 天内届满".into(), soon.len() as u64, "/impact?days=30#ending".into()));
        let fus = dandang_app::follow_up::list(&s.app, a, None).await.or_page(&info)?;
        let open = dandang_app::follow_up::in_progress(&fus) as u64;
        stats.push(("回访教育中的干部".into(), open, "/follow-ups".into()));
    }
    if a.can(Permission::SupervisionRead) && a.scope.cadre_id.is_none() {
        let q = dandang_app::supervision::cases::CaseQuery { todo: Some(true), ..Default::default() };
        let todo = dandang_app::supervision::cases::list(&s.app, a, &q).await.or_page(&info)?;
        let late = todo.iter().filter(|c| c.late).count() as u64;
        stats.push(("督查问效待我办理".into(), todo.len() as u64, "/supervision/cases?todo=1".into()));
        stats.push(("其中已逾期".into(), late, "/supervision/cases?todo=1".into()));
    }
    if a.can(Permission::ToleranceHandle) || a.can(Permission::ToleranceDecide) || a.can(Permission::ToleranceReport) {
        let q = dandang_app::tolerance::CaseQuery { state: None, todo: Some(true) };
        let todo = dandang_app::tolerance::list(&s.app, a, &q).await.or_page(&info)?;
        let count = |f: fn(&dandang_app::tolerance::CaseSummary) -> bool| todo.iter().filter(|c| f(c)).count() as u64;
        stats.push(("容错纠错待我办理".into(), todo.len() as u64, "/tolerance?todo=1".into()));
        stats.push(("其中即将到期".into(), count(|c| c.due_soon), "/tolerance?todo=1".into()));
        stats.push(("其中已逾期".into(), count(|c| c.late), "/tolerance?todo=1".into()));
    }
    // Bodies that only receive decision letters (巡察机构, 审计部门).
    if a.can(Permission::ToleranceLetterRead) && !a.can(Permission::ToleranceRead) {
        let copies = dandang_app::tolerance::copies(&s.app, a).await.or_page(&info)?;
        stats.push(("抄送的容错处理决定书".into(), copies.len() as u64, "/tolerance#tolerance-copies".into()));
    }
    let today = dandang_app::clock::today();
    let day = dandang_app::workdays::day(&s.app, today);
    let mut next = Vec::new();
    let mut d = today;
    for _ in 0..5 {
        if let Some(x) = s.app.calendar().add_working_days(d, 1) {
            next.push(format!("{}（{}）", x.value, weekday(x.value)));
            d = x.value;
        }
    }
    let policy = s.app.policy();
    // Titles name the place each pack serves; codes and prefixes are the
    // administrator's business (the policy page shows them to them).
    let mut packs = vec![format!("{}（未另行规定的地方均适用）", pack_title(&s, &policy.default_pack))];
    for (_, p) in &policy.by_jurisdiction {
        packs.push(pack_title(&s, p));
    }
    Ok(HomePage {
        l: layout(&info, "首页", "/"),
        stats,
        today: format!("{today}（{}）", weekday(today)),
        today_kind: day.result.kind_label.to_string(),
        next_workdays: next,
        calendar_until: s.app.calendar().loaded_years().map(|(_, b)| format!("{b} 年")).unwrap_or_else(|| "无".into()),
        packs_in_use: packs,
        self_cadre: a.scope.cadre_id.map(|c| c.to_string()),
    }
    .into_response())
}

fn pack_title(s: &AppState, id: &str) -> String {
    s.app.policy().set.packs.get(id).map(|p| p.title.clone()).unwrap_or_else(|| id.to_string())
}
