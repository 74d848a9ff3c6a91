use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use dandang_domain::{
    access::{Actor, Permission},
    error::{Invalid, Problem},
    ids::CadreId,
    registry::{Degree, Education, IdNumber, ManagedBy, PostLevel, Rank, Sex, Tier, age_on, parse_ethnicity},
    text::{self, name_keys},
};
use dandang_store::{
    InScope, ScopedIds,
    entity::{appointment, cadre},
    registry::{self, CadreFilter, CadreRow, CadreSort, UnitRow},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Page, Paging, require};
use crate::{
    App, access,
    audit::{self, Event, Place},
    clock,
    error::{AppError, Result},
    registry::appointments::{AppointmentView, appointment_views},
};

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CadreQuery {
    /// 姓名、拼音或首字母；有权限时也可为完整公民身份号码
    pub q: Option<String>,
    /// 行政区划代码（含下级）
    pub jurisdiction: Option<String>,
    /// 单位（含下属单位）
    pub unit: Option<Uuid>,
    /// province / city / county 或 省管 / 市管 / 县管
    pub managed_by: Option<String>,
    pub sex: Option<String>,
    pub rank: Option<String>,
    pub tier: Option<String>,
    pub level: Option<String>,
    pub tag: Option<String>,
    pub education: Option<String>,
    /// 最小年龄（周岁）；空表示不限
    pub age_min: Option<String>,
    /// 最大年龄（周岁）；空表示不限
    pub age_max: Option<String>,
    /// unit（默认）/ name / birth / -birth
    pub sort: Option<String>,
    /// 含已离任、退休等不在职干部
    pub include_inactive: Option<bool>,
    /// 页码，默认 1
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// 每页条数，默认 50
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CadreListItem {
    pub id: Uuid,
    pub name: String,
    pub sex: String,
    pub sex_label: String,
    /// Only for roles allowed sensitive reads; others get `birth_month`.
    pub birth_date: Option<NaiveDate>,
    /// 出生年月, e.g. `1975-03`.
    pub birth_month: String,
    pub age: i32,
    pub ethnicity: String,
    pub education_label: Option<String>,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub jurisdiction_name: String,
    pub current_posts: Vec<String>,
    pub rank_label: Option<String>,
    pub managed_by: String,
    pub managed_by_label: String,
    pub active: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CadreDetail {
    pub id: Uuid,
    pub name: String,
    pub sex: String,
    pub sex_label: String,
    /// Only for roles allowed sensitive reads: with the masked number the
    /// full birth date would give back the digits the mask hides.
    pub birth_date: Option<NaiveDate>,
    /// 出生年月, e.g. `1975-03`.
    pub birth_month: String,
    pub age: i32,
    /// Full number only for roles allowed sensitive reads; masked otherwise.
    pub id_number: Option<String>,
    pub id_number_masked: bool,
    pub ethnicity: String,
    pub party_join_date: Option<NaiveDate>,
    pub education: Option<String>,
    pub education_label: Option<String>,
    pub degree: Option<String>,
    pub degree_label: Option<String>,
    pub unit_id: Uuid,
    pub unit_name: String,
    pub jurisdiction_name: String,
    pub rank: Option<String>,
    pub rank_label: Option<String>,
    pub managed_by: String,
    pub managed_by_label: String,
    pub tags: Vec<TagView>,
    pub active: bool,
    pub note: Option<String>,
    pub version: i32,
    pub current_posts: Vec<String>,
    pub appointments: Vec<AppointmentView>,
    pub timeline: Vec<TimelineEvent>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TagView {
    pub code: String,
    pub title: String,
}

/// One dated line on a cadre's page. Later modules (measures, supervision,
/// tolerance) add their own kinds.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEvent {
    pub date: NaiveDate,
    pub kind: String,
    pub kind_label: String,
    pub text: String,
}

fn label<T: Copy>(
    s: Option<&str>,
    parse: impl Fn(&str) -> std::result::Result<T, Problem>,
    l: impl Fn(T) -> &'static str,
) -> Option<String> {
    s.and_then(|v| parse(v).ok()).map(|v| l(v).to_string())
}

fn post_label(a: &appointment::Model) -> String {
    a.title.clone()
}

pub fn birth_month(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

fn list_item(r: &CadreRow, posts: &[String], today: NaiveDate, sensitive: bool) -> CadreListItem {
    CadreListItem {
        id: r.id,
        name: r.name.clone(),
        sex_label: label(Some(&r.sex), Sex::parse, Sex::label_zh).unwrap_or_default(),
        sex: r.sex.clone(),
        birth_date: sensitive.then_some(r.birth_date),
        birth_month: birth_month(r.birth_date),
        age: age_shown(r.birth_date, today, sensitive),
        ethnicity: r.ethnicity.clone(),
        education_label: label(r.education.as_deref(), Education::parse, Education::label_zh),
        unit_id: r.unit_id,
        unit_name: r.unit_name.clone(),
        jurisdiction_name: r.jurisdiction_name.clone(),
        current_posts: posts.to_vec(),
        rank_label: label(r.rank.as_deref(), Rank::parse, Rank::label_zh),
        managed_by_label: label(Some(&r.managed_by), ManagedBy::parse, ManagedBy::label_zh).unwrap_or_default(),
        managed_by: r.managed_by.clone(),
        active: r.active,
    }
}

async fn filter_from(app: &App, actor: &Actor, q: &CadreQuery) -> Result<CadreFilter> {
    let db = app.db().read();
    let scope = &actor.scope;
    let today = clock::today();
    let mut f = CadreFilter {
        // Reduced like stored names (zero-width characters gone, NFC).
        q: q.q.as_deref().map(dandang_domain::text::normalize).filter(|s| !s.is_empty()),
        q_matches_id_number: actor.can(Permission::RegistryReadSensitive),
        include_inactive: q.include_inactive.unwrap_or(false),
        ..Default::default()
    };
    let mut inv = Invalid::new();
    let non_empty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    if let Some(code) = non_empty(&q.jurisdiction) {
        match registry::jurisdiction_by_code(db, scope, &code).await? {
            Some(j) => f.jurisdiction_path = Some(j.path.clone()),
            None => inv.push("jurisdiction", "行政区划", Problem::NotFound),
        }
    }
    if let Some(uid) = q.unit {
        match registry::unit(db, scope, uid).await? {
            Some(u) => f.unit_path = Some(u.path.clone()),
            None => inv.push("unit", "单位", Problem::NotFound),
        }
    }
    if let Some(v) = non_empty(&q.managed_by) {
        f.managed_by = inv.take("managed_by", "管理权限", ManagedBy::parse(&v)).map(|m| m.code().into());
    }
    if let Some(v) = non_empty(&q.sex) {
        f.sex = inv.take("sex", "性别", Sex::parse(&v)).map(|m| m.code().into());
    }
    if let Some(v) = non_empty(&q.rank) {
        f.rank = inv.take("rank", "职级", Rank::parse(&v)).map(|m| m.code().into());
    }
    if let Some(v) = non_empty(&q.tier) {
        f.tier = inv.take("tier", "职务层次", Tier::parse(&v)).map(|m| m.code().into());
    }
    if let Some(v) = non_empty(&q.level) {
        f.level = inv.take("level", "正副职", PostLevel::parse(&v)).map(|m| m.code().into());
    }
    if let Some(v) = non_empty(&q.education) {
        f.education = inv.take("education", "学历", Education::parse(&v)).map(|m| m.code().into());
    }
    f.tag = non_empty(&q.tag);
    let mut age = |field: &str, label: &str, v: &Option<String>| -> Option<i32> {
        let t = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        match t.parse::<i32>() {
            Ok(a) if (16..=100).contains(&a) => Some(a),
            _ => {
                inv.push(field, label, Problem::OutOfRange { min: 16, max: 100 });
                None
            }
        }
    };
    let age_min = age("age_min", "最小年龄", &q.age_min);
    let age_max = age("age_max", "最大年龄", &q.age_max);
    inv.into_result()?;
    if !actor.can(Permission::RegistryReadSensitive) {
        // Whole months, matching the age such a reader is shown.
        use dandang_domain::registry::{month_after, month_end};
        f.born_after = age_max.and_then(|a| month_after(today, a + 1));
        f.born_before = age_min.and_then(|a| month_end(today, a));
        return Ok(f);
    }
    // Age a ⇔ born in (today − (a+1) years, today − a years].
    if let Some(a) = age_max {
        f.born_after = today.with_year_sub(a + 1).and_then(|d| d.succ_opt());
    }
    if let Some(a) = age_min {
        f.born_before = today.with_year_sub(a);
    }
    Ok(f)
}

trait YearSub {
    fn with_year_sub(self, years: i32) -> Option<NaiveDate>;
}

impl YearSub for NaiveDate {
    fn with_year_sub(self, years: i32) -> Option<NaiveDate> {
        use chrono::Datelike;
        let y = self.year() - years;
        NaiveDate::from_ymd_opt(y, self.month(), self.day()).or_else(|| NaiveDate::from_ymd_opt(y, self.month(), 28))
    }
}

fn sort_from(s: Option<&str>, sensitive: bool) -> CadreSort {
    match (s, sensitive) {
        (Some("name"), _) => CadreSort::Name,
        (Some("birth"), true) => CadreSort::BirthAsc,
        (Some("-birth"), true) => CadreSort::BirthDesc,
        (Some("birth"), false) => CadreSort::BirthMonthAsc,
        (Some("-birth"), false) => CadreSort::BirthMonthDesc,
        _ => CadreSort::Unit,
    }
}

/// Age as a reader without the sensitive right may know it: from the birth
/// month alone, so that neither the age nor its change on a given day tells
/// the day of birth.
fn age_shown(birth: NaiveDate, today: NaiveDate, sensitive: bool) -> i32 {
    if sensitive { age_on(birth, today) } else { dandang_domain::registry::age_by_month(birth, today) }
}

async fn posts_by_cadre(app: &App, ids: &ScopedIds) -> Result<HashMap<Uuid, Vec<String>>> {
    let mut m: HashMap<Uuid, Vec<String>> = HashMap::new();
    for a in registry::current_appointments(app.db().read(), ids).await? {
        m.entry(a.cadre_id).or_default().push(post_label(&a));
    }
    Ok(m)
}

pub async fn list(app: &App, actor: &Actor, q: &CadreQuery) -> Result<Page<CadreListItem>> {
    require(actor, Permission::RegistryRead)?;
    let f = filter_from(app, actor, q).await?;
    let paging = Paging::parse(q.page, q.per_page, Paging::MAX_PER_PAGE)?;
    let (rows, total) = registry::list_cadres(
        app.db().read(),
        &actor.scope,
        &f,
        sort_from(q.sort.as_deref(), actor.can(Permission::RegistryReadSensitive)),
        paging.offset(),
        paging.per_page,
    )
    .await?;
    let posts = posts_by_cadre(app, &ScopedIds::of(&rows)).await?;
    let today = clock::today();
    let sensitive = actor.can(Permission::RegistryReadSensitive);
    let items = rows
        .iter()
        .map(|r| list_item(r, posts.get(&r.id).map(Vec::as_slice).unwrap_or(&[]), today, sensitive))
        .collect();
    Ok(Page::new(items, total, paging))
}

/// Every cadre row matching the query, for export (bounded).
pub async fn rows_all(app: &App, actor: &Actor, q: &CadreQuery, max: u64) -> Result<Vec<InScope<CadreRow>>> {
    require(actor, Permission::RegistryRead)?;
    let f = filter_from(app, actor, q).await?;
    let (rows, _) = registry::list_cadres(
        app.db().read(),
        &actor.scope,
        &f,
        sort_from(q.sort.as_deref(), actor.can(Permission::RegistryReadSensitive)),
        0,
        max,
    )
    .await?;
    Ok(rows)
}

pub(crate) async fn load_in_scope(app: &App, actor: &Actor, id: Uuid) -> Result<InScope<CadreRow>> {
    require(actor, Permission::RegistryRead)?;
    access::cadre(app, actor, id).await
}

/// A cadre's full record; the read itself is audited.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> Result<CadreDetail> {
    let r = load_in_scope(app, actor, id).await?;
    let d = detail(app, actor, &r).await?;
    audit::record_read(app, actor, "cadre", id, Place::of_cadre(&r), &format!("{}的干部档案", r.name)).await?;
    Ok(d)
}

async fn detail(app: &App, actor: &Actor, r: &InScope<CadreRow>) -> Result<CadreDetail> {
    let db = app.db().read();
    let today = clock::today();
    let views = appointment_views(app, r).await?;
    let tags = registry::tags_of(db, &ScopedIds::one(r))
        .await?
        .into_iter()
        .map(|t| TagView { title: app.policy().tag_title(&t.tag), code: t.tag })
        .collect();
    let sensitive = actor.can(Permission::RegistryReadSensitive);
    let id_number = r.id_number.as_ref().map(|n| {
        if sensitive { n.clone() } else { IdNumber::parse(n).map(|i| i.masked()).unwrap_or_else(|_| "******".into()) }
    });
    let mut timeline: Vec<TimelineEvent> = Vec::new();
    for a in &views {
        timeline.push(TimelineEvent {
            date: a.start_date,
            kind: "appointment.start".into(),
            kind_label: "任职".into(),
            text: format!("任{}{}（{}）", a.unit_name, a.title, a.reason),
        });
        // A hand-over to the next post is one event, not two.
        let followed = |end: NaiveDate| views.iter().any(|b| Some(b.start_date) == end.succ_opt());
        if let Some(end) = a.end_date.filter(|e| !followed(*e)) {
            timeline.push(TimelineEvent {
                date: end,
                kind: "appointment.end".into(),
                kind_label: "离任".into(),
                text: format!(
                    "{}{}{}",
                    a.unit_name,
                    a.title,
                    a.end_reason.as_deref().map(|r| format!("（{r}）")).unwrap_or_default()
                ),
            });
        }
    }
    if let Some(p) = r.party_join_date {
        timeline.push(TimelineEvent {
            date: p,
            kind: "party".into(),
            kind_label: "入党".into(),
            text: "加入中国共产党".into(),
        });
    }
    if actor.can(Permission::MeasureRead) {
        timeline.extend(crate::measures::timeline(app, r).await?);
    }
    timeline.sort_by_key(|e| std::cmp::Reverse(e.date));
    Ok(CadreDetail {
        id: r.id,
        name: r.name.clone(),
        sex_label: label(Some(&r.sex), Sex::parse, Sex::label_zh).unwrap_or_default(),
        sex: r.sex.clone(),
        birth_date: sensitive.then_some(r.birth_date),
        birth_month: birth_month(r.birth_date),
        age: age_shown(r.birth_date, today, sensitive),
        id_number_masked: !sensitive && id_number.is_some(),
        id_number,
        ethnicity: r.ethnicity.clone(),
        party_join_date: r.party_join_date,
        education_label: label(r.education.as_deref(), Education::parse, Education::label_zh),
        education: r.education.clone(),
        degree_label: label(r.degree.as_deref(), Degree::parse, Degree::label_zh),
        degree: r.degree.clone(),
        unit_id: r.unit_id,
        unit_name: r.unit_name.clone(),
        jurisdiction_name: r.jurisdiction_name.clone(),
        rank_label: label(r.rank.as_deref(), Rank::parse, Rank::label_zh),
        rank: r.rank.clone(),
        managed_by_label: label(Some(&r.managed_by), ManagedBy::parse, ManagedBy::label_zh).unwrap_or_default(),
        managed_by: r.managed_by.clone(),
        tags,
        active: r.active,
        note: r.note.clone(),
        version: r.version,
        current_posts: views.iter().filter(|a| a.end_date.is_none()).map(|a| a.title.clone()).collect(),
        appointments: views,
        timeline,
    })
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CadreInput {
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    #[serde(default)]
    pub id_number: Option<String>,
    pub ethnicity: String,
    #[serde(default)]
    pub party_join_date: Option<String>,
    #[serde(default)]
    pub education: Option<String>,
    #[serde(default)]
    pub degree: Option<String>,
    pub unit_id: Uuid,
    #[serde(default)]
    pub rank: Option<String>,
    pub managed_by: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The parsed, checked fields of a cadre, shared by forms, API and import.
#[derive(Clone, Debug, Serialize)]
pub struct CadreFields {
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub id_number: Option<IdNumber>,
    pub ethnicity: String,
    pub party_join_date: Option<NaiveDate>,
    pub education: Option<Education>,
    pub degree: Option<Degree>,
    pub rank: Option<Rank>,
    pub managed_by: ManagedBy,
    pub note: Option<String>,
}

/// Field rules in one place; `label` maps a field to its Chinese column name
/// (form labels or spreadsheet headers).
pub fn parse_fields(
    raw: &RawCadre<'_>,
    today: NaiveDate,
    inv: &mut Invalid,
    label: &dyn Fn(&'static str) -> (&'static str, String),
) -> Option<CadreFields> {
    let name = label_take(inv, label, "name", text::required(raw.name, 32));
    let sex = label_take(inv, label, "sex", Sex::parse(raw.sex));
    let birth =
        label_take(inv, label, "birth_date", text::parse_date(raw.birth_date).and_then(|d| text::not_future(d, today)));
    let id_number = label_take(
        inv,
        label,
        "id_number",
        match raw.id_number.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => IdNumber::parse(s).map(Some),
        },
    );
    let ethnicity = label_take(inv, label, "ethnicity", parse_ethnicity(raw.ethnicity));
    let party = label_take(
        inv,
        label,
        "party_join_date",
        text::parse_optional_date(raw.party_join_date).and_then(|d| match d {
            Some(d) => text::not_future(d, today).map(Some),
            None => Ok(None),
        }),
    );
    let education = label_take(inv, label, "education", opt_enum(raw.education, Education::parse));
    let degree = label_take(inv, label, "degree", opt_enum(raw.degree, Degree::parse));
    let rank = label_take(inv, label, "rank", opt_enum(raw.rank, Rank::parse));
    let managed_by = label_take(inv, label, "managed_by", ManagedBy::parse(raw.managed_by));
    let note = label_take(inv, label, "note", text::optional(raw.note, 500));
    if let (Some(Some(id)), Some(sex), Some(b)) = (&id_number, sex, birth)
        && let Err(p) = id.check_against(sex, b)
    {
        let (f, l) = label("id_number");
        inv.push(f, &l, p);
    }
    if let (Some(Some(p)), Some(b)) = (party, birth)
        && p <= b
    {
        let (f, l) = label("party_join_date");
        inv.push(f, &l, Problem::DateOrder { earlier: "出生日期".into() });
    }
    Some(CadreFields {
        name: name?,
        sex: sex?,
        birth_date: birth?,
        id_number: id_number?,
        ethnicity: ethnicity?,
        party_join_date: party?,
        education: education?,
        degree: degree?,
        rank: rank?,
        managed_by: managed_by?,
        note: note?,
    })
}

fn label_take<T>(
    inv: &mut Invalid,
    label: &dyn Fn(&'static str) -> (&'static str, String),
    f: &'static str,
    r: std::result::Result<T, Problem>,
) -> Option<T> {
    let (field, lab) = label(f);
    inv.take(field, &lab, r)
}

fn opt_enum<T>(
    s: Option<&str>,
    parse: impl Fn(&str) -> std::result::Result<T, Problem>,
) -> std::result::Result<Option<T>, Problem> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v).map(Some),
    }
}

/// Borrowed raw field values, from whatever input form.
pub struct RawCadre<'a> {
    pub name: &'a str,
    pub sex: &'a str,
    pub birth_date: &'a str,
    pub id_number: Option<&'a str>,
    pub ethnicity: &'a str,
    pub party_join_date: Option<&'a str>,
    pub education: Option<&'a str>,
    pub degree: Option<&'a str>,
    pub rank: Option<&'a str>,
    pub managed_by: &'a str,
    pub note: Option<&'a str>,
}

pub fn form_label(f: &'static str) -> (&'static str, String) {
    let l = match f {
        "name" => "姓名",
        "sex" => "性别",
        "birth_date" => "出生日期",
        "id_number" => "公民身份号码",
        "ethnicity" => "民族",
        "party_join_date" => "入党时间",
        "education" => "学历",
        "degree" => "学位",
        "rank" => "职级",
        "managed_by" => "管理权限",
        "note" => "备注",
        "unit_id" => "所在单位",
        "tags" => "经历标签",
        other => other,
    };
    (f, l.to_string())
}

fn raw(input: &CadreInput) -> RawCadre<'_> {
    RawCadre {
        name: &input.name,
        sex: &input.sex,
        birth_date: &input.birth_date,
        id_number: input.id_number.as_deref(),
        ethnicity: &input.ethnicity,
        party_join_date: input.party_join_date.as_deref(),
        education: input.education.as_deref(),
        degree: input.degree.as_deref(),
        rank: input.rank.as_deref(),
        managed_by: &input.managed_by,
        note: input.note.as_deref(),
    }
}

/// Checks tags against the experience-tag catalogue in force for the unit.
fn check_tags(app: &App, jurisdiction_code: &str, tags: &[String], inv: &mut Invalid) -> Vec<String> {
    let pack = app.policy().pack_for(jurisdiction_code);
    let known = app.policy().experience_tags(pack, clock::today());
    let mut out = Vec::new();
    for t in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        match known.iter().find(|(code, title)| code == t || title == t) {
            Some((code, _)) => {
                if !out.contains(code) {
                    out.push(code.clone());
                }
            }
            None => inv.push(
                "tags",
                "经历标签",
                Problem::Unknown { allowed: known.iter().map(|(_, t)| t.clone()).collect() },
            ),
        }
    }
    out
}

fn audit_shape(app: &App, m: &cadre::Model, tags: &[String]) -> serde_json::Value {
    serde_json::json!({
        "name": m.name, "sex": m.sex, "birth_date": m.birth_date,
        "id_number": m.id_number.as_deref().map(|n| audit::id_number_for_audit(app, n)),
        "ethnicity": m.ethnicity, "party_join_date": m.party_join_date, "education": m.education,
        "degree": m.degree, "unit_id": m.unit_id, "rank": m.rank, "managed_by": m.managed_by,
        "active": m.active, "note": m.note, "tags": tags,
    })
}

/// The answer when an ID number belongs to a cadre already. One person has
/// one record, so the number cannot be registered twice even by an office
/// that may not see its holder; the answer is the same whoever holds it and
/// names nobody, and the attempt is kept in the audit trail.
pub(crate) fn id_number_taken() -> Problem {
    Problem::Duplicate
}

async fn record_id_number_conflict(app: &App, actor: &Actor, n: &str) -> Result<()> {
    let tx = app.db().write().await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("cadre.id_number_conflict", "cadre", "", Place::of_actor(actor))
            .after(&serde_json::json!({ "id_number": audit::id_number_for_audit(app, n) })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every check a cadre write needs: fields, unit, tags, scope and the
/// uniqueness of the ID number (`except` is the cadre being edited).
async fn checked(
    app: &App,
    actor: &Actor,
    input: &CadreInput,
    except: Option<&InScope<CadreRow>>,
) -> Result<(CadreFields, InScope<UnitRow>, Vec<String>)> {
    let db = app.db().read();
    let mut inv = Invalid::new();
    let fields = parse_fields(&raw(input), clock::today(), &mut inv, &form_label);
    // A unit outside the scope reads as a unit that does not exist.
    let unit = registry::unit(db, &actor.scope, input.unit_id).await?;
    let tags = match &unit {
        Some(u) => check_tags(app, &u.jurisdiction_code, &input.tags, &mut inv),
        None => {
            inv.push("unit_id", "所在单位", Problem::NotFound);
            vec![]
        }
    };
    if let Some(f) = &fields
        && !actor.scope.managed_by.contains(&f.managed_by)
    {
        inv.push(
            "managed_by",
            "管理权限",
            Problem::Conflict { detail: format!("您只能登记{}的干部", actor.scope.managed_by_label()) },
        );
    }
    let mut taken = None;
    if let Some(Some(idn)) = fields.as_ref().map(|f| &f.id_number)
        && !registry::id_numbers_taken(db, &[idn.as_str().to_string()], except.map(|e| e.id)).await?.is_empty()
    {
        inv.push("id_number", "公民身份号码", id_number_taken());
        taken = Some(idn.as_str().to_string());
    }
    if let Some(n) = taken {
        record_id_number_conflict(app, actor, &n).await?;
    }
    inv.into_result()?;
    let (f, unit) = (fields.expect("checked"), unit.expect("checked"));
    Ok((f, unit, tags))
}

pub async fn create(app: &App, actor: &Actor, input: &CadreInput) -> Result<CadreDetail> {
    require(actor, Permission::RegistryWrite)?;
    let (f, unit, tags) = checked(app, actor, input, None).await?;
    let m = new_model(CadreId::new().0, &f, unit.id);
    let tx = app.db().write().await?;
    registry::insert_cadre(&tx, m.clone()).await?;
    registry::set_new_tags(&tx, &m, &tags).await?;
    let r = registry::cadre(&tx, &actor.scope, m.id).await?.ok_or(AppError::Internal("cadre".into()))?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("cadre.create", "cadre", m.id, Place::of_cadre(&r)).after(&audit_shape(app, &m, &tags)),
    )
    .await?;
    tx.commit().await?;
    detail(app, actor, &r).await
}

pub fn new_model(id: Uuid, f: &CadreFields, unit_id: Uuid) -> cadre::Model {
    let keys = name_keys(&f.name);
    let now = Utc::now();
    cadre::Model {
        id,
        name: f.name.clone(),
        name_pinyin: keys.pinyin,
        name_initials: keys.initials,
        name_search: keys.search,
        sex: f.sex.code().into(),
        birth_date: f.birth_date,
        id_number: f.id_number.as_ref().map(|i| i.as_str().to_string()),
        ethnicity: f.ethnicity.clone(),
        party_join_date: f.party_join_date,
        education: f.education.map(|e| e.code().into()),
        degree: f.degree.map(|e| e.code().into()),
        unit_id,
        rank: f.rank.map(|e| e.code().into()),
        managed_by: f.managed_by.code().into(),
        active: true,
        note: f.note.clone(),
        post_rank: 99,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CadreUpdate {
    #[serde(flatten)]
    pub fields: CadreInput,
    #[serde(default = "yes")]
    pub active: bool,
    pub version: i32,
}

fn yes() -> bool {
    true
}

pub async fn update(app: &App, actor: &Actor, id: Uuid, input: &CadreUpdate) -> Result<CadreDetail> {
    require(actor, Permission::RegistryWrite)?;
    let target = load_in_scope(app, actor, id).await?;
    let (f, unit, tags) = checked(app, actor, &input.fields, Some(&target)).await?;
    let db = app.db().read();
    let old = registry::cadre_model(db, &target).await?.ok_or(AppError::NotFound("干部"))?;
    let old_tags: Vec<String> =
        registry::tags_of(db, &ScopedIds::one(&target)).await?.into_iter().map(|t| t.tag).collect();
    let mut m = new_model(id, &f, unit.id);
    m.active = input.active;
    m.created_at = old.created_at;
    m.post_rank = old.post_rank;
    let tx = app.db().write().await?;
    registry::update_cadre(&tx, &target, m.clone(), input.version).await?;
    registry::set_tags(&tx, &target, &tags).await?;
    let r = registry::cadre(&tx, &actor.scope, id).await?.ok_or(AppError::Internal("cadre".into()))?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("cadre.update", "cadre", id, Place::of_cadre(&r))
            .before(&audit_shape(app, &old, &old_tags))
            .after(&audit_shape(app, &m, &tags)),
    )
    .await?;
    tx.commit().await?;
    detail(app, actor, &r).await
}

/// Active cadres in scope, in all and by management level (the home page).
pub async fn counts(app: &App, actor: &Actor) -> Result<(u64, Vec<(ManagedBy, u64)>)> {
    require(actor, Permission::RegistryRead)?;
    let db = app.db().read();
    let total = registry::count_cadres(db, &actor.scope, &CadreFilter::default()).await?;
    let mut by = Vec::new();
    for m in actor.scope.managed_by.iter() {
        let f = CadreFilter { managed_by: Some(m.code().into()), ..Default::default() };
        by.push((*m, registry::count_cadres(db, &actor.scope, &f).await?));
    }
    Ok((total, by))
}

/// A unit in scope by its full or short name (forms that name units).
pub async fn unit_id_by_name(app: &App, actor: &Actor, name: &str) -> Result<Uuid> {
    require(actor, Permission::RegistryRead)?;
    registry::unit_by_name(app.db().read(), &actor.scope, name.trim())
        .await?
        .map(|u| u.id)
        .ok_or_else(|| AppError::invalid("unit_id", "单位", Problem::NotFound))
}
