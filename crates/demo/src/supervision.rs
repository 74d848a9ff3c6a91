//! Demo 督查问效 data, through the use cases: items in every light, a
//! cadre interviewed three times within a year, and reminders and interviews
//! in every state, each step taken by the role that owns it on a past day.
//! Dates are relative to the day the demo is loaded.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use dandang_app::{
    App, clock,
    error::Result,
    supervision::{
        self as sv, InterviewInput, ItemInput, MilestoneInput, ResponsibleInput,
        cases::{self, CaseInput, TransitionInput},
    },
};

/// The leader named in charge of some demo items, the demo leader account's name.
pub const DEMO_LEADER: &str = "王志强";

pub async fn load(app: &App, units: &[(String, Uuid)], interviewee: Option<Uuid>) -> Result<(usize, usize)> {
    let actor = dandang_app::users::actor_by_name(app, "admin").await?;
    let today = clock::today();
    let day = |n: i64| (today + Duration::days(n)).to_string();
    let unit = |name: &str| units.iter().find(|(n, _)| n == name).map(|(_, id)| *id);
    let mut items = 0;
    let mut leader_items = Vec::new();
    // Items were set two months ago; some lead units have reported since, others not.
    let set_at = at(today - Duration::days(60), 10);
    for (n, (title, lead, co, deadline, milestone)) in [
        ("中心城区交通拥堵综合治理", "宜昌市交通运输局", "宜昌市财政局", 75, Some(("完成治理方案", -6))),
        ("重点项目审批提速", "宜昌市发展和改革委员会", "宜昌市商务局", 2, None),
        ("老旧小区改造年度任务", "宜昌市住房和城乡建设局", "宜昌市财政局", 120, Some(("完成首批开工", 30))),
        ("安全生产专项整治", "宜昌市应急管理局", "宜昌市交通运输局", 45, Some(("隐患排查", -1))),
        ("长江大保护问题整改", "宜昌市生态环境局", "宜昌市农业农村局", 200, Some(("制定整改清单", 60))),
        ("政务服务“一网通办”", "宜昌市发展和改革委员会", "宜昌市财政局", 20, Some(("上线试运行", -20))),
    ]
    .into_iter()
    .enumerate()
    {
        let (Some(lead), Some(co)) = (unit(lead), unit(co)) else { continue };
        let input = ItemInput {
            title: title.into(),
            source: "市委常委会会议决定事项".into(),
            lead_unit_id: lead,
            co_unit_ids: vec![co],
            responsible: ResponsibleInput {
                principal: Some("单位主要负责人".into()),
                leader_in_charge: Some(if n % 2 == 1 { DEMO_LEADER.into() } else { "分管负责人".into() }),
                direct_responsible: Some("责任科室负责人".into()),
            },
            deadline: day(deadline),
            milestones: milestone
                .map(|(t, d)| vec![MilestoneInput { title: t.into(), due: day(d) }])
                .unwrap_or_default(),
        };
        let v = sv::create_item_at(app, &actor, &input, set_at).await?;
        if n % 2 == 1 {
            leader_items.push(v.id);
        }
        let report = |content: &str, days_ago: i64, milestone: Option<Uuid>, completes: bool| sv::ReportInput {
            content: content.into(),
            reported_on: Some((today - Duration::days(days_ago)).to_string()),
            milestone_id: milestone,
            completes,
        };
        match n {
            0 | 2 => {
                let r = report("按计划推进，已完成阶段性任务。", 10, None, false);
                sv::report_item_at(app, &actor, v.id, &r, at(today - Duration::days(10), 16)).await?;
            }
            5 => {
                let m = v.milestones.first().map(|m| m.id);
                let r = report("系统已上线试运行，事项全部完成。", 18, m, true);
                sv::report_item_at(app, &actor, v.id, &r, at(today - Duration::days(18), 16)).await?;
            }
            _ => {}
        }
        items += 1;
    }
    // The leader's task letter for the year, tracked at mid-year.
    if !leader_items.is_empty() {
        use chrono::Datelike;
        let leader = dandang_app::users::actor_by_name(app, "yc_lingdao").await?;
        let input = sv::letters::LetterInput {
            year: today.year(),
            leader_user_id: leader.user_id.0,
            leader_post: Some("市委副书记".into()),
            title: "年度重点工作目标责任书".into(),
            item_ids: leader_items,
        };
        let letter = sv::letters::create(app, &actor, &input).await?;
        let review = sv::letters::ReviewInput {
            stage: "midyear".into(),
            note: "年中跟踪：各事项按节点推进，审批提速事项需加快。".into(),
        };
        sv::letters::review(app, &actor, letter.id, &review).await?;
    }
    let mut interviews = 0;
    if let Some(cadre) = interviewee {
        let trig = sv::triggers_in(app, "cn-hb-yc", today).items.first().map(|t| t.id.clone());
        for months in [10u32, 5, 1] {
            let held: NaiveDate = today.checked_sub_months(chrono::Months::new(months)).unwrap_or(today);
            let input = InterviewInput {
                cadre_id: cadre,
                held_on: held.to_string(),
                triggers: trig.iter().cloned().collect(),
                record: "重点工作推进滞后，主约谈人听取情况说明，提出整改要求。".into(),
            };
            sv::record_interview(app, &actor, &input).await?;
            interviews += 1;
        }
    }
    Ok((items, interviews))
}

/// One step of a demo case: who takes it, how many days before today, and the form.
struct Step {
    who: &'static str,
    days_ago: i64,
    input: TransitionInput,
}

fn step(who: &'static str, days_ago: i64, action: &str, note: &str) -> Step {
    Step {
        who,
        days_ago,
        input: TransitionInput {
            action: action.into(),
            note: (!note.is_empty()).then(|| note.to_string()),
            ..Default::default()
        },
    }
}

fn plan(days_ago: i64, scheduled: NaiveDate) -> Step {
    Step {
        who: "yc_ducha",
        days_ago,
        input: TransitionInput {
            action: "plan".into(),
            note: Some("会同市纪委监委、市委组织部研究确定约谈方案。".into()),
            scheduled_on: Some(scheduled.to_string()),
            place: Some("市委第二会议室".into()),
            lead_interviewer: Some("市委副秘书长".into()),
            commission_attendee: Some("市纪委监委党风政风监督室负责同志".into()),
            org_attendee: Some("市委组织部干部监督科负责同志".into()),
            topics: Some("一、问题的主要表现和原因；二、整改思路和时限；三、下一步工作要求。".into()),
            ..Default::default()
        },
    }
}

fn hold(days_ago: i64, held: NaiveDate) -> Step {
    Step {
        who: "yc_jiandu",
        days_ago,
        input: TransitionInput {
            action: "hold".into(),
            held_on: Some(held.to_string()),
            record: Some("约谈人指出工作推进中存在的问题，被约谈人作了说明和表态，明确了整改措施和完成时限。".into()),
            ..Default::default()
        },
    }
}

/// Reminders and interviews in every state. `subjects` are (cadre, unit) of
/// city-managed cadres, one per unit, in a stable order.
pub async fn load_cases(app: &App, subjects: &[(Uuid, Uuid)]) -> Result<usize> {
    let today = clock::today();
    let ago = |n: i64| today - Duration::days(n);
    let trig: Vec<String> = sv::triggers_in(app, "cn-hb-yc", today).items.iter().map(|t| t.id.clone()).collect();
    if trig.len() < 3 || subjects.is_empty() {
        return Ok(0);
    }
    let facts = [
        "重点项目前期工作推进缓慢，连续两个月未完成节点任务。",
        "群众反映强烈的问题办理不及时，多次督办仍未办结。",
        "牵头事项协调不力，配合单位之间推诿，影响整体进度。",
    ];
    let to_plan = |n: i64| step("yc_fgw", n, "submit_plan", "成立整改专班，明确责任人和完成时限，逐项销号。");
    let report = |n: i64| step("yc_fgw", n, "report", "已完成阶段性整改任务，剩余事项按计划推进。");
    let finish = |n: i64| step("yc_fgw", n, "finish", "整改任务全部完成，申请复查。");
    // (kind, opened days ago, steps); the unit steps are taken by the
    // development and reform commission's committee where the subject is
    // there, by the administrator otherwise.
    let scripts: Vec<(&str, i64, Vec<Step>)> = vec![
        ("interview", 1, vec![]),
        ("interview", 12, vec![]),
        ("interview", 4, vec![step("yc_lingdao", 3, "approve", "")]),
        ("interview", 9, vec![step("yc_lingdao", 8, "approve", ""), plan(6, ago(-3))]),
        ("interview", 10, vec![step("yc_lingdao", 9, "approve", ""), plan(8, ago(3)), hold(2, ago(3))]),
        ("interview", 30, vec![step("yc_lingdao", 29, "approve", ""), plan(27, ago(22)), hold(21, ago(22))]),
        (
            "interview",
            60,
            vec![step("yc_lingdao", 58, "approve", ""), plan(55, ago(50)), hold(50, ago(50)), to_plan(44), report(14)],
        ),
        (
            "interview",
            90,
            vec![
                step("yc_lingdao", 88, "approve", ""),
                plan(85, ago(80)),
                hold(79, ago(80)),
                to_plan(74),
                report(44),
                finish(5),
            ],
        ),
        (
            "interview",
            150,
            vec![
                step("yc_lingdao", 148, "approve", ""),
                plan(145, ago(140)),
                hold(139, ago(140)),
                to_plan(133),
                report(103),
                finish(75),
                step("yc_ducha", 70, "fail", "整改台账不完整，部分问题未见实效，退回继续整改。"),
                finish(40),
                step("yc_ducha", 35, "pass", "经实地复查，问题已整改到位，同意办结。"),
            ],
        ),
        ("interview", 20, vec![step("yc_lingdao", 18, "reject", "问题已在专项督查中处理，暂不约谈。")]),
        ("interview", 6, vec![step("yc_ducha", 5, "withdraw", "单位已主动整改到位。")]),
        ("reminder", 2, vec![]),
        ("reminder", 5, vec![step("yc_lingdao", 4, "approve", "")]),
        ("reminder", 9, vec![step("yc_lingdao", 8, "approve", ""), step("yc_ducha", 7, "issue", "")]),
        ("reminder", 40, vec![step("yc_lingdao", 39, "approve", ""), step("yc_ducha", 38, "issue", ""), to_plan(32)]),
        (
            "reminder",
            100,
            vec![
                step("yc_lingdao", 99, "approve", ""),
                step("yc_ducha", 97, "issue", ""),
                to_plan(92),
                finish(60),
                step("yc_ducha", 55, "pass", "整改到位，同意办结。"),
            ],
        ),
    ];
    let fgw = subjects.first().map(|(_, u)| *u);
    let mut n = 0;
    for (i, (kind, opened, steps)) in scripts.into_iter().enumerate() {
        let (cadre, unit) = subjects[i % subjects.len()];
        let input = CaseInput {
            kind: kind.into(),
            cadre_id: Some(cadre),
            unit_id: Some(unit),
            triggers: vec![trig[i % trig.len()].clone(), trig[(i + 3) % trig.len()].clone()],
            facts: facts[i % facts.len()].into(),
        };
        let opener = dandang_app::users::actor_by_name(app, "yc_ducha").await?;
        let v = cases::open_on(app, &opener, &input, ago(opened), at(ago(opened), 9)).await?;
        for s in steps {
            let who = if s.who == "yc_fgw" && Some(unit) != fgw { "admin" } else { s.who };
            let actor = dandang_app::users::actor_by_name(app, who).await?;
            cases::transition_on(app, &actor, v.id, &s.input, ago(s.days_ago), at(ago(s.days_ago), 15)).await?;
        }
        n += 1;
    }
    Ok(n)
}

/// A Beijing hour on a demo day, as an instant.
pub(crate) fn at(d: NaiveDate, hour: u32) -> chrono::DateTime<Utc> {
    let local = d.and_hms_opt(hour, 0, 0).expect("valid hour");
    Utc.from_utc_datetime(&(local - Duration::hours(8)))
}
