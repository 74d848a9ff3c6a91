//! Demo measures and follow-ups, entered through the same use cases a user
//! would call. Dates are relative to the day the demo is loaded, so every
//! state the screens know is present whenever someone looks: impact periods
//! ending within 30 and 90 days, overlapping tracks, stacked party sanctions,
//! an exempted measure, visits planned, overdue and done, proposals decided.

use chrono::{Months, NaiveDate};
use dandang_domain::{access::Actor, registry::ManagedBy};
use dandang_store::{entity::cadre, registry};
use uuid::Uuid;

use dandang_app::{
    App, clock,
    error::Result,
    follow_up::{self as fu, DecisionInput, MentorInput, ProposalInput, VisitInput},
    measures::{self, MeasureInput},
    registry::appointments::{self, AppointmentInput},
};

fn months_ago(today: NaiveDate, m: u32) -> NaiveDate {
    today.checked_sub_months(Months::new(m)).unwrap_or(today)
}

fn days_ago(today: NaiveDate, d: u64) -> NaiveDate {
    today.checked_sub_days(chrono::Days::new(d)).unwrap_or(today)
}

struct Spec {
    code: &'static str,
    effective: NaiveDate,
    body: &'static str,
    basis: &'static str,
    probation_years: Option<u32>,
    reply_due: Option<NaiveDate>,
    accountability: bool,
}

fn spec(code: &'static str, effective: NaiveDate, body: &'static str, basis: &'static str) -> Spec {
    Spec { code, effective, body, basis, probation_years: None, reply_due: None, accountability: false }
}

async fn add(app: &App, actor: &Actor, cadre: Uuid, s: Spec) -> Result<Uuid> {
    let (kind, ty) = measures::split_code(s.code);
    let input = MeasureInput {
        kind,
        measure_type: ty,
        decided_on: s.effective.to_string(),
        effective_on: None,
        deciding_body: s.body.to_string(),
        basis: s.basis.to_string(),
        document_ref: None,
        probation_years: s.probation_years.map(|y| y.to_string()),
        period_months: None,
        via_accountability: s.accountability,
        tolerance_check: None,
        reply_due: s.reply_due.map(|d| d.to_string()),
    };
    Ok(measures::create_from(app, actor, cadre, &input, "demo", None).await?.id)
}

/// The cadre's running follow-up (one per cadre, opened by the first measure that needs it).
async fn follow_up_of(app: &App, actor: &Actor, cadre: Uuid) -> Result<Option<fu::FollowUpView>> {
    Ok(fu::of_cadre(app, actor, cadre).await?.into_iter().find(|f| f.decided_on.is_none() && f.state != "closed"))
}

async fn mentor(app: &App, actor: &Actor, f: &fu::FollowUpView, name: &str, on: NaiveDate) -> Result<fu::FollowUpView> {
    fu::name_mentor(
        app,
        actor,
        f.id,
        &MentorInput {
            mentor_name: name.into(),
            mentor_post: Some("单位党组成员".into()),
            named_on: on.to_string(),
            version: f.version,
        },
    )
    .await
}

async fn visit_first(
    app: &App,
    actor: &Actor,
    f: &fu::FollowUpView,
    on: NaiveDate,
    eval: &str,
) -> Result<fu::FollowUpView> {
    let Some(v) = f.visits.iter().find(|v| v.visited_on.is_none()) else { return Ok(f.clone()) };
    fu::record_visit(
        app,
        actor,
        v.id,
        &VisitInput {
            visited_on: on.max(f.measure_effective).to_string(),
            visitor: "单位党组书记、纪检监察组组长".into(),
            notes: "谈心谈话，了解思想和工作情况；本人认识深刻，工作积极。".into(),
            evaluation: eval.into(),
        },
    )
    .await
}

/// Picks cadres of one unit and management level, in roster order.
fn pick(cadres: &[cadre::Model], unit: Uuid, managed: ManagedBy, n: usize) -> Vec<&cadre::Model> {
    cadres.iter().filter(|c| c.unit_id == unit && c.managed_by == managed.code()).take(n).collect()
}

pub async fn load(app: &App, cadres: &[cadre::Model], units: &[(String, Uuid)]) -> Result<usize> {
    let actor = dandang_app::users::actor_by_name(app, "admin").await?;
    let today = clock::today();
    let unit = |name: &str| units.iter().find(|(n, _)| n == name).map(|(_, id)| *id);
    let mut people: Vec<&cadre::Model> = Vec::new();
    for (name, mb, n) in [
        ("宜昌市发展和改革委员会", ManagedBy::City, 5),
        ("宜昌市财政局", ManagedBy::City, 3),
        ("宜昌市住房和城乡建设局", ManagedBy::City, 3),
        ("宜昌市交通运输局", ManagedBy::City, 3),
        ("宜昌市应急管理局", ManagedBy::City, 3),
        ("夷陵区人民政府", ManagedBy::County, 2),
        ("夷陵区发展和改革局", ManagedBy::County, 2),
    ] {
        if let Some(u) = unit(name) {
            people.extend(pick(cadres, u, mb, n));
        }
    }
    // The self-service account's cadre keeps a clean record.
    let people: Vec<Uuid> = people.into_iter().skip(1).map(|c| c.id).collect();
    if people.len() < 14 {
        return Ok(0);
    }
    let jw = "宜昌市纪委监委";
    let zzb = "中共宜昌市委组织部";
    let mut n = 0;
    let mut next = people.iter().copied();
    let mut who = || next.next().expect("enough demo cadres");

    // 1. A state warning whose period ends within 30 days; mentor named,
    //    one visit done, the alert is on.
    let c = who();
    add(
        app,
        &actor,
        c,
        spec(
            "state_sanction.warning",
            months_ago(today, 6) + chrono::Duration::days(20),
            jw,
            "违反中央八项规定精神，违规接受管理服务对象宴请。",
        ),
    )
    .await?;
    n += 1;
    if let Some(f) = follow_up_of(app, &actor, c).await? {
        let f = mentor(app, &actor, &f, "周明远", f.measure_effective + chrono::Duration::days(20)).await?;
        visit_first(app, &actor, &f, days_ago(today, 10), "good").await?;
    }

    // 2. Parallel tracks: a state demerit and a party serious warning on the
    //    same day; the state track has ended, the party one ends within 90 days.
    let c = who();
    let eff = months_ago(today, 16);
    add(app, &actor, c, spec("state_sanction.demerit", eff, jw, "在项目审批中违规办理，造成不良影响。")).await?;
    add(app, &actor, c, spec("party_sanction.serious_warning", eff, jw, "违反组织纪律和工作纪律。")).await?;
    n += 2;
    if let Some(f) = follow_up_of(app, &actor, c).await? {
        let f = mentor(app, &actor, &f, "李国华", eff + chrono::Duration::days(25)).await?;
        let f = visit_first(app, &actor, &f, months_ago(today, 5), "good").await?;
        let _ = f;
    }

    // 3. Stacked party sanctions: a serious warning inside a running warning.
    let c = who();
    add(app, &actor, c, spec("party_sanction.warning", months_ago(today, 20), jw, "违反廉洁纪律。")).await?;
    add(
        app,
        &actor,
        c,
        spec("party_sanction.serious_warning", months_ago(today, 14), jw, "影响期内再次违反廉洁纪律。"),
    )
    .await?;
    n += 2;
    if let Some(f) = follow_up_of(app, &actor, c).await? {
        let f = mentor(app, &actor, &f, "黄立新", months_ago(today, 19)).await?;
        visit_first(app, &actor, &f, months_ago(today, 9), "fair").await?;
    }

    // 4. An exempted measure: recorded, then the tolerance decision removed its effect.
    let c = who();
    let m = add(
        app,
        &actor,
        c,
        Spec {
            accountability: true,
            ..spec(
                "state_sanction.demerit",
                months_ago(today, 7),
                jw,
                "招商引资项目先行先试中程序存在瑕疵，造成一定损失。",
            )
        },
    )
    .await?;
    crate::tolerance::exempt_by_decision(app, c, m, "宜容决〔2026〕3号", months_ago(today, 6)).await?;
    n += 1;

    // 5. Probation for one year (bar: probation + 2 years), mentor overdue.
    let c = who();
    add(
        app,
        &actor,
        c,
        Spec {
            probation_years: Some(1),
            ..spec("party_sanction.probation", months_ago(today, 3), jw, "严重违反工作纪律，造成重大损失。")
        },
    )
    .await?;
    n += 1;

    // 6. Organisational handling of every form.
    for (code, months, basis) in [
        ("org_handling.suspension", 1, "涉嫌违纪，停职接受审查。"),
        ("org_handling.reassignment", 8, "年度考核排名靠后，不适宜担任现职。"),
        ("org_handling.ordered_resignation", 10, "对所辖领域重大安全事故负有领导责任。"),
        ("org_handling.removal", 13, "履职不力，造成严重不良影响。"),
        ("org_handling.demotion", 18, "工作严重失职失责。"),
    ] {
        let c = who();
        add(app, &actor, c, Spec { accountability: true, ..spec(code, months_ago(today, months), zzb, basis) }).await?;
        n += 1;
    }

    // 7. The first form: talks, inquiries, notices, and an admonishment.
    let c = who();
    add(app, &actor, c, spec("reminder_talk", months_ago(today, 9), zzb, "群众反映工作作风问题，进行提醒谈话。"))
        .await?;
    add(app, &actor, c, spec("criticism", months_ago(today, 8), zzb, "督查发现推进重点项目不力。")).await?;
    add(
        app,
        &actor,
        c,
        spec("ordered_self_examination", months_ago(today, 7), zzb, "专项检查发现问题，责令作出书面检查。"),
    )
    .await?;
    add(
        app,
        &actor,
        c,
        Spec {
            reply_due: Some(days_ago(today, 20)),
            ..spec("letter_inquiry", days_ago(today, 45), jw, "反映其违规插手工程项目，予以函询。")
        },
    )
    .await?;
    add(
        app,
        &actor,
        c,
        Spec {
            reply_due: Some(months_ago(today, 4)),
            ..spec("written_explanation", months_ago(today, 5), zzb, "要求就项目延误作出书面说明。")
        },
    )
    .await?;
    add(
        app,
        &actor,
        c,
        Spec {
            accountability: true,
            ..spec("circulated_notice", months_ago(today, 3), zzb, "重点工作推进滞后，在全市范围内通报。")
        },
    )
    .await?;
    add(
        app,
        &actor,
        c,
        Spec {
            accountability: true,
            ..spec("admonishment", months_ago(today, 2), zzb, "一年内两次被约谈，予以诫勉。")
        },
    )
    .await?;
    n += 7;
    if let Some(w) =
        measures::list_for_cadre(app, &actor, c).await?.into_iter().find(|m| m.kind == "written_explanation")
    {
        measures::record_reply(
            app,
            &actor,
            w.id,
            &measures::ReplyInput {
                replied_on: months_ago(today, 4).to_string(),
                reply: "已说明延误原因并提出整改措施。".into(),
                version: w.version,
            },
        )
        .await?;
    }

    // 8. A new state sanction inside a running one: remainder plus new.
    let c = who();
    add(app, &actor, c, spec("state_sanction.grade_demotion", months_ago(today, 30), jw, "违规决策造成重大损失。"))
        .await?;
    add(app, &actor, c, spec("state_sanction.major_demerit", months_ago(today, 20), jw, "处分期内再次违规。")).await?;
    n += 2;

    // 9. A completed follow-up: the period ended, the unit proposed, the
    //    organization department decided, and the cadre was promoted later.
    let c = who();
    let eff = months_ago(today, 30);
    add(app, &actor, c, spec("state_sanction.warning", eff, jw, "履职不到位，造成不良影响。")).await?;
    n += 1;
    if let Some(f) = follow_up_of(app, &actor, c).await? {
        let f = mentor(app, &actor, &f, "王建平", eff + chrono::Duration::days(15)).await?;
        let f = visit_first(app, &actor, &f, eff + chrono::Duration::days(170), "good").await?;
        let f = fu::propose(
            app,
            &actor,
            f.id,
            &ProposalInput {
                proposal: "该同志知错悔错、主动担当，工作实绩突出，建议影响期满后不影响使用。".into(),
                version: f.version,
            },
        )
        .await?;
        fu::decide(
            app,
            &actor,
            f.id,
            &DecisionInput {
                decision: "no_longer_affects".into(),
                note: "经部务会研究，同意所在单位党组意见。".into(),
                version: f.version,
            },
        )
        .await?;
        if let Some(row) = registry::cadre(app.db().read(), &actor.scope, c).await? {
            let current = registry::current_appointments(app.db().read(), &dandang_store::ScopedIds::one(&row)).await?;
            // One rung up from the highest current post.
            let (tier, level) = match current.iter().filter_map(|a| a.tier.as_deref().zip(a.level.as_deref())).next() {
                Some((t, "deputy")) => (t.to_string(), "principal"),
                Some(("township", _)) => ("county".to_string(), "deputy"),
                _ => ("bureau".to_string(), "deputy"),
            };
            appointments::create(
                app,
                &actor,
                c,
                &AppointmentInput {
                    unit_id: row.unit_id,
                    post_id: None,
                    title: Some(if level == "principal" { "主任".into() } else { "党组成员、副主任".into() }),
                    tier: Some(tier),
                    level: Some(level.into()),
                    rank: None,
                    start_date: months_ago(today, 4).to_string(),
                    reason: "提拔".into(),
                    document_ref: Some("宜组干〔2026〕18号".into()),
                    end_current: false,
                },
            )
            .await?;
        }
    }

    // 10. Heavier sanctions and assessment grades; one with visits overdue.
    let c = who();
    add(
        app,
        &actor,
        c,
        spec("state_sanction.dismissal_from_post", months_ago(today, 15), jw, "严重失职失责，造成重大损失。"),
    )
    .await?;
    add(app, &actor, c, spec("party_sanction.party_post_removal", months_ago(today, 15), jw, "严重违反工作纪律。"))
        .await?;
    n += 2;
    if let Some(f) = follow_up_of(app, &actor, c).await? {
        mentor(app, &actor, &f, "陈志刚", months_ago(today, 14)).await?;
    }
    let c = who();
    add(app, &actor, c, spec("assessment.basically_competent", months_ago(today, 10), zzb, "年度考核确定为基本称职。"))
        .await?;
    add(app, &actor, c, spec("state_sanction.major_demerit", months_ago(today, 11), jw, "违规发放津补贴。")).await?;
    n += 2;
    let c = who();
    add(app, &actor, c, spec("assessment.incompetent", months_ago(today, 11), zzb, "年度考核确定为不称职。")).await?;
    add(app, &actor, c, spec("assessment.excellent", months_ago(today, 23), zzb, "年度考核确定为优秀。")).await?;
    n += 2;
    let c = who();
    add(app, &actor, c, spec("state_sanction.expulsion", months_ago(today, 12), jw, "严重违纪违法。")).await?;
    add(app, &actor, c, spec("party_sanction.expulsion", months_ago(today, 12), jw, "严重违纪违法。")).await?;
    add(app, &actor, c, spec("party_sanction.warning", months_ago(today, 26), jw, "违反群众纪律。")).await?;
    n += 3;

    // 11. Accountability of a party organization (问责条例: 检查、通报、改组).
    if let Some(u) = unit("宜昌市应急管理局") {
        let input = MeasureInput {
            kind: "accountability".into(),
            measure_type: Some("circulated_notice".into()),
            decided_on: months_ago(today, 5).to_string(),
            deciding_body: "中共宜昌市委".into(),
            basis: "安全生产专项整治推进不力，对局党组予以通报问责。".into(),
            document_ref: Some("宜文〔2026〕9号".into()),
            ..Default::default()
        };
        measures::create_for_unit(app, &actor, u, &input).await?;
        n += 1;
    }
    Ok(n)
}
