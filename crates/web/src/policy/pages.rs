//! The read-only policy catalogue and the working-day calculator.

#[allow(unused_imports)] // askama resolves `|zh` through this path
use crate::filters;
use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    response::IntoResponse,
};
use chrono::{Datelike, NaiveDate};
use dandang_app::{
    AppError,
    policy::{PackDetail, PackSummary},
    workdays,
};
use dandang_domain::policy::TestOutcome;
use serde::Deserialize;

use crate::pages::{Layout, OrPage, PageError, PageResult, layout, weekday};
use crate::routes::Routes;
use crate::{AppState, auth::UiAuth};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/policy", policy).get("/workdays", calc)
}

#[derive(Template, WebTemplate)]
#[template(path = "policy.html")]
struct PolicyPage {
    l: Layout,
    packs: Vec<PackSummary>,
    d: PackDetail,
    on: String,
    tests: Option<Vec<TestOutcome>>,
    tests_passed: usize,
    /// The packs' self-tests, entry ids and pack codes are for who maintains
    /// them, the administrator; everyone else reads titles.
    can_check: bool,
}

impl PolicyPage {
    /// A pack by its title ("浙江省"), the code only if it has none.
    fn pack_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.packs.iter().find(|p| p.id == id).map(|p| p.title.as_str()).unwrap_or(id)
    }
}

#[derive(Deserialize, Default)]
struct PolicyQuery {
    pack: Option<String>,
    on: Option<String>,
    check: Option<String>,
}

async fn policy(State(s): State<AppState>, UiAuth(info): UiAuth, Query(q): Query<PolicyQuery>) -> PageResult {
    let p = s.app.policy();
    let pack = q.pack.clone().filter(|x| !x.is_empty()).unwrap_or_else(|| p.default_pack.clone());
    let on = match q.on.as_deref().filter(|x| !x.is_empty()) {
        Some(d) => workdays::parse_date_arg("on", "查询日期", d).or_page(&info)?,
        None => dandang_app::clock::today(),
    };
    let d = p.detail(&pack, on).ok_or_else(|| PageError(AppError::NotFound("规则包"), Some(Box::new(info.clone()))))?;
    let can_check = info.actor.role == dandang_domain::access::Role::Admin;
    let tests = (can_check && q.check.is_some()).then(|| p.run_tests());
    let tests_passed = tests.as_ref().map(|t| t.iter().filter(|x| x.passed).count()).unwrap_or(0);
    Ok(PolicyPage {
        l: layout(&info, "规则库", "/policy"),
        packs: p.summaries(),
        d,
        on: on.to_string(),
        tests,
        tests_passed,
        can_check,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
struct CalcQuery {
    date: Option<String>,
    n: Option<String>,
    from: Option<String>,
    to: Option<String>,
    day: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "workdays.html")]
struct WorkdaysPage {
    l: Layout,
    q: CalcQuery,
    add_result: Option<String>,
    between_result: Option<String>,
    day_result: Option<String>,
    error: Option<String>,
    warning: Option<String>,
    year: i32,
    holidays: Vec<(String, String)>,
    loaded: String,
}

async fn calc(State(s): State<AppState>, UiAuth(info): UiAuth, Query(q): Query<CalcQuery>) -> PageResult {
    let mut page = WorkdaysPage {
        l: layout(&info, "工作日计算", "/workdays"),
        add_result: None,
        between_result: None,
        day_result: None,
        error: None,
        warning: None,
        year: dandang_app::clock::today().year(),
        holidays: vec![],
        loaded: s.app.calendar().loaded_years().map(|(a, b)| format!("{a}–{b} 年")).unwrap_or_else(|| "无".into()),
        q: CalcQuery::default(),
    };
    let nonempty = |o: &Option<String>| o.as_deref().filter(|x| !x.is_empty()).map(String::from);
    #[derive(Default)]
    struct Answers {
        add: Option<String>,
        between: Option<String>,
        day: Option<String>,
        warning: Option<String>,
    }
    let run = || -> Result<Answers, AppError> {
        let mut warn = None;
        let (mut a, mut b, mut c) = (None, None, None);
        if let (Some(d), Some(n)) = (nonempty(&q.date), nonempty(&q.n)) {
            let r = workdays::add(&s.app, workdays::parse_date_arg("date", "起始日期", &d)?, workdays::parse_n(&n)?)?;
            a = Some(format!("{d} 之后第 {n} 个工作日是 {}（{}）", r.result, weekday(r.result)));
            warn = warn.or(r.warning);
        }
        if let (Some(f), Some(t)) = (nonempty(&q.from), nonempty(&q.to)) {
            let r = workdays::between(
                &s.app,
                workdays::parse_date_arg("from", "开始日期", &f)?,
                workdays::parse_date_arg("to", "结束日期", &t)?,
            )?;
            b = Some(format!("{f}（不含）至 {t}（含）之间共有 {} 个工作日", r.result));
            warn = warn.or(r.warning);
        }
        if let Some(d) = nonempty(&q.day) {
            let r = workdays::day(&s.app, workdays::parse_date_arg("day", "日期", &d)?);
            c = Some(format!("{d}（{}）：{}", weekday(r.result.date), r.result.kind_label));
            warn = warn.or(r.warning);
        }
        Ok(Answers { add: a, between: b, day: c, warning: warn })
    };
    match run() {
        Ok(x) => {
            page.add_result = x.add;
            page.between_result = x.between;
            page.day_result = x.day;
            page.warning = x.warning;
        }
        Err(e) => page.error = Some(e.message_zh()),
    }
    let year = page.year;
    let cal = s.app.calendar();
    let holidays: Vec<NaiveDate> = cal.holidays_in(year);
    let workdays: Vec<NaiveDate> = cal.workdays_in(year);
    page.holidays = holidays
        .iter()
        .map(|d| (format!("{d}（{}）", weekday(*d)), "放假".to_string()))
        .chain(workdays.iter().map(|d| (format!("{d}（{}）", weekday(*d)), "调休上班".to_string())))
        .collect();
    page.holidays.sort();
    page.q = q;
    Ok(page.into_response())
}
